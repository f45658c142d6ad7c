/**
 * The m largest entries of `z` (m ≤ z.length), as indices ordered by value descending, ties to the lower
 * index (the order `softmaxTopK` uses). A bounded min-heap over one pass: O(n log m) worst case and close
 * to O(n) on rows in no particular order (most entries fail the first comparison), plus O(m log m) to sort.
 * NaN entries are never selected (callers reject rows holding NaN first).
 */
export function topIndices(z: Float64Array, m: number): Int32Array {
  const heap = new Int32Array(m);
  let size = 0;
  // "a ranks below b": smaller value, or equal value and higher index.
  const below = (a: number, b: number) => z[a] < z[b] || (z[a] === z[b] && a > b);
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < size && below(heap[l], heap[w])) w = l;
      if (r < size && below(heap[r], heap[w])) w = r;
      if (w === i) return;
      const t = heap[i];
      heap[i] = heap[w];
      heap[w] = t;
      i = w;
    }
  };
  for (let i = 0; i < z.length; i++) {
    if (size < m) {
      // Sift up: the root holds the lowest-ranked of the kept entries.
      let j = size++;
      heap[j] = i;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (!below(heap[j], heap[p])) break;
        const t = heap[j];
        heap[j] = heap[p];
        heap[p] = t;
        j = p;
      }
    } else if (z[i] > z[heap[0]]) {
      // i is later than every kept index, so on equal values it ranks below: only a strict win enters.
      heap[0] = i;
      siftDown(0);
    }
  }
  return heap.subarray(0, size).sort((a, b) => (z[a] === z[b] ? a - b : z[b] - z[a] || a - b));
}
