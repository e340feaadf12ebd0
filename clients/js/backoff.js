// Reconnect delays for the Herald client: capped exponential backoff with jitter, so
// that thousands of clients dropped by one server restart do not come back in step.

/**
 * Delay n (0-based) is `min(max, min * factor^n)`, of which the `jitter` fraction is
 * randomised ("equal jitter": never below (1 - jitter) of the step, never above it).
 */
export class Backoff {
  #attempt = 0;

  /**
   * @param {{min?: number, max?: number, factor?: number, jitter?: number}} [options]
   *   milliseconds; defaults 500 ms, 30 s, factor 2, jitter 0.5
   */
  constructor({ min = 500, max = 30000, factor = 2, jitter = 0.5 } = {}) {
    this.min = min;
    this.max = max;
    this.factor = factor;
    this.jitter = Math.min(1, Math.max(0, jitter));
  }

  /** Failed attempts since the last reset(). */
  get attempt() { return this.#attempt; }

  /** The delay before the next attempt, in milliseconds; advances the step. */
  next() {
    const step = Math.min(this.max, this.min * this.factor ** this.#attempt);
    this.#attempt++;
    return Math.round(step * (1 - this.jitter) + Math.random() * step * this.jitter);
  }

  /** Back to the shortest delay (after a successful connection). */
  reset() { this.#attempt = 0; }
}
