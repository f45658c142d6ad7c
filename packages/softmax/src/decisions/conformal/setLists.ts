/**
 * Building prediction sets from sorted class lists: the `number[]` of a row (exact size, no growth) and
 * its marks in the 0/1 membership matrix.
 */

/**
 * The set `list[0, len)` as a new array, marking `matrix[off + c] = 1` for each member c. O(len).
 */
export function copySet(list: Int32Array, len: number, matrix: Uint8Array, off: number): number[] {
  const set = new Array<number>(len);
  for (let i = 0; i < len; i++) {
    const c = list[i];
    set[i] = c;
    matrix[off + c] = 1;
  }
  return set;
}

/**
 * The union of the disjoint ascending lists a[0, na), b[0, nb), c[0, nc) (three-way merge) as a new
 * array of exact size, marking `matrix[off + x] = 1` for each member x. O(na + nb + nc).
 */
export function mergeSets(a: Int32Array, na: number, b: Int32Array, nb: number, c: Int32Array, nc: number, matrix: Uint8Array, off: number): number[] {
  if (nb === 0) return insertSorted(a, na, c, nc, matrix, off);
  const set = new Array<number>(na + nb + nc);
  let i = 0;
  let j = 0;
  let k = 0;
  for (let o = 0; o < set.length; o++) {
    const x = i < na ? a[i] : 0x7fffffff;
    const y = j < nb ? b[j] : 0x7fffffff;
    const z = k < nc ? c[k] : 0x7fffffff;
    let v: number;
    if (x < y && x < z) {
      v = x;
      i++;
    } else if (y < z) {
      v = y;
      j++;
    } else {
      v = z;
      k++;
    }
    set[o] = v;
    matrix[off + v] = 1;
  }
  return set;
}

/**
 * `mergeSets` of two lists where c[0, nc) is short (the always-in classes): a's entries are copied with
 * one comparison each against the next entry of c. O(na + nc).
 */
function insertSorted(a: Int32Array, na: number, c: Int32Array, nc: number, matrix: Uint8Array, off: number): number[] {
  const set = new Array<number>(na + nc);
  let o = 0;
  let k = 0;
  let next = nc > 0 ? c[0] : 0x7fffffff;
  for (let i = 0; i < na; i++) {
    const x = a[i];
    while (next < x) {
      set[o++] = next;
      matrix[off + next] = 1;
      next = ++k < nc ? c[k] : 0x7fffffff;
    }
    set[o++] = x;
    matrix[off + x] = 1;
  }
  for (; k < nc; k++) {
    set[o++] = c[k];
    matrix[off + c[k]] = 1;
  }
  return set;
}
