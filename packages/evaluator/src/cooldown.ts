/**
 * The per-run limit of W&B (spec §D.4): "in a 24 hour period, a particular automation can fire at most once per
 * run". Firing at time t blocks the same (automation, run) pair until t + cooldown; at exactly t + cooldown it
 * may fire again. Event timestamps are the clock: an event older than the last firing is inside the period.
 */

/** Last firing time per (automation, run) binding, in one growable `Float64Array` (`NaN` = never fired). */
export class Cooldowns {
  last: Float64Array;
  size = 0;

  constructor(readonly periodMs: number, initialCapacity = 64) {
    this.last = new Float64Array(initialCapacity).fill(NaN);
  }

  /** Reserves `count` consecutive bindings and returns the first. */
  alloc(count: number): number {
    while (this.size + count > this.last.length) {
      const next = new Float64Array(this.last.length * 2).fill(NaN);
      next.set(this.last);
      this.last = next;
    }
    const base = this.size;
    this.size += count;
    return base;
  }

  /** Whether binding `b` may fire at `now`. */
  allows(b: number, now: number): boolean {
    return cooldownAllows(this.last[b] as number, now, this.periodMs);
  }

  record(b: number, now: number): void {
    this.last[b] = now;
  }

  bytes(): number {
    return this.last.byteLength;
  }
}

/**
 * Whether an automation that last fired at `last` (`NaN`: never) may fire again at `now`.
 * @example cooldownAllows(NaN, Date.parse("2026-11-26T10:00:00Z"), 86_400_000) // true
 */
export function cooldownAllows(last: number, now: number, periodMs: number): boolean {
  return !(now - last < periodMs); // NaN (never fired) compares false
}
