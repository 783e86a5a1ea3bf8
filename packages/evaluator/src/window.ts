/**
 * Count-based sliding windows over one metric of many runs, in structure-of-arrays typed arrays.
 *
 * A channel is one metric (for the automations started together, see `engine.ts`). Each run logging it owns a
 * dense slot: a ring of the last `L` values (L = the longest span any of the channel's automations needs),
 * and one state per distinct aggregate span, shared by every automation that aggregates the metric the same way.
 * A span `(o, w)` covers the `w` values logged before the latest `o` ones (`o = 0`: the latest `w` values;
 * a change threshold's prior window is `(c, p)`).
 *
 * A slot is one contiguous block of bytes (ring, scalars, integers, deques, the automations' last firing times),
 * so a point touches adjacent cache lines, and the per-slot memory is exactly what the windows need.
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

// Block layout of a slot (B bytes): the ring (L doubles), then doubles [count, lastStep, per SUM state: sum,
// scale; per MOMENTS state: mean, m2, scale; one last-firing time per automation of the channel], then int32
// [pos, per SUM / MOMENTS state: since; per MIN / MAX state: head, len], then the deques (16-bit ring positions
// while L ≤ 65,536, else 32-bit), `width` entries per MIN / MAX state.
const F_COUNT = 0;
const F_LAST_STEP = 1;
const I_POS = 0;

export class Channel {
  /** Ring length: the longest span end (`offset + width`) of the channel's states. */
  readonly L: number;
  readonly states: readonly StateSpec[];
  size = 0;
  capacity: number;
  buffer: ArrayBuffer;
  /** Doubles of every block: the ring at [0, L), scalars at [L, L + F). */
  d: Float64Array;
  /** Int32 of every block, from `iStart`. */
  n: Int32Array;
  /** Deque entries of every block, from `qStart`. */
  q: Uint16Array | Int32Array;
  /** Block size in bytes, and in units of each view. */
  readonly B: number;
  readonly dPer: number;
  readonly nPer: number;
  readonly qPer: number;
  readonly F: number;
  readonly iStart: number;
  readonly qStart: number;
  /** Index (within the block's doubles) of the first automation's last firing time. */
  readonly cdStart: number;
  readonly automations: number;
  readonly kinds: Int32Array;
  readonly offsets: Int32Array;
  readonly widths: Int32Array;
  /** Per state: its first double (relative to the block's doubles), or -1. */
  readonly fOff: Int32Array;
  /** Per state: its first int32 (relative to the block's int32 start), or -1. */
  readonly iOff: Int32Array;
  /** Per state: its first deque entry (relative to the block's deque start), or -1. */
  readonly qOff: Int32Array;
  /**
   * The states by kind, for the update loops: SUM and MOMENTS as [offset, width, first double, first int32];
   * MIN / MAX as [offset, width, first int32, first deque entry, 1 for MIN]; and each one's state index.
   */
  readonly sumStates: Int32Array;
  readonly extStates: Int32Array;
  readonly momStates: Int32Array;
  readonly sumK: Int32Array;
  readonly momK: Int32Array;
  /** Scratch for exact recomputation of one window (oldest value first). */
  readonly scratch: Float64Array;
  /** Whether some state is a z-score's moments (those only stream). */
  readonly hasMoments: boolean;
  /** The engine's per-push cache of state values: valid for state k while `stamp[k]` is the current tick. */
  readonly stamp: Float64Array;
  readonly cv: Float64Array;
  readonly ce: Float64Array;

  constructor(states: readonly StateSpec[], automations = 0, initialCapacity = 16) {
    this.states = states;
    this.automations = automations;
    const L = Math.max(1, ...states.map((s) => s.offset + s.width));
    this.L = L;
    let F = 2;
    let I = 1;
    let Q = 0;
    const fOff: number[] = [];
    const iOff: number[] = [];
    const qOff: number[] = [];
    for (const s of states) {
      fOff.push(s.kind === SUM || s.kind === MOMENTS ? L + F : -1);
      F += s.kind === SUM ? 2 : s.kind === MOMENTS ? 3 : 0;
      iOff.push(s.kind === LAST ? -1 : I);
      I += s.kind === SUM || s.kind === MOMENTS ? 1 : s.kind === LAST ? 0 : 2;
      qOff.push(s.kind === MIN || s.kind === MAX ? Q : -1);
      Q += s.kind === MIN || s.kind === MAX ? s.width : 0;
    }
    this.cdStart = L + F;
    F += automations;
    this.F = F;
    const wide = L > 65_536;
    const qBytes = wide ? 4 : 2;
    const iByte = (L + F) * 8;
    const qByte = iByte + I * 4;
    const B = Math.ceil((qByte + Q * qBytes) / 8) * 8;
    this.B = B;
    this.dPer = B / 8;
    this.nPer = B / 4;
    this.qPer = B / qBytes;
    this.iStart = iByte / 4;
    this.qStart = qByte / qBytes;
    this.fOff = Int32Array.from(fOff);
    this.iOff = Int32Array.from(iOff);
    this.qOff = Int32Array.from(qOff);
    this.kinds = Int32Array.from(states.map((s) => s.kind));
    this.offsets = Int32Array.from(states.map((s) => s.offset));
    this.widths = Int32Array.from(states.map((s) => s.width));
    this.capacity = initialCapacity;
    this.buffer = new ArrayBuffer(initialCapacity * B);
    this.d = new Float64Array(this.buffer);
    this.n = new Int32Array(this.buffer);
    this.q = wide ? new Int32Array(this.buffer) : new Uint16Array(this.buffer);
    const of = (kinds: number[], row: (st: StateSpec, k: number) => number[]) =>
      Int32Array.from(states.flatMap((st, k) => (kinds.includes(st.kind) ? row(st, k) : [])));
    this.sumStates = of([SUM], (st, k) => [st.offset, st.width, fOff[k] as number, iOff[k] as number]);
    this.momStates = of([MOMENTS], (st, k) => [st.offset, st.width, fOff[k] as number, iOff[k] as number]);
    this.extStates = of([MIN, MAX], (st, k) => [st.offset, st.width, iOff[k] as number, qOff[k] as number, st.kind === MIN ? 1 : 0]);
    this.sumK = of([SUM], (_st, k) => [k]);
    this.momK = of([MOMENTS], (_st, k) => [k]);
    this.scratch = new Float64Array(L);
    this.hasMoments = states.some((st) => st.kind === MOMENTS);
    this.stamp = new Float64Array(states.length);
    this.cv = new Float64Array(states.length);
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
      this.n = new Int32Array(buffer);
      this.q = this.q instanceof Int32Array ? new Int32Array(buffer) : new Uint16Array(buffer);
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
   */
  push(slot: number, step: number, v: number): boolean {
    const d = this.d;
    const L = this.L;
    const base = slot * this.dPer;
    const fb = base + L;
    if (!(step > (d[fb + F_LAST_STEP] as number))) return false;
    d[fb + F_LAST_STEP] = step;
    const ints = this.n;
    const ib = slot * this.nPer + this.iStart;
    const n = d[fb + F_COUNT] as number; // index of the new value
    const p = ints[ib + I_POS] as number;
    const old = d[base + p] as number; // the value of age L, about to be overwritten
    d[base + p] = v;
    ints[ib + I_POS] = p + 1 === L ? 0 : p + 1;
    d[fb + F_COUNT] = n + 1;
    const sums = this.sumStates;
    for (let j = 0; j < sums.length; j += 4) {
      const o = sums[j] as number;
      if (n < o) continue;
      const w = sums[j + 1] as number;
      const fi = base + (sums[j + 2] as number);
      const ii = ib + (sums[j + 3] as number);
      let ep = p - o;
      if (ep < 0) ep += L;
      const x = d[base + ep] as number;
      if (n - o >= w) {
        let lp = ep - w;
        if (lp < 0) lp += L;
        const y = o + w === L ? old : (d[base + lp] as number);
        d[fi] = (d[fi] as number) + x - y;
      } else d[fi] = (d[fi] as number) + x;
      const ax = x < 0 ? -x : x;
      if (ax > (d[fi + 1] as number)) d[fi + 1] = ax;
      const since = (ints[ii] as number) + 1;
      if (since >= w) this.resum(this.sumK[j >> 2] as number, slot);
      else ints[ii] = since;
    }
    const dq = this.q;
    const qb = slot * this.qPer + this.qStart;
    const ext = this.extStates;
    for (let j = 0; j < ext.length; j += 5) {
      const o = ext[j] as number;
      if (n < o) continue;
      const w = ext[j + 1] as number;
      const ii = ib + (ext[j + 2] as number);
      const db = qb + (ext[j + 3] as number);
      const isMin = ext[j + 4] === 1;
      let ep = p - o;
      if (ep < 0) ep += L;
      const x = d[base + ep] as number;
      let h = ints[ii] as number;
      let len = ints[ii + 1] as number;
      if (len > 0 && n - o >= w) {
        let lp = ep - w;
        if (lp < 0) lp += L;
        if (dq[db + h] === lp) {
          h = h + 1 === w ? 0 : h + 1;
          len--;
        }
      }
      let t = h + len - 1;
      if (t >= w) t -= w;
      if (isMin) {
        while (len > 0 && (d[base + (dq[db + t] as number)] as number) >= x) {
          len--;
          t = t === 0 ? w - 1 : t - 1;
        }
      } else {
        while (len > 0 && (d[base + (dq[db + t] as number)] as number) <= x) {
          len--;
          t = t === 0 ? w - 1 : t - 1;
        }
      }
      t = t + 1 === w ? 0 : t + 1;
      dq[db + t] = ep;
      ints[ii] = h;
      ints[ii + 1] = len + 1;
    }
    const moms = this.momStates;
    for (let j = 0; j < moms.length; j += 4) {
      const o = moms[j] as number;
      if (n < o) continue;
      const w = moms[j + 1] as number;
      const fi = base + (moms[j + 2] as number);
      const ii = ib + (moms[j + 3] as number);
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
      const since = (ints[ii] as number) + 1;
      if (since >= w) this.resum(this.momK[j >> 2] as number, slot);
      else ints[ii] = since;
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
    const p = this.n[slot * this.nPer + this.iStart + I_POS] as number; // position of age 0 is p - 1
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
    let q = (this.n[slot * this.nPer + this.iStart + I_POS] as number) - 1 - age;
    while (q < 0) q += this.L;
    return this.d[slot * this.dPer + q] as number;
  }

  /** The extreme of a MIN / MAX state. */
  extreme(k: number, slot: number): number {
    const h = this.n[slot * this.nPer + this.iStart + (this.iOff[k] as number)] as number;
    return this.d[slot * this.dPer + (this.q[slot * this.qPer + this.qStart + (this.qOff[k] as number) + h] as number)] as number;
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
    this.n[slot * this.nPer + this.iStart + (this.iOff[k] as number)] = 0;
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
