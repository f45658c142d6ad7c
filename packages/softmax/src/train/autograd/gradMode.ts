/**
 * Whether operations record themselves on the tape. Off inside `noGrad`, e.g. for evaluation and for
 * optimiser updates, so no graph (and no memory for backward) is kept.
 */
let enabled = true;

/** True when new operations are recorded for `backward()`. */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs `fn` with recording switched off and returns its result; restores the previous mode even when
 * `fn` throws. Nested calls are fine.
 */
export function noGrad<T>(fn: () => T): T {
  const previous = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}
