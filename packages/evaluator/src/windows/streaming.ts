/**
 * Count-based sliding windows over one metric of many runs, in structure-of-arrays typed arrays.
 *
 * A channel is one metric (for the automations started together, see `engine/compile.ts`). Each run logging it owns a
 * dense slot: a ring of the last `L` values (L = the longest span any of the channel's automations needs),
 * and one state per distinct aggregate span, shared by every automation that aggregates the metric the same way.
 * A span `(o, w)` covers the `w` values logged before the latest `o` ones (`o = 0`: the latest `w` values;
 * a change threshold's prior window is `(c, p)`).
 *
 * A slot is one contiguous block of bytes (ring, scalars, integers, deques, the automations' last firing times),
 * so a point touches adjacent cache lines, and the per-slot memory is exactly what the windows need; where each
 * state keeps its numbers in the block is `layout.ts`.
 *
 * States, all amortised O(1) per value, never a rescan of the window:
 * - SUM: running sum (subtract on evict), re-summed from the ring every `w` values so drift stays bounded, and
 *   `scale` = an upper bound of |value| since that re-sum, from which the engine bounds the drift;
 * - MIN / MAX: monotonic deque of ring positions (Lemire);
 * - MOMENTS: sliding Welford mean and sum of squared deviations, re-computed every `w` values;
 * - LAST: the value at age `o`, read from the ring (no storage).
 */
import { meanError } from "../decide.js";
import { F_COUNT, F_LAST_STEP, MOMENTS, SlotLayout, SUM, U_POS, type StateSpec } from "./layout.js";

/** The slots of one channel: each run's block (laid out by `SlotLayout`), and the streaming update of its states. */
export class Channel extends SlotLayout {
  size = 0;
  /** Written by `push` so that its cache-line reads are kept (see there); meaningless otherwise. */
  touched = 0;
  capacity: number;
  buffer: ArrayBuffer;
  /** Doubles of every block: the ring at [0, L), scalars at [L, L + F). */
  d: Float64Array;
  /** Small integers and deque entries of every block, from `uStart` (8-, 16- or 32-bit, see `layout.ts`). */
  u: Uint8Array | Uint16Array | Int32Array;
  /** Scratch for exact recomputation of one window (oldest value first). */
  readonly scratch: Float64Array;
  /**
   * What the last accepted `push` left for the engine to evaluate, per state: its running value (`cv`: the mean of
   * a SUM state, the extreme of a MIN / MAX state, the value of a LAST state; NaN while the span is empty) and a
   * bound of its distance to the exact aggregate (`ce`: 0 but for means, see `decide.ts`). Valid until the next
   * `push` into the channel.
   */
  readonly cv: Float64Array;
  readonly ce: Float64Array;

  constructor(states: readonly StateSpec[], automations = 0, initialCapacity = 16) {
    super(states, automations);
    this.capacity = initialCapacity;
    this.buffer = new ArrayBuffer(initialCapacity * this.B);
    this.d = new Float64Array(this.buffer);
    this.u = this.view(this.buffer);
    this.scratch = new Float64Array(this.L);
    this.cv = new Float64Array(states.length).fill(NaN);
    this.ce = new Float64Array(states.length);
  }

  /** Allocates a slot for a new series. */
  addSlot(): number {
    if (this.size === this.capacity) {
      const c = this.capacity * 2;
      const buffer = new ArrayBuffer(c * this.B);
      new Uint8Array(buffer).set(new Uint8Array(this.buffer));
      this.buffer = buffer;
      this.d = new Float64Array(buffer);
      this.u = this.view(buffer);
      this.capacity = c;
    }
    const slot = this.size++;
    const db = slot * this.dPer;
    this.d[db + this.L + F_LAST_STEP] = -Infinity;
    for (let j = 0; j < this.automations; j++) this.d[db + this.cdStart + j] = NaN;
    return slot;
  }

  /** Bytes of the slots in use (`size` blocks of `B` bytes: exactly what the windows need). */
  bytes(): number {
    return this.size * this.B;
  }

  /** Bytes allocated (capacity doubles as runs arrive, so up to twice `bytes()`). */
  allocatedBytes(): number {
    return this.buffer.byteLength;
  }

  count(slot: number): number {
    return this.d[slot * this.dPer + this.L + F_COUNT] as number;
  }

  lastStep(slot: number): number {
    return this.d[slot * this.dPer + this.L + F_LAST_STEP] as number;
  }

  /** Index in `d` of the last firing time of the channel's automation `j` for this slot (`NaN`: never). */
  cooldownIndex(slot: number, j: number): number {
    return slot * this.dPer + this.cdStart + j;
  }

  /**
   * Appends a value to a slot's series and updates every state. Returns false (and changes nothing) when
   * `step` is not after the slot's last step: W&B history steps only increase, so that is a duplicate.
   *
   * MIN / MAX states of one kind and offset `o` share the monotonic deque of the widest, width W: the deque holds
   * ring positions of ages o … o + W − 1, oldest first, values increasing (MIN) toward the newest. A narrower
   * state (o, w) keeps a front: the index of its oldest deque entry younger than age o + w, whose value is then
   * its extreme. Per value, a front moves by at most one entry (only the value of age o + w leaves), or jumps to
   * the new entry when the deque pops past it, so each stays O(1).
   */
  push(slot: number, step: number, v: number): boolean {
    const d = this.d;
    const L = this.L;
    const base = slot * this.dPer;
    const fb = base + L;
    // Read one value per cache line of the slot's windows, in address order, before anything else: the update's
    // own loads depend on one another (position → ring → deque entry → ring), so with the slot out of cache each
    // would wait for the one before; these do not, and the CPU fetches all of the lines at once.
    let touched = 0;
    for (let i = base, end = base + this.cdStart; i < end; i += 8) touched += d[i] as number;
    this.touched = touched;
    if (!(step > (d[fb + F_LAST_STEP] as number))) return false;
    d[fb + F_LAST_STEP] = step;
    const u = this.u;
    const ub = slot * this.uPer + this.uStart;
    const n = d[fb + F_COUNT] as number; // index of the new value
    const p = u[ub + U_POS] as number;
    const old = d[base + p] as number; // the value of age L, about to be overwritten
    d[base + p] = v;
    u[ub + U_POS] = p + 1 === L ? 0 : p + 1;
    d[fb + F_COUNT] = n + 1;
    const cv = this.cv;
    const ce = this.ce;
    const guard = this.guard;
    const sums = this.sumStates;
    for (let j = 0; j < sums.length; j += 5) {
      const o = sums[j] as number;
      const k = sums[j + 4] as number;
      if (n < o) {
        cv[k] = NaN;
        continue;
      }
      const w = sums[j + 1] as number;
      const fi = base + (sums[j + 2] as number);
      const ii = ub + (sums[j + 3] as number);
      let ep = p - o;
      if (ep < 0) ep += L;
      const x = d[base + ep] as number;
      let sum: number;
      if (n - o >= w) {
        let lp = ep - w;
        if (lp < 0) lp += L;
        sum = (d[fi] as number) + x - (o + w === L ? old : (d[base + lp] as number));
      } else sum = (d[fi] as number) + x;
      d[fi] = sum;
      const ax = x < 0 ? -x : x;
      let scale = d[fi + 1] as number;
      if (ax > scale) d[fi + 1] = scale = ax;
      const since = (u[ii] as number) + 1;
      const cnt = n - o < w ? n - o + 1 : w;
      if (since >= w) {
        // re-sum the span oldest first, and its scale, straight from the ring (as `resum` does)
        let q = ep - cnt + 1;
        if (q < 0) q += L;
        sum = 0;
        scale = 0;
        for (let i = 0; i < cnt; i++) {
          const y = d[base + q] as number;
          sum += y;
          const ay = y < 0 ? -y : y;
          if (ay > scale) scale = ay;
          q = q + 1 === L ? 0 : q + 1;
        }
        d[fi] = sum;
        d[fi + 1] = scale;
        u[ii] = 0;
      } else u[ii] = since;
      const mean = sum / cnt;
      cv[k] = mean;
      ce[k] = meanError(guard[k] as number, scale, cnt, mean);
    }
    const dq = this.deques;
    const subs = this.subs;
    for (let j = 0; j < dq.length; j += 8) {
      const o = dq[j] as number;
      if (n < o) {
        cv[dq[j + 5] as number] = NaN;
        for (let s = dq[j + 6] as number; s < (dq[j + 7] as number); s += 3) cv[subs[s + 2] as number] = NaN;
        continue;
      }
      const W = dq[j + 1] as number;
      const hi = ub + (dq[j + 2] as number);
      const qb = ub + (dq[j + 3] as number);
      let ep = p - o;
      if (ep < 0) ep += L;
      const x = d[base + ep] as number;
      let h = u[hi] as number;
      let len = u[hi + 1] as number;
      if (len > 0 && n - o >= W) {
        // the value of age o + W leaves the span: drop it if it is still the deque's oldest entry
        let lp = ep - W;
        if (lp < 0) lp += L;
        if (u[qb + h] === lp) {
          h = h + 1 === W ? 0 : h + 1;
          len--;
        }
      }
      let t = h + len - 1;
      if (t >= W) t -= W;
      else if (t < 0) t += W;
      if (dq[j + 4] === 1) {
        while (len > 0 && (d[base + (u[qb + t] as number)] as number) >= x) {
          len--;
          t = t === 0 ? W - 1 : t - 1;
        }
      } else {
        while (len > 0 && (d[base + (u[qb + t] as number)] as number) <= x) {
          len--;
          t = t === 0 ? W - 1 : t - 1;
        }
      }
      t = t + 1 === W ? 0 : t + 1;
      u[qb + t] = ep;
      for (let s = dq[j + 6] as number; s < (dq[j + 7] as number); s += 3) {
        const w = subs[s] as number;
        const fi = ub + (subs[s + 1] as number);
        let f = u[fi] as number;
        let at = f - h;
        if (at < 0) at += W;
        if (at >= len) f = t; // popped (or the deque was empty): the new value is the oldest left in its span
        else if (n - o >= w) {
          let lp = ep - w;
          if (lp < 0) lp += L;
          if (u[qb + f] === lp) f = f + 1 === W ? 0 : f + 1;
        }
        u[fi] = f;
        cv[subs[s + 2] as number] = d[base + (u[qb + f] as number)] as number;
      }
      u[hi] = h;
      u[hi + 1] = len + 1;
      cv[dq[j + 5] as number] = d[base + (u[qb + h] as number)] as number;
    }
    const aliases = this.aliases;
    for (let j = 0; j < aliases.length; j += 2) cv[aliases[j] as number] = cv[aliases[j + 1] as number] as number;
    const lasts = this.lastStates;
    for (let j = 0; j < lasts.length; j += 2) {
      const o = lasts[j] as number;
      let ep = p - o;
      if (ep < 0) ep += L;
      cv[lasts[j + 1] as number] = n < o ? NaN : (d[base + ep] as number);
    }
    const moms = this.momStates;
    for (let j = 0; j < moms.length; j += 5) {
      const o = moms[j] as number;
      if (n < o) continue;
      const w = moms[j + 1] as number;
      const fi = base + (moms[j + 2] as number);
      const ii = ub + (moms[j + 3] as number);
      let ep = p - o;
      if (ep < 0) ep += L;
      const x = d[base + ep] as number;
      const mean = d[fi] as number;
      if (n - o >= w) {
        let lp = ep - w;
        if (lp < 0) lp += L;
        const y = o + w === L ? old : (d[base + lp] as number);
        const delta = x - y;
        const next = mean + delta / w;
        d[fi + 1] = (d[fi + 1] as number) + delta * (x - next + y - mean);
        d[fi] = next;
      } else {
        const delta = x - mean;
        const next = mean + delta / (n - o + 1);
        d[fi + 1] = (d[fi + 1] as number) + delta * (x - next);
        d[fi] = next;
      }
      const ax = x < 0 ? -x : x;
      if (ax > (d[fi + 2] as number)) d[fi + 2] = ax;
      const since = (u[ii] as number) + 1;
      if (since >= w) this.resum(moms[j + 4] as number, slot);
      else u[ii] = since;
    }
    return true;
  }

  /** Values in a state's span right now (fewer than its width while the series is young). */
  spanCount(k: number, slot: number): number {
    const c = (this.d[slot * this.dPer + this.L + F_COUNT] as number) - (this.offsets[k] as number);
    const w = this.widths[k] as number;
    return c < 0 ? 0 : c < w ? c : w;
  }

  /** Copies the `cnt` values of a span ending at age `offset` into `out` (oldest first) and returns `cnt`. */
  copySpan(slot: number, offset: number, cnt: number, out: Float64Array): number {
    const L = this.L;
    const base = slot * this.dPer;
    const p = this.u[slot * this.uPer + this.uStart + U_POS] as number; // position of age 0 is p - 1
    for (let j = 0; j < cnt; j++) {
      const age = offset + cnt - 1 - j;
      let q = p - 1 - age;
      while (q < 0) q += L;
      out[j] = this.d[base + q] as number;
    }
    return cnt;
  }

  /** The value of age `age` (0 = latest). */
  valueAt(slot: number, age: number): number {
    let q = (this.u[slot * this.uPer + this.uStart + U_POS] as number) - 1 - age;
    while (q < 0) q += this.L;
    return this.d[slot * this.dPer + q] as number;
  }

  /** The extreme of a MIN / MAX state: the value of its deque's head, or of its front in a shared deque. */
  extreme(k: number, slot: number): number {
    const ub = slot * this.uPer + this.uStart;
    const at = this.u[ub + (this.uOff[k] as number)] as number;
    return this.d[slot * this.dPer + (this.u[ub + (this.qOff[k] as number) + at] as number)] as number;
  }

  /** Running sum of a SUM state, or running mean of a MOMENTS state. */
  runningA(k: number, slot: number): number {
    return this.d[slot * this.dPer + (this.fOff[k] as number)] as number;
  }

  /** Running sum of squared deviations of a MOMENTS state. */
  runningM2(k: number, slot: number): number {
    return this.d[slot * this.dPer + (this.fOff[k] as number) + 1] as number;
  }

  /** Bound of |value| over a SUM / MOMENTS state's values since its last re-sum. */
  scale(k: number, slot: number): number {
    return this.d[slot * this.dPer + (this.fOff[k] as number) + (this.kinds[k] === SUM ? 1 : 2)] as number;
  }

  /** Re-derives a SUM or MOMENTS state exactly from the ring (and its scale from the span's values). */
  resum(k: number, slot: number): void {
    const cnt = this.spanCount(k, slot);
    const vals = this.scratch;
    this.copySpan(slot, this.offsets[k] as number, cnt, vals);
    let s = 0;
    let sc = 0;
    for (let j = 0; j < cnt; j++) {
      const x = vals[j] as number;
      s += x;
      const ax = Math.abs(x);
      if (ax > sc) sc = ax;
    }
    const fi = slot * this.dPer + (this.fOff[k] as number);
    if (this.kinds[k] === MOMENTS) {
      const mean = cnt === 0 ? 0 : s / cnt;
      let ss = 0;
      for (let j = 0; j < cnt; j++) {
        const dv = (vals[j] as number) - mean;
        ss += dv * dv;
      }
      this.d[fi] = mean;
      this.d[fi + 1] = ss;
      this.d[fi + 2] = sc;
    } else {
      this.d[fi] = s;
      this.d[fi + 1] = sc;
    }
    this.u[slot * this.uPer + this.uStart + (this.uOff[k] as number)] = 0;
  }

  /**
   * Fills a fresh slot from a snapshot: the retained values (oldest first; at most `L` are used), the total
   * number of values ever accepted, and the last step. Every span fits in the ring, so replaying the retained
   * values rebuilds every state exactly as the live series had it.
   */
  restore(slot: number, values: readonly number[], count: number, lastStep: number): void {
    const keep = values.slice(-this.L);
    const fb = slot * this.dPer + this.L;
    for (const v of keep) {
      this.d[fb + F_LAST_STEP] = -Infinity;
      this.push(slot, 0, v);
    }
    // A ring shorter than the history it claims (never, for an unchanged automation) restarts the count.
    this.d[fb + F_COUNT] = keep.length < Math.min(count, this.L) ? keep.length : Math.max(count, keep.length);
    for (let k = 0; k < this.states.length; k++) {
      if (this.kinds[k] === SUM || this.kinds[k] === MOMENTS) this.resum(k, slot);
    }
    this.d[fb + F_LAST_STEP] = lastStep;
  }

  /**
   * Resets a slot's windows (keeping its automations' last firing times) and refills them like `restore`:
   * what the columnar kernels leave behind, so streaming can continue exactly.
   */
  reload(slot: number, values: readonly number[], count: number, lastStep: number): void {
    const db = slot * this.dPer;
    const keep = this.d.slice(db + this.cdStart, db + this.cdStart + this.automations);
    new Uint8Array(this.buffer, slot * this.B, this.B).fill(0);
    this.d.set(keep, db + this.cdStart);
    this.d[db + this.L + F_LAST_STEP] = -Infinity;
    this.restore(slot, values, count, lastStep);
  }

  /** The retained values of a slot, oldest first (what a snapshot stores). */
  retained(slot: number): number[] {
    const cnt = Math.min(this.count(slot), this.L);
    this.copySpan(slot, 0, cnt, this.scratch);
    const out: number[] = [];
    for (let j = 0; j < cnt; j++) out.push(this.scratch[j] as number);
    return out;
  }
}
