import { SoftmaxError, describe, fail } from '../tensor/errors.js';
import { checkDims, sizeOf } from '../tensor/view.js';
import type { NpyData } from './npy-dtype.js';
import { formatFloat32, formatFloat64, parseNumberCell } from './number-text.js';

/** A parsed CSV matrix. `header` holds the column names when the first row was a header, else `undefined`. */
export interface CsvMatrix {
  data: Float64Array;
  dims: [rows: number, cols: number];
  header: string[] | undefined;
}

function cellsOf(line: string): string[] {
  return line.split(',').map((cell) => {
    const t = cell.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
  });
}

/**
 * Parses a numeric CSV matrix: one row per line, values separated by commas.
 *
 * - Blank lines are ignored; `\n`, `\r\n` and `\r` line ends and a leading byte-order mark are accepted.
 * - The first non-blank line is a header (returned in `header`, not in the data) when none of its cells
 *   is a number.
 * - Cells may carry surrounding spaces and one pair of double quotes; quoted commas are not supported.
 * - Besides decimals, `inf`, `-inf`, `infinity`, `nan` (any case) are accepted.
 *
 * Errors (`E_INPUT`, message prefixed by `name`): a row whose length differs from the first row's (naming
 * both lines), a cell that is not a number (naming line and column, 1-based).
 */
export function parseCsv(text: string, name = 'csv data'): CsvMatrix {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const values: number[] = [];
  let header: string[] | undefined;
  let cols = -1;
  let firstLine = 0;
  let rows = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const lineNo = i + 1;
    const cells = cellsOf(lines[i]);
    if (cols < 0) {
      cols = cells.length;
      firstLine = lineNo;
      if (cells.every((c) => parseNumberCell(c) === undefined)) {
        header = cells;
        continue;
      }
    } else if (cells.length !== cols) {
      throw new SoftmaxError('E_INPUT', `${name}: line ${lineNo} has ${cells.length} values, expected ${cols} (as on line ${firstLine})`, name);
    }
    for (let c = 0; c < cells.length; c++) {
      const v = parseNumberCell(cells[c]);
      if (v === undefined) {
        throw new SoftmaxError('E_INPUT', `${name}: line ${lineNo}, column ${c + 1}: expected a number, got ${cells[c] === '' ? 'an empty cell' : describe(cells[c])}`, name);
      }
      values.push(v);
    }
    rows++;
  }
  return { data: Float64Array.from(values), dims: [rows, Math.max(cols, 0)], header };
}

function formatterFor(data: NpyData): (x: number) => string {
  if (data instanceof Float32Array) return formatFloat32;
  if (data instanceof Float64Array) return formatFloat64;
  return String;
}

/**
 * Writes a tensor of rank 0, 1 or 2 as CSV (no header, `\n` line ends, a final newline): a scalar is one
 * cell, a 1-D tensor one row, a 2-D tensor one line per row. Floats print with the fewest digits that
 * read back to the same value (float32: at most 9 significant digits; float64: `String(x)`, at most 17);
 * non-finite values print as `inf`, `-inf`, `nan`, which `parseCsv` reads back.
 *
 * Errors: `E_SHAPE` for rank above 2 (write `.npy` instead) or dims that do not match the data length.
 */
export function formatCsv(tensor: { data: NpyData; dims: readonly number[] }): string {
  const dims = checkDims(tensor.dims, 'dims');
  const { data } = tensor;
  if (sizeOf(dims) !== data.length) fail('E_SHAPE', 'dims', `dims whose product equals data.length (${data.length})`, `[${dims.join(', ')}]`);
  if (dims.length > 2) {
    throw new SoftmaxError('E_SHAPE', `dims: a tensor of rank ${dims.length} ([${dims.join(', ')}]) cannot be written as CSV (rank 0, 1 or 2 only); write .npy instead`, 'dims');
  }
  const format = formatterFor(data);
  const rows = dims.length === 2 ? dims[0] : Math.min(data.length, 1);
  const cols = dims.length === 2 ? dims[1] : data.length;
  const lines: string[] = [];
  const row: string[] = new Array<string>(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) row[c] = format(data[r * cols + c]);
    lines.push(row.join(','));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
