import type { ProgressEvent } from '@softmax/bench';
import { widthOf, type OutputStream } from './io.js';

export type { ProgressEvent };

/** `45s`, `3m07s`, `2h05m`; `?` when unknown. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function fractionOf(event: ProgressEvent): number {
  if (event.total <= 0) return 0;
  return Math.min(1, Math.max(0, event.done / event.total));
}

/** `[██████░░░░░░]` of `width` cells inside the brackets. */
export function formatBar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}]`;
}

/** What one progress line shows: the current event, its ETA, and the enclosing step (e.g. the suite). */
export interface ProgressView {
  event: ProgressEvent;
  etaMs: number | undefined;
  /** The outer step, e.g. `Softmax 1/3`, shown before the event; empty for none. */
  context: string;
}

function describeEvent(view: ProgressView): string {
  const { event, context } = view;
  const label = event.label === '' ? '' : ` ${event.label}`;
  return `${context === '' ? '' : `${context} · `}${event.phase} ${event.done}/${event.total}${label}`;
}

function percentOf(event: ProgressEvent): string {
  return `${String(Math.floor(fractionOf(event) * 100)).padStart(3)}%`;
}

/**
 * The single terminal line, fitted to `columns`: bar and percentage of the current event, the outer
 * step, phase, count and label (shortened with `…`), and the ETA. Too narrow for the bar: no bar.
 *
 *   [████████░░░░░░░░░░░░]  40% Softmax 1/3 · measure 4/10 softmax · n=4096 · ETA 1m05s
 */
export function formatProgressLine(view: ProgressView, columns: number): string {
  const head = `${formatBar(fractionOf(view.event), 20)} ${percentOf(view.event)} `;
  const tail = ` · ETA ${formatDuration(view.etaMs)}`;
  const body = describeEvent(view);
  const room = columns - head.length - tail.length;
  if (room >= body.length) return `${head}${body}${tail}`;
  if (room >= 12) return `${head}${body.slice(0, room - 1)}…${tail}`;
  const bare = `${percentOf(view.event)} ${body}`;
  return bare.length <= columns ? bare : `${bare.slice(0, Math.max(0, columns - 1))}…`;
}

/** A plain log line for non-terminals (CI): `[ 40%] Softmax 1/3 · measure 4/10 softmax · n=4096 (ETA 1m05s)`. */
export function formatProgressPlain(view: ProgressView): string {
  return `[${percentOf(view.event)}] ${describeEvent(view)} (ETA ${formatDuration(view.etaMs)})`;
}

/**
 * Estimates the time left from the rate so far. Each phase has its own clock, restarted when its total
 * changes or its count goes backwards (a new round of that phase), so interleaved phases do not mix.
 */
export class EtaEstimator {
  private readonly clocks = new Map<string, { start: number; startDone: number; total: number; last: number }>();

  constructor(private readonly now: () => number) {}

  /** Milliseconds left in the event's phase, or `undefined` before there is a rate to go by. */
  update(event: ProgressEvent): number | undefined {
    const t = this.now();
    let clock = this.clocks.get(event.phase);
    if (clock === undefined || clock.total !== event.total || event.done < clock.last) {
      clock = { start: t, startDone: event.done, total: event.total, last: event.done };
      this.clocks.set(event.phase, clock);
    }
    clock.last = event.done;
    if (event.done >= event.total) return 0;
    const progressed = event.done - clock.startDone;
    if (progressed <= 0) return undefined;
    return ((t - clock.start) / progressed) * (event.total - event.done);
  }
}

export interface ProgressOptions {
  now?: () => number;
  /** Non-terminal: print a line at most this often (plus the first event). Default 5000 ms. */
  intervalMs?: number;
  /** Terminal: redraw at most this often, except when a phase completes. Default 100 ms. */
  redrawMs?: number;
  /** Events of this phase are the outer steps (shown as context of the inner ones). Default `'suite'`. */
  outerPhase?: string;
}

/**
 * Shows progress on a stream: on a terminal one line redrawn in place (`\r` + clear to end of line),
 * otherwise a plain line every `intervalMs` so CI logs stay short. The last outer event (a suite) is
 * kept as context for the inner ones (setup, validate, measure, …). `finish()` clears the terminal line.
 */
export class ProgressDisplay {
  private readonly now: () => number;
  private readonly eta: EtaEstimator;
  private readonly intervalMs: number;
  private readonly redrawMs: number;
  private readonly outerPhase: string;
  private context = '';
  private lastWrite = -Infinity;
  private drawn = false;

  constructor(private readonly stream: OutputStream, options: ProgressOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.eta = new EtaEstimator(this.now);
    this.intervalMs = options.intervalMs ?? 5000;
    this.redrawMs = options.redrawMs ?? 100;
    this.outerPhase = options.outerPhase ?? 'suite';
  }

  update(event: ProgressEvent): void {
    const etaMs = this.eta.update(event);
    const t = this.now();
    let view: ProgressView = { event, etaMs, context: this.context };
    if (event.phase === this.outerPhase) {
      this.context = event.done < event.total ? `${event.label} ${event.done + 1}/${event.total}` : '';
      view = { event, etaMs, context: '' };
    }
    const complete = event.done >= event.total;
    if (this.stream.isTTY) {
      if (t - this.lastWrite < this.redrawMs && !complete) return;
      this.stream.write(`\r${formatProgressLine(view, widthOf(this.stream) - 1)}\x1b[K`);
      this.drawn = true;
    } else {
      if (t - this.lastWrite < this.intervalMs) return;
      this.stream.write(`${formatProgressPlain(view)}\n`);
    }
    this.lastWrite = t;
  }

  /** Clears the terminal line so what follows starts clean. */
  finish(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
