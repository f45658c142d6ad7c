/**
 * Numbers as text in data files: what a cell may contain, and how values are printed so that reading
 * them back gives the same bits.
 */

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/**
 * Parses one cell: a decimal number (`1`, `-2.5`, `.5`, `1e-3`), or `inf`, `infinity`, `nan` in any
 * case with an optional sign (NumPy writes `inf`/`nan`, JavaScript `Infinity`/`NaN`). Returns
 * `undefined` for anything else, including the empty string and hexadecimal, which `Number()` would
 * silently accept.
 */
export function parseNumberCell(cell: string): number | undefined {
  if (DECIMAL.test(cell)) return Number(cell);
  const m = SPECIAL.exec(cell);
  if (!m) return undefined;
  if (m[2].toLowerCase() === 'nan') return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}

/** `inf`, `-inf`, `nan`, `-0`, or the shortest decimal that round-trips through float64 (`String(x)`). */
export function formatFloat64(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0';
  return String(x);
}

/**
 * The shortest decimal (at most 9 significant digits, which always suffice) that reads back to the same
 * float32, so `0.1` prints as `0.1` rather than `0.10000000149011612`.
 */
export function formatFloat32(x: number): string {
  if (!Number.isFinite(x) || x === 0) return formatFloat64(x);
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === x) return String(candidate);
  }
  return String(Number(x.toPrecision(9)));
}
