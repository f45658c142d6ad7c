import { describe, expect, it } from 'vitest';
import {
  EtaEstimator,
  ProgressDisplay,
  formatBar,
  formatDuration,
  formatProgressLine,
  formatProgressPlain,
  type ProgressEvent,
} from '../src/progress.js';

const measure = (done: number, total: number, label = 'softmax · n=4096'): ProgressEvent => ({ phase: 'measure', done, total, label });

/** A stream that records writes, with a settable terminal flag and width. */
function recorder(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns, write: (text: string) => writes.push(text) } };
}

describe('formatting', () => {
  it('formatDuration', () => {
    expect(formatDuration(undefined)).toBe('?');
    expect(formatDuration(NaN)).toBe('?');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(44_600)).toBe('45s');
    expect(formatDuration(187_000)).toBe('3m07s');
    expect(formatDuration(7_500_000)).toBe('2h05m');
  });

  it('formatBar fills by fraction and clamps', () => {
    expect(formatBar(0, 4)).toBe('[░░░░]');
    expect(formatBar(0.5, 4)).toBe('[██░░]');
    expect(formatBar(1, 4)).toBe('[████]');
    expect(formatBar(7, 4)).toBe('[████]');
  });

  it('formatProgressLine shows bar, percent, context, phase, count, label and ETA', () => {
    const line = formatProgressLine({ event: measure(4, 10), etaMs: 65_000, context: 'Softmax 1/3' }, 120);
    expect(line).toBe('[████████░░░░░░░░░░░░]  40% Softmax 1/3 · measure 4/10 softmax · n=4096 · ETA 1m05s');
  });

  it('formatProgressLine shortens the label to fit, then drops the bar', () => {
    const view = { event: measure(1, 4, 'x'.repeat(200)), etaMs: undefined, context: '' };
    const fitted = formatProgressLine(view, 79);
    expect(fitted.length).toBe(79);
    expect(fitted).toMatch(/^\[█{5}░{15}\] {2}25% measure 1\/4 x+… · ETA \?$/);
    const narrow = formatProgressLine({ event: measure(1, 4, 'abc'), etaMs: 1000, context: '' }, 30);
    expect(narrow.length).toBeLessThanOrEqual(30);
    expect(narrow.startsWith(' 25% measure 1/4')).toBe(true);
  });

  it('formatProgressLine treats total 0 as 0%', () => {
    expect(formatProgressLine({ event: measure(0, 0, ''), etaMs: 0, context: '' }, 80)).toBe('[░░░░░░░░░░░░░░░░░░░░]   0% measure 0/0 · ETA 0s');
  });

  it('formatProgressPlain is one log line', () => {
    expect(formatProgressPlain({ event: measure(3, 12), etaMs: 9_000, context: 'Top-k 2/3' })).toBe('[ 25%] Top-k 2/3 · measure 3/12 softmax · n=4096 (ETA 9s)');
  });
});

describe('EtaEstimator', () => {
  it('extrapolates the rate of the phase since it started', () => {
    let t = 0;
    const eta = new EtaEstimator(() => t);
    expect(eta.update(measure(0, 10))).toBeUndefined();
    t = 2000;
    expect(eta.update(measure(2, 10))).toBe(8000); // 1 s per unit, 8 units left
    t = 3000;
    expect(eta.update(measure(5, 10))).toBe(3000); // 0.6 s per unit, 5 left
    expect(eta.update(measure(10, 10))).toBe(0);
  });

  it('restarts the clock when the total changes or the count goes back (the next case)', () => {
    let t = 0;
    const eta = new EtaEstimator(() => t);
    eta.update(measure(0, 10));
    t = 10_000;
    eta.update(measure(10, 10));
    t = 11_000;
    expect(eta.update(measure(0, 10))).toBeUndefined();
    t = 12_000;
    expect(eta.update(measure(1, 10))).toBe(9000);
    expect(eta.update(measure(1, 20))).toBeUndefined();
  });

  it('keeps separate clocks per phase', () => {
    let t = 0;
    const eta = new EtaEstimator(() => t);
    eta.update({ phase: 'suite', done: 0, total: 3, label: 'a' });
    eta.update(measure(0, 4));
    t = 1000;
    expect(eta.update(measure(1, 4))).toBe(3000);
    t = 9000;
    expect(eta.update({ phase: 'suite', done: 1, total: 3, label: 'b' })).toBe(18_000);
  });
});

describe('ProgressDisplay', () => {
  it('on a terminal redraws one line in place, throttled, and clears it at the end', () => {
    let t = 0;
    const { writes, stream } = recorder(true, 100);
    const display = new ProgressDisplay(stream, { now: () => t, redrawMs: 100 });
    display.update({ phase: 'suite', done: 0, total: 2, label: 'Softmax' });
    t = 50;
    display.update(measure(1, 4)); // within 100 ms: skipped
    t = 150;
    display.update(measure(2, 4));
    t = 160;
    display.update(measure(4, 4)); // complete: drawn despite the throttle
    display.finish();
    expect(writes).toHaveLength(4);
    for (const w of writes.slice(0, 3)) {
      expect(w.startsWith('\r')).toBe(true);
      expect(w.endsWith('\x1b[K')).toBe(true);
      expect(w.length - 4).toBeLessThanOrEqual(99); // fits columns − 1
    }
    expect(writes[0]).toContain('suite 0/2 Softmax');
    expect(writes[1]).toContain('Softmax 1/2 · measure 2/4 softmax · n=4096');
    expect(writes[2]).toContain('100% Softmax 1/2 · measure 4/4');
    expect(writes[3]).toBe('\r\x1b[K');
  });

  it('uses 80 columns when the terminal reports none (0 or unknown)', () => {
    for (const columns of [0, undefined]) {
      const { writes, stream } = recorder(true, columns);
      new ProgressDisplay(stream, { now: () => 0 }).update(measure(1, 2));
      expect(writes[0]).toBe('\r[██████████░░░░░░░░░░]  50% measure 1/2 softmax · n=4096 · ETA ?\x1b[K');
    }
  });

  it('off a terminal prints plain lines no more often than the interval, and finish prints nothing', () => {
    let t = 0;
    const { writes, stream } = recorder(false);
    const display = new ProgressDisplay(stream, { now: () => t, intervalMs: 5000 });
    display.update({ phase: 'suite', done: 0, total: 1, label: 'Softmax' });
    for (let i = 1; i <= 10; i++) {
      t = i * 1000;
      display.update(measure(i, 10));
    }
    display.finish();
    expect(writes).toEqual([
      '[  0%] suite 0/1 Softmax (ETA ?)\n',
      '[ 50%] Softmax 1/1 · measure 5/10 softmax · n=4096 (ETA 5s)\n',
      '[100%] Softmax 1/1 · measure 10/10 softmax · n=4096 (ETA 0s)\n',
    ]);
  });
});
