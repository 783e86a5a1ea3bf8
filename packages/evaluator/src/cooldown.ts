/**
 * The per-run limit of W&B (spec §D.4): "in a 24 hour period, a particular automation can fire at most once per
 * run". Firing at time t blocks the same (automation, run) pair until t + cooldown; at exactly t + cooldown it
 * may fire again. Event timestamps are the clock: an event older than the last firing is inside the period.
 * Run-metric automations keep their last firing time in the run's window block (`windows/streaming.ts`); run-state
 * automations in a map (they are rare).
 */

/**
 * Whether an automation that last fired at `last` (`NaN`: never) may fire again at `now`.
 * @example cooldownAllows(NaN, Date.parse("2026-11-26T10:00:00Z"), 86_400_000) // true
 */
export function cooldownAllows(last: number, now: number, periodMs: number): boolean {
  return !(now - last < periodMs); // NaN (never fired) compares false
}
