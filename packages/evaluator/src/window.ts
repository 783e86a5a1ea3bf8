/**
 * Count-based sliding windows over one metric of many runs, in structure-of-arrays typed arrays.
 *
 * A channel is one metric (for the automations started together, see `engine.ts`). Each run logging it owns a
 * dense slot: a ring of the last `L` values (L = the longest span any of the channel's automations needs),
 * and one state per distinct aggregate span, shared by every automation that aggregates the metric the same way.
 * A span `(o, w)` covers the `w` values logged before the latest `o` ones (`o = 0`: the latest `w` values;
 * a change threshold's prior window is `(c, p)`).
 *
 * States, all amortised O(1) per value, never a rescan of the window:
 * - SUM: running sum (subtract on evict), re-summed from the ring every `w` values so drift stays bounded, and
 *   `scale` = an upper bound of |value| since that re-sum, from which the engine bounds the drift;
 * - MIN / MAX: monotonic deque of ring positions (Lemire);
 * - MOMENTS: sliding Welford mean and sum of squared deviations, re-computed every `w` values;
 * - LAST: the value at age `o`, read from the ring (no storage).
 */

export const SUM = 0;
export const MIN = 1;
export const MAX = 2;
export const MOMENTS = 3;
export const LAST = 4;
export type StateKind = typeof SUM | typeof MIN | typeof MAX | typeof MOMENTS | typeof LAST;

/** An aggregate span of a channel: what it computes and over which values. */
export interface StateSpec {
  readonly kind: StateKind;
  readonly offset: number;
  readonly width: number;
}

// Per-slot layout. Doubles (`f`, stride F): [count, lastStep, then per SUM state: sum, scale; per MOMENTS state:
// mean, m2, scale]. Integers (`i`, stride I): [pos, then per SUM / MOMENTS state: since; per MIN / MAX state:
// head, len]. Deques (`dq`, stride Q): per MIN / MAX state, `width` ring positions. One slot's scalars are
// contiguous, so a point touches a few cache lines however many states the channel has.
const F_COUNT = 0;
const F_LAST_STEP = 1;
const I_POS = 0;

export class Channel {
  /** Ring length: the longest span end (`offset + width`) of the channel's states. */
  readonly L: number;
  readonly states: readonly StateSpec[];
  size = 0;
  capacity: number;
  ring: Float64Array;
  f: Float64Array;
  i: Int32Array;
  dq: Int32Array;
  readonly F: number;
  readonly I: number;
  readonly Q: number;
  readonly kinds: Int32Array;
  readonly offsets: Int32Array;
  readonly widths: Int32Array;
  /** Per state: its first double in `f` (SUM: sum, scale; MOMENTS: mean, m2, scale), or -1. */
  readonly fOff: Int32Array;
  /** Per state: its first integer in `i` (SUM / MOMENTS: since; MIN / MAX: head, len). */
  readonly iOff: Int32Array;
  /** Per state: its first deque entry in `dq` (MIN / MAX), or -1. */
  readonly qOff: Int32Array;
  /** Scratch for exact recomputation of one window (oldest value first). */
  readonly scratch: Float64Array;

  constructor(states: readonly StateSpec[], initialCapacity = 16) {
    this.states = states;
    this.L = Math.max(1, ...states.map((s) => s.offset + s.width));
    let F = 2;
    let I = 1;
    let Q = 0;
    const fOff: number[] = [];
    const iOff: number[] = [];
    const qOff: number[] = [];
    for (const s of states) {
      fOff.push(s.kind === SUM || s.kind === MOMENTS ? F : -1);
      F += s.kind === SUM ? 2 : s.kind === MOMENTS ? 3 : 0;
      iOff.push(s.kind === LAST ? -1 : I);
      I += s.kind === SUM || s.kind === MOMENTS ? 1 : s.kind === LAST ? 0 : 2;
      qOff.push(s.kind === MIN || s.kind === MAX ? Q : -1);
      Q += s.kind === MIN || s.kind === MAX ? s.width : 0;
    }
    this.F = F;
    this.I = I;
    this.Q = Q;
    this.fOff = Int32Array.from(fOff);
    this.iOff = Int32Array.from(iOff);
    this.qOff = Int32Array.from(qOff);
    this.kinds = Int32Array.from(states.map((s) => s.kind));
    this.offsets = Int32Array.from(states.map((s) => s.offset));
    this.widths = Int32Array.from(states.map((s) => s.width));
    this.capacity = initialCapacity;
    this.ring = new Float64Array(initialCapacity * this.L);
    this.f = new Float64Array(initialCapacity * F);
    this.i = new Int32Array(initialCapacity * I);
    this.dq = new Int32Array(initialCapacity * Q);
    this.scratch = new Float64Array(this.L);
  }

  /** Allocates a slot for a new series. */
  addSlot(): number {
    if (this.size === this.capacity) {
      const c = this.capacity * 2;
      const ring = new Float64Array(c * this.L);
      ring.set(this.ring);
      const f = new Float64Array(c * this.F);
      f.set(this.f);
      const i = new Int32Array(c * this.I);
      i.set(this.i);
      const dq = new Int32Array(c * this.Q);
      dq.set(this.dq);
      this.ring = ring;
      this.f = f;
      this.i = i;
      this.dq = dq;
      this.capacity = c;
    }
    const slot = this.size++;
    this.f[slot * this.F + F_LAST_STEP] = -Infinity;
    return slot;
  }

  /** Typed-array bytes held (the window memory), for the benchmark's bytes-per-window figure. */
  bytes(): number {
    return this.ring.byteLength + this.f.byteLength + this.i.byteLength + this.dq.byteLength;
  }

  count(slot: number): number {
    return this.f[slot * this.F + F_COUNT] as number;
  }

  lastStep(slot: number): number {
    return this.f[slot * this.F + F_LAST_STEP] as number;
  }

  /**
   * Appends a value to a slot's series and updates every state. Returns false (and changes nothing) when
   * `step` is not after the slot's last step: W&B history steps only increase, so that is a duplicate.
   */
  push(slot: number, step: number, v: number): boolean {
    const f = this.f;
    const fb = slot * this.F;
    if (!(step > (f[fb + F_LAST_STEP] as number))) return false;
    f[fb + F_LAST_STEP] = step;
    const L = this.L;
    const ring = this.ring;
    const ints = this.i;
    const ib = slot * this.I;
    const base = slot * L;
    const n = f[fb + F_COUNT] as number; // index of the new value
    const p = ints[ib + I_POS] as number;
    const old = ring[base + p] as number; // the value of age L, about to be overwritten
    ring[base + p] = v;
    ints[ib + I_POS] = p + 1 === L ? 0 : p + 1;
    f[fb + F_COUNT] = n + 1;
    const kinds = this.kinds;
    const offsets = this.offsets;
    const widths = this.widths;
    const iOff = this.iOff;
    const fOff = this.fOff;
    const qOff = this.qOff;
    const dq = this.dq;
    const qb = slot * this.Q;
    const nk = kinds.length;
    for (let k = 0; k < nk; k++) {
      const o = offsets[k] as number;
      if (n < o) continue; // the span has not started yet
      const kind = kinds[k] as number;
      if (kind === LAST) continue;
      const w = widths[k] as number;
      let ep = p - o;
      if (ep < 0) ep += L;
      const x = o === 0 ? v : (ring[base + ep] as number);
      const leaves = n - o - w >= 0;
      let lp = p - o - w;
      if (lp < 0) lp += L;
      const ii = ib + (iOff[k] as number);
      if (kind === MIN || kind === MAX) {
        const db = qb + (qOff[k] as number);
        let h = ints[ii] as number;
        let len = ints[ii + 1] as number;
        if (leaves && len > 0 && dq[db + h] === lp) {
          h = h + 1 === w ? 0 : h + 1;
          len--;
        }
        if (kind === MIN) {
          while (len > 0) {
            let t = h + len - 1;
            if (t >= w) t -= w;
            if ((ring[base + (dq[db + t] as number)] as number) >= x) len--;
            else break;
          }
        } else {
          while (len > 0) {
            let t = h + len - 1;
            if (t >= w) t -= w;
            if ((ring[base + (dq[db + t] as number)] as number) <= x) len--;
            else break;
          }
        }
        let t = h + len;
        if (t >= w) t -= w;
        dq[db + t] = ep;
        ints[ii] = h;
        ints[ii + 1] = len + 1;
        continue;
      }
      const fi = fb + (fOff[k] as number);
      const ax = x < 0 ? -x : x;
      if (kind === SUM) {
        if (leaves) {
          const y = o + w === L ? old : (ring[base + lp] as number);
          f[fi] = (f[fi] as number) + x - y;
        } else f[fi] = (f[fi] as number) + x;
        if (ax > (f[fi + 1] as number)) f[fi + 1] = ax;
      } else {
        const mean = f[fi] as number;
        if (leaves) {
          const y = o + w === L ? old : (ring[base + lp] as number);
          const delta = x - y;
          const next = mean + delta / w;
          f[fi + 1] = (f[fi + 1] as number) + delta * (x - next + y - mean);
          f[fi] = next;
        } else {
          const delta = x - mean;
          const next = mean + delta / (n - o + 1);
          f[fi + 1] = (f[fi + 1] as number) + delta * (x - next);
          f[fi] = next;
        }
        if (ax > (f[fi + 2] as number)) f[fi + 2] = ax;
      }
      const since = (ints[ii] as number) + 1;
      if (since >= w) this.resum(k, slot);
      else ints[ii] = since;
    }
    return true;
  }

  /** Values in a state's span right now (fewer than its width while the series is young). */
  spanCount(k: number, slot: number): number {
    const c = (this.f[slot * this.F + F_COUNT] as number) - (this.offsets[k] as number);
    const w = this.widths[k] as number;
    return c < 0 ? 0 : c < w ? c : w;
  }

  /** Copies the `cnt` values of a span ending at age `offset` into `out` (oldest first) and returns `cnt`. */
  copySpan(slot: number, offset: number, cnt: number, out: Float64Array): number {
    const L = this.L;
    const base = slot * L;
    const p = this.i[slot * this.I + I_POS] as number; // position of age 0 is p - 1
    for (let j = 0; j < cnt; j++) {
      const age = offset + cnt - 1 - j;
      let q = p - 1 - age;
      while (q < 0) q += L;
      out[j] = this.ring[base + q] as number;
    }
    return cnt;
  }

  /** The value of age `age` (0 = latest). */
  valueAt(slot: number, age: number): number {
    let q = (this.i[slot * this.I + I_POS] as number) - 1 - age;
    while (q < 0) q += this.L;
    return this.ring[slot * this.L + q] as number;
  }

  /** The extreme of a MIN / MAX state. */
  extreme(k: number, slot: number): number {
    const h = this.i[slot * this.I + (this.iOff[k] as number)] as number;
    return this.ring[slot * this.L + (this.dq[slot * this.Q + (this.qOff[k] as number) + h] as number)] as number;
  }

  /** Running sum of a SUM state, or running mean of a MOMENTS state. */
  runningA(k: number, slot: number): number {
    return this.f[slot * this.F + (this.fOff[k] as number)] as number;
  }

  /** Running sum of squared deviations of a MOMENTS state. */
  runningM2(k: number, slot: number): number {
    return this.f[slot * this.F + (this.fOff[k] as number) + 1] as number;
  }

  /** Bound of |value| over a SUM / MOMENTS state's values since its last re-sum. */
  scale(k: number, slot: number): number {
    return this.f[slot * this.F + (this.fOff[k] as number) + (this.kinds[k] === SUM ? 1 : 2)] as number;
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
    const fi = slot * this.F + (this.fOff[k] as number);
    if (this.kinds[k] === MOMENTS) {
      const mean = cnt === 0 ? 0 : s / cnt;
      let ss = 0;
      for (let j = 0; j < cnt; j++) {
        const d = (vals[j] as number) - mean;
        ss += d * d;
      }
      this.f[fi] = mean;
      this.f[fi + 1] = ss;
      this.f[fi + 2] = sc;
    } else {
      this.f[fi] = s;
      this.f[fi + 1] = sc;
    }
    this.i[slot * this.I + (this.iOff[k] as number)] = 0;
  }

  /**
   * Fills a fresh slot from a snapshot: the retained values (oldest first; at most `L` are used), the total
   * number of values ever accepted, and the last step. Every span fits in the ring, so replaying the retained
   * values rebuilds every state exactly as the live series had it.
   */
  restore(slot: number, values: readonly number[], count: number, lastStep: number): void {
    const keep = values.slice(-this.L);
    const fb = slot * this.F;
    for (const v of keep) {
      this.f[fb + F_LAST_STEP] = -Infinity;
      this.push(slot, 0, v);
    }
    // A ring shorter than the history it claims (never, for an unchanged automation) restarts the count.
    this.f[fb + F_COUNT] = keep.length < Math.min(count, this.L) ? keep.length : Math.max(count, keep.length);
    for (let k = 0; k < this.states.length; k++) {
      if (this.kinds[k] === SUM || this.kinds[k] === MOMENTS) this.resum(k, slot);
    }
    this.f[fb + F_LAST_STEP] = lastStep;
  }

  /** The retained values of a slot, oldest first (what a snapshot stores). */
  retained(slot: number): number[] {
    const cnt = Math.min(this.count(slot), this.L);
    const out = new Float64Array(cnt);
    this.copySpan(slot, 0, cnt, out);
    return Array.from(out);
  }
}
