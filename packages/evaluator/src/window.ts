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

const EMPTY_F = new Float64Array(0);
const EMPTY_I = new Int32Array(0);

/** An aggregate span of a channel: what it computes and over which values. */
export interface StateSpec {
  readonly kind: StateKind;
  readonly offset: number;
  readonly width: number;
}

export class Channel {
  /** Ring length: the longest span end (`offset + width`) of the channel's states. */
  readonly L: number;
  readonly states: readonly StateSpec[];
  size = 0;
  capacity: number;
  ring: Float64Array;
  /** Values accepted per slot. */
  count: Float64Array;
  /** Ring position of the next value per slot. */
  pos: Int32Array;
  /** Step of the last accepted value per slot: a value at a step not after it is a duplicate and ignored. */
  lastStep: Float64Array;
  // Per state, indexed [state][slot] (or [state][slot * width + i] for deques); unused ones are empty.
  readonly kinds: Int32Array;
  readonly offsets: Int32Array;
  readonly widths: Int32Array;
  readonly a: Float64Array[]; // SUM: sum; MOMENTS: mean
  readonly m2: Float64Array[]; // MOMENTS: sum of squared deviations
  readonly scale: Float64Array[]; // SUM, MOMENTS: bound of |value| since the last re-sum
  readonly since: Int32Array[]; // SUM, MOMENTS: values since the last re-sum
  readonly dq: Int32Array[]; // MIN, MAX: deque of ring positions, circular, capacity = width
  readonly head: Int32Array[];
  readonly len: Int32Array[];
  /** Scratch for exact recomputation of one window (oldest value first). */
  readonly scratch: Float64Array;

  constructor(states: readonly StateSpec[], initialCapacity = 16) {
    this.states = states;
    this.L = Math.max(1, ...states.map((s) => s.offset + s.width));
    this.capacity = initialCapacity;
    const c = initialCapacity;
    this.ring = new Float64Array(c * this.L);
    this.count = new Float64Array(c);
    this.pos = new Int32Array(c);
    this.lastStep = new Float64Array(c).fill(-Infinity);
    this.kinds = Int32Array.from(states.map((s) => s.kind));
    this.offsets = Int32Array.from(states.map((s) => s.offset));
    this.widths = Int32Array.from(states.map((s) => s.width));
    this.a = states.map((s) => (s.kind === SUM || s.kind === MOMENTS ? new Float64Array(c) : EMPTY_F));
    this.m2 = states.map((s) => (s.kind === MOMENTS ? new Float64Array(c) : EMPTY_F));
    this.scale = states.map((s) => (s.kind === SUM || s.kind === MOMENTS ? new Float64Array(c) : EMPTY_F));
    this.since = states.map((s) => (s.kind === SUM || s.kind === MOMENTS ? new Int32Array(c) : EMPTY_I));
    this.dq = states.map((s) => (s.kind === MIN || s.kind === MAX ? new Int32Array(c * s.width) : EMPTY_I));
    this.head = states.map((s) => (s.kind === MIN || s.kind === MAX ? new Int32Array(c) : EMPTY_I));
    this.len = states.map((s) => (s.kind === MIN || s.kind === MAX ? new Int32Array(c) : EMPTY_I));
    this.scratch = new Float64Array(this.L);
  }

  /** Allocates a slot for a new series. */
  addSlot(): number {
    if (this.size === this.capacity) this.grow();
    return this.size++;
  }

  private grow(): void {
    const c = this.capacity * 2;
    const f = (x: Float64Array, per: number, fill = 0) => {
      if (x.length === 0) return x;
      const y = new Float64Array(c * per).fill(fill);
      y.set(x);
      return y;
    };
    const i = (x: Int32Array, per: number) => {
      if (x.length === 0) return x;
      const y = new Int32Array(c * per);
      y.set(x);
      return y;
    };
    this.ring = f(this.ring, this.L);
    this.count = f(this.count, 1);
    this.pos = i(this.pos, 1);
    this.lastStep = f(this.lastStep, 1, -Infinity);
    for (let k = 0; k < this.states.length; k++) {
      const w = this.widths[k] as number;
      this.a[k] = f(this.a[k] as Float64Array, 1);
      this.m2[k] = f(this.m2[k] as Float64Array, 1);
      this.scale[k] = f(this.scale[k] as Float64Array, 1);
      this.since[k] = i(this.since[k] as Int32Array, 1);
      this.dq[k] = i(this.dq[k] as Int32Array, w);
      this.head[k] = i(this.head[k] as Int32Array, 1);
      this.len[k] = i(this.len[k] as Int32Array, 1);
    }
    this.capacity = c;
  }

  /** Typed-array bytes held (the window memory), for the benchmark's bytes-per-window figure. */
  bytes(): number {
    let b = this.ring.byteLength + this.count.byteLength + this.pos.byteLength + this.lastStep.byteLength;
    for (let k = 0; k < this.states.length; k++) {
      b += (this.a[k] as Float64Array).byteLength + (this.m2[k] as Float64Array).byteLength;
      b += (this.scale[k] as Float64Array).byteLength + (this.since[k] as Int32Array).byteLength;
      b += (this.dq[k] as Int32Array).byteLength + (this.head[k] as Int32Array).byteLength + (this.len[k] as Int32Array).byteLength;
    }
    return b;
  }

  /**
   * Appends a value to a slot's series and updates every state. Returns false (and changes nothing) when
   * `step` is not after the slot's last step: W&B history steps only increase, so that is a duplicate.
   */
  push(slot: number, step: number, v: number): boolean {
    if (!(step > (this.lastStep[slot] as number))) return false;
    this.lastStep[slot] = step;
    const L = this.L;
    const ring = this.ring;
    const base = slot * L;
    const n = this.count[slot] as number; // index of the new value
    const p = this.pos[slot] as number;
    const old = ring[base + p] as number; // the value of age L, about to be overwritten
    ring[base + p] = v;
    this.pos[slot] = p + 1 === L ? 0 : p + 1;
    this.count[slot] = n + 1;
    const kinds = this.kinds;
    for (let k = 0; k < kinds.length; k++) {
      const o = this.offsets[k] as number;
      if (n < o) continue; // the span has not started yet
      const w = this.widths[k] as number;
      let ep = p - o;
      if (ep < 0) ep += L;
      const x = o === 0 ? v : (ring[base + ep] as number);
      const leaves = n - o - w >= 0;
      let lp = p - o - w;
      if (lp < 0) lp += L;
      const kind = kinds[k] as number;
      if (kind === SUM) {
        const sums = this.a[k] as Float64Array;
        const scale = this.scale[k] as Float64Array;
        const since = this.since[k] as Int32Array;
        const y = leaves ? (o + w === L ? old : (ring[base + lp] as number)) : 0;
        sums[slot] = leaves ? (sums[slot] as number) + x - y : (sums[slot] as number) + x;
        const ax = Math.abs(x);
        if (ax > (scale[slot] as number)) scale[slot] = ax;
        const s = (since[slot] as number) + 1;
        if (s >= w) this.resum(k, slot);
        else since[slot] = s;
      } else if (kind === MIN || kind === MAX) {
        const dq = this.dq[k] as Int32Array;
        const heads = this.head[k] as Int32Array;
        const lens = this.len[k] as Int32Array;
        const db = slot * w;
        let h = heads[slot] as number;
        let len = lens[slot] as number;
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
        heads[slot] = h;
        lens[slot] = len + 1;
      } else if (kind === MOMENTS) {
        const means = this.a[k] as Float64Array;
        const m2s = this.m2[k] as Float64Array;
        const mean = means[slot] as number;
        if (leaves) {
          const y = o + w === L ? old : (ring[base + lp] as number);
          const delta = x - y;
          const next = mean + delta / w;
          m2s[slot] = (m2s[slot] as number) + delta * (x - next + y - mean);
          means[slot] = next;
        } else {
          const cnt = n - o + 1;
          const delta = x - mean;
          const next = mean + delta / cnt;
          m2s[slot] = (m2s[slot] as number) + delta * (x - next);
          means[slot] = next;
        }
        const scale = this.scale[k] as Float64Array;
        const since = this.since[k] as Int32Array;
        const ax = Math.abs(x);
        if (ax > (scale[slot] as number)) scale[slot] = ax;
        const s = (since[slot] as number) + 1;
        if (s >= w) this.resum(k, slot);
        else since[slot] = s;
      }
    }
    return true;
  }

  /** Values in a state's span right now (fewer than its width while the series is young). */
  spanCount(k: number, slot: number): number {
    const c = (this.count[slot] as number) - (this.offsets[k] as number);
    const w = this.widths[k] as number;
    return c < 0 ? 0 : c < w ? c : w;
  }

  /**
   * Copies the `cnt` values of a span ending at age `offset` into `out` (oldest first) and returns `cnt`.
   */
  copySpan(slot: number, offset: number, cnt: number, out: Float64Array): number {
    const L = this.L;
    const base = slot * L;
    const p = this.pos[slot] as number; // position of age 0 is p - 1
    for (let i = 0; i < cnt; i++) {
      const age = offset + cnt - 1 - i;
      let q = p - 1 - age;
      while (q < 0) q += L;
      out[i] = this.ring[base + q] as number;
    }
    return cnt;
  }

  /** The value of age `age` (0 = latest). */
  valueAt(slot: number, age: number): number {
    let q = (this.pos[slot] as number) - 1 - age;
    while (q < 0) q += this.L;
    return this.ring[this.slotBase(slot) + q] as number;
  }

  slotBase(slot: number): number {
    return slot * this.L;
  }

  /** The extreme of a MIN/MAX state. */
  extreme(k: number, slot: number): number {
    const dq = this.dq[k] as Int32Array;
    const w = this.widths[k] as number;
    return this.ring[slot * this.L + (dq[slot * w + (this.head[k] as Int32Array)[slot]!] as number)] as number;
  }

  /** Re-derives a SUM or MOMENTS state exactly from the ring (and its scale from the span's values). */
  resum(k: number, slot: number): void {
    const cnt = this.spanCount(k, slot);
    const vals = this.scratch;
    this.copySpan(slot, this.offsets[k] as number, cnt, vals);
    let s = 0;
    let sc = 0;
    for (let i = 0; i < cnt; i++) {
      const x = vals[i] as number;
      s += x;
      const ax = Math.abs(x);
      if (ax > sc) sc = ax;
    }
    if (this.kinds[k] === MOMENTS) {
      const mean = s / cnt;
      let ss = 0;
      for (let i = 0; i < cnt; i++) {
        const d = (vals[i] as number) - mean;
        ss += d * d;
      }
      (this.a[k] as Float64Array)[slot] = cnt === 0 ? 0 : mean;
      (this.m2[k] as Float64Array)[slot] = ss;
    } else {
      (this.a[k] as Float64Array)[slot] = s;
    }
    (this.scale[k] as Float64Array)[slot] = sc;
    (this.since[k] as Int32Array)[slot] = 0;
  }

  /**
   * Fills a fresh slot from a snapshot: the retained values (oldest first; at most `L` are used), the total
   * number of values ever accepted, and the last step. Every span fits in the ring, so replaying the retained
   * values rebuilds every state exactly as the live series had it.
   */
  restore(slot: number, values: readonly number[], count: number, lastStep: number): void {
    const keep = values.slice(-this.L);
    for (const v of keep) {
      this.lastStep[slot] = -Infinity;
      this.push(slot, 0, v);
    }
    this.count[slot] = Math.max(count, keep.length);
    for (let k = 0; k < this.states.length; k++) {
      if (this.kinds[k] === SUM || this.kinds[k] === MOMENTS) this.resum(k, slot);
    }
    this.lastStep[slot] = lastStep;
  }

  /** The retained values of a slot, oldest first (what a snapshot stores). */
  retained(slot: number): number[] {
    const cnt = Math.min(this.count[slot] as number, this.L);
    const out = new Float64Array(cnt);
    this.copySpan(slot, 0, cnt, out);
    return Array.from(out);
  }
}
