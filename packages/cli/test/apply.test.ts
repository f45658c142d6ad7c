import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, parseCsv, parseNpy } from 'softmax/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

/*
 * Hand computation for the row x = [1, 2, 3]:
 *   softmax(x) = [e^-2, e^-1, 1] / (1 + e^-1 + e^-2), with e^-1 = 0.36787944117144233,
 *   e^-2 = 0.1353352832366127, sum = 1.5032147244080551
 *   → [0.09003057317038046, 0.24472847105479764, 0.6652409557748218]
 *   logsumexp(x) = 3 + ln(1.5032147244080551) = 3.4076059644443806
 *   log-softmax(x) = x − 3.4076059644443806 = [−2.4076059644443806, −1.4076059644443806, −0.4076059644443806]
 * (numpy: e = np.exp(x - x.max()); e / e.sum() prints the same softmax digits.)
 * A row of equal values gives 1/3 each.
 */
const SOFTMAX_123 = [0.09003057317038046, 0.24472847105479764, 0.6652409557748218];
const LSE_123 = 3.4076059644443806;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'softmax-cli-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(tolerance);
}

async function csvFile(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function npyFile(name: string, data: Float32Array | Float64Array | Int32Array, dims: number[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, encodeNpy({ data, dims }));
  return path;
}

describe('softmax apply on CSV', () => {
  it('prints the softmax of each row as CSV on stdout (float64, last axis by default)', async () => {
    const input = await csvFile('x.csv', '1,2,3\n0,0,0\n');
    const run = await runCli(['apply', 'softmax', input]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const out = parseCsv(run.stdout);
    expect(out.dims).toEqual([2, 3]);
    expectClose(out.data.subarray(0, 3), SOFTMAX_123, 1e-15);
    expectClose(out.data.subarray(3), [1 / 3, 1 / 3, 1 / 3], 1e-15);
  });

  it('skips a header row and says so on stderr', async () => {
    const input = await csvFile('named.csv', 'a,b,c\n1,2,3\n');
    const run = await runCli(['apply', 'softmax', input]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`softmax: note: ${input}: skipped the header row (a, b, c)\n`);
    expectClose(parseCsv(run.stdout).data, SOFTMAX_123, 1e-15);
  });

  it('log-softmax and logsumexp match the hand computation; logsumexp removes the axis', async () => {
    const input = await csvFile('x.csv', '1,2,3\n');
    const log = await runCli(['apply', 'log-softmax', input]);
    expectClose(parseCsv(log.stdout).data, [1 - LSE_123, 2 - LSE_123, 3 - LSE_123], 1e-15);
    const lse = await runCli(['apply', 'logsumexp', input]);
    expect(lse.code).toBe(0);
    // dims [1, 3] reduced over axis -1 → dims [1], written as one row with one value.
    expect(lse.stdout.trim().split('\n')).toHaveLength(1);
    expectClose(parseCsv(lse.stdout).data, [LSE_123], 1e-15);
  });

  it('--axis 0 normalises columns; a negative axis counts from the end', async () => {
    // Columns [0, ln 3] → [1/4, 3/4] and [0, 0] → [1/2, 1/2].
    const input = await csvFile('x.csv', `0,0\n${Math.log(3)},0\n`);
    for (const axis of ['0', '-2']) {
      const run = await runCli(['apply', 'softmax', input, '--axis', axis]);
      expect(run.code).toBe(0);
      expectClose(parseCsv(run.stdout).data, [0.25, 0.5, 0.75, 0.5], 1e-15);
    }
  });

  it('--temperature divides the inputs first', async () => {
    // [0, 2 ln 2] / 2 = [0, ln 2] → [1/3, 2/3].
    const input = await csvFile('x.csv', `0,${2 * Math.log(2)}\n`);
    const run = await runCli(['apply', 'softmax', input, '--temperature', '2']);
    expect(run.code).toBe(0);
    expectClose(parseCsv(run.stdout).data, [1 / 3, 2 / 3], 1e-15);
  });

  it('--dtype float32 computes in float32 and prints digits that read back to the same float32', async () => {
    const input = await csvFile('x.csv', '1,2,3\n');
    const run = await runCli(['apply', 'softmax', input, '--dtype', 'float32']);
    expect(run.code).toBe(0);
    const output = join(dir, 'y.npy');
    expect((await runCli(['apply', 'softmax', input, '--dtype', 'float32', '-o', output])).code).toBe(0);
    const exact = parseNpy(await readFile(output)).data;
    expect(exact).toBeInstanceOf(Float32Array);
    const printed = parseCsv(run.stdout).data;
    expect(Array.from(printed, Math.fround)).toEqual(Array.from(exact));
    // At most 9 significant digits (fewer where they suffice).
    for (const cell of run.stdout.trim().split(',')) expect(cell.replace(/^0\.0*/, '').length).toBeLessThanOrEqual(9);
    expectClose(printed, SOFTMAX_123, 2e-6);
  });
});

describe('softmax apply on .npy', () => {
  it('keeps float32 input float32 and writes .npy with -o', async () => {
    const input = await npyFile('x.npy', Float32Array.of(1, 2, 3, 0, 0, 0), [2, 3]);
    const output = join(dir, 'y.npy');
    const run = await runCli(['apply', 'softmax', input, '-o', output]);
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
    const y = parseNpy(await readFile(output));
    expect(y.dtype).toBe('float32');
    expect(y.dims).toEqual([2, 3]);
    // float32 results are within 2e-6 relative of the float64 values (the library's stated accuracy).
    expectClose(y.data, [...SOFTMAX_123, 1 / 3, 1 / 3, 1 / 3], 2e-6);
  });

  it('keeps float64 input float64 unless --dtype says otherwise', async () => {
    const input = await npyFile('x.npy', Float64Array.of(1, 2, 3), [3]);
    const out64 = join(dir, 'y64.npy');
    expect((await runCli(['apply', 'softmax', input, '-o', out64])).code).toBe(0);
    const y64 = parseNpy(await readFile(out64));
    expect(y64.dtype).toBe('float64');
    expectClose(y64.data, SOFTMAX_123, 1e-15);

    const out32 = join(dir, 'y32.npy');
    expect((await runCli(['apply', 'softmax', input, '--dtype', 'float32', '-o', out32])).code).toBe(0);
    expect(parseNpy(await readFile(out32)).dtype).toBe('float32');
  });

  it('computes integer input in float64', async () => {
    const input = await npyFile('labels.npy', Int32Array.of(1, 2, 3), [3]);
    const run = await runCli(['apply', 'softmax', input]);
    expect(run.code).toBe(0);
    expectClose(parseCsv(run.stdout).data, SOFTMAX_123, 1e-15);
  });

  it('writes .csv output by the output extension, and a scalar logsumexp as one value', async () => {
    const input = await npyFile('x.npy', Float64Array.of(1, 2, 3), [3]);
    const output = join(dir, 'lse.csv');
    expect((await runCli(['apply', 'logsumexp', input, '-o', output])).code).toBe(0);
    expect(await readFile(output, 'utf8')).toBe(`${LSE_123}\n`);
  });

  it('reduces a rank-3 tensor over a middle axis', async () => {
    // Every [.., :, ..] column is [1, 2, 3] along axis 1, so every output is the hand softmax row.
    const data = Float64Array.from({ length: 2 * 3 * 2 }, (_, i) => Math.floor(i / 2) % 3 + 1);
    const input = await npyFile('x.npy', data, [2, 3, 2]);
    const output = join(dir, 'y.npy');
    expect((await runCli(['apply', 'softmax', input, '--axis', '1', '-o', output])).code).toBe(0);
    const y = parseNpy(await readFile(output));
    expect(y.dims).toEqual([2, 3, 2]);
    const expected = Array.from(data, (v) => SOFTMAX_123[v - 1]);
    expectClose(y.data, expected, 1e-15);
  });
});

describe('softmax apply: errors', () => {
  async function expectFailure(argv: string[], message: string | RegExp, code = 2): Promise<void> {
    const run = await runCli(argv);
    expect(run.code).toBe(code);
    expect(run.stdout).toBe('');
    expect(run.stderr.endsWith('\n')).toBe(true);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    if (typeof message === 'string') expect(run.stderr).toBe(`softmax: ${message}\n`);
    else expect(run.stderr).toMatch(message);
  }

  it('a missing input file', async () => {
    const input = join(dir, 'missing.npy');
    const output = join(dir, 'y.npy');
    await expectFailure(['apply', 'softmax', input, '-o', output], `cannot read ${input}: no such file or directory`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a file that is not NPY', async () => {
    const input = await csvFile('bad.npy', 'this is not numpy');
    const output = join(dir, 'y.npy');
    await expectFailure(['apply', 'softmax', input, '-o', output], `${input}: not an NPY file (it does not start with the magic string \\x93NUMPY)`);
    expect(await readdir(dir)).toEqual(['bad.npy']);
  });

  it('a truncated NPY file', async () => {
    const whole = encodeNpy({ data: Float32Array.of(1, 2, 3), dims: [3] });
    const input = join(dir, 'cut.npy');
    await writeFile(input, whole.subarray(0, whole.length - 2));
    await expectFailure(['apply', 'softmax', input], /^softmax: .*cut\.npy: truncated NPY file \(shape \(3\) of float32 needs 12 data bytes, the file has 10\)\n$/);
  });

  it('a malformed CSV names line and column', async () => {
    const input = await csvFile('x.csv', '1,2\n3,x\n');
    await expectFailure(['apply', 'softmax', input], `${input}: line 2, column 2: expected a number, got "x"`);
  });

  it('an axis out of range leaves no output file and keeps an existing one', async () => {
    const input = await csvFile('x.csv', '1,2,3\n');
    const output = join(dir, 'y.npy');
    await writeFile(output, 'previous result');
    await expectFailure(['apply', 'softmax', input, '--axis', '2', '-o', output], 'axis: expected an integer in [-2, 2), got 2');
    expect(await readFile(output, 'utf8')).toBe('previous result');
    expect((await readdir(dir)).sort()).toEqual(['x.csv', 'y.npy']);
  });

  it('an axis that is not an integer', async () => {
    const input = await csvFile('x.csv', '1,2,3\n');
    await expectFailure(['apply', 'softmax', input, '--axis', '1.5'], "option '--axis <n>' argument '1.5' is invalid. Expected an integer.");
  });

  it('a temperature that is zero, negative, infinite or not a number', async () => {
    const input = await csvFile('x.csv', '1,2,3\n');
    const output = join(dir, 'y.csv');
    await expectFailure(['apply', 'softmax', input, '--temperature', '0', '-o', output], 'temperature: expected a finite number > 0, got 0');
    await expectFailure(['apply', 'softmax', input, '--temperature', '-1', '-o', output], 'temperature: expected a finite number > 0, got -1');
    await expectFailure(['apply', 'softmax', input, '--temperature', 'Infinity', '-o', output], 'temperature: expected a finite number > 0, got Infinity');
    await expectFailure(['apply', 'softmax', input, '--temperature', 'hot', '-o', output], "option '--temperature <t>' argument 'hot' is invalid. Expected a number.");
    expect(await readdir(dir)).toEqual(['x.csv']);
  });

  it('an unknown op or --dtype', async () => {
    const input = await csvFile('x.csv', '1,2,3\n');
    await expectFailure(['apply', 'sparsemax', input], /^softmax: command-argument value 'sparsemax' is invalid for argument 'op'\. Allowed choices are softmax, log-softmax, logsumexp\.\n$/);
    await expectFailure(['apply', 'softmax', input, '--dtype', 'float16'], /^softmax: option '--dtype <type>' argument 'float16' is invalid\. Allowed choices are float32, float64\.\n$/);
  });

  it('an output type other than .npy/.csv fails before reading anything', async () => {
    const output = join(dir, 'y.json');
    await expectFailure(['apply', 'softmax', join(dir, 'missing.csv'), '-o', output], `${output}: unsupported file type '.json' (expected .npy or .csv)`);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a rank-3 result cannot go to stdout as CSV', async () => {
    const input = await npyFile('x.npy', new Float32Array(8), [2, 2, 2]);
    await expectFailure(['apply', 'softmax', input], 'the result has rank 3 ([2, 2, 2]), more than CSV on stdout can hold; write it to a file with -o out.npy');
  });

  it('a rank-3 result to a .csv file writes nothing', async () => {
    const input = await npyFile('x.npy', new Float32Array(8), [2, 2, 2]);
    await expectFailure(['apply', 'softmax', input, '-o', join(dir, 'y.csv')], /rank 3 .*write \.npy instead/);
    expect(await readdir(dir)).toEqual(['x.npy']);
  });

  it('a missing argument', async () => {
    await expectFailure(['apply', 'softmax'], "missing required argument 'input'");
  });
});
