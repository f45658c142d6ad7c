import { collectGarbage } from '../harness/gc.js';
import type { MemoryMeasurement } from '../results/result-types.js';
import { wasmMemoryBytes } from '../peers/library-info.js';

/**
 * Runs `call` once and reports how much memory it added: process.memoryUsage() (rss, arrayBuffers,
 * external) and the library's WebAssembly memory, after a full collection and right after the call,
 * before any collection can free what the call allocated. JavaScript cannot observe a peak inside a
 * synchronous call, so each growth is a lower bound of the peak; the largest is reported.
 * WebAssembly memory never shrinks, so its growth also misses space an earlier call already reserved.
 */
export function measureCallMemory<T>(name: string, call: () => T): { result: T; memory: MemoryMeasurement } {
  collectGarbage();
  const before = process.memoryUsage();
  const wasmBefore = wasmMemoryBytes();
  const result = call();
  const after = process.memoryUsage();
  const wasmAfter = wasmMemoryBytes();
  const arrayBuffersDeltaBytes = after.arrayBuffers - before.arrayBuffers;
  const externalDeltaBytes = after.external - before.external;
  const wasmMemoryDeltaBytes = wasmAfter - wasmBefore;
  return {
    result,
    memory: {
      name,
      peakExtraBytes: Math.max(0, arrayBuffersDeltaBytes, externalDeltaBytes, wasmMemoryDeltaBytes),
      rssDeltaBytes: after.rss - before.rss,
      arrayBuffersDeltaBytes,
      externalDeltaBytes,
      wasmMemoryDeltaBytes,
      theoretical: false,
    },
  };
}

/** A measurement that was not taken, carrying the size the call would need. */
export function theoreticalMemory(name: string, bytes: number): MemoryMeasurement {
  return {
    name,
    peakExtraBytes: bytes,
    rssDeltaBytes: 0,
    arrayBuffersDeltaBytes: 0,
    externalDeltaBytes: 0,
    wasmMemoryDeltaBytes: 0,
    theoretical: true,
  };
}
