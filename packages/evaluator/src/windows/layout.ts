/**
 * The block layout of a streaming window slot (see `streaming.ts`): where each of a channel's states keeps its
 * numbers inside one run's block of bytes, decided once per channel from its aggregate spans.
 *
 * Block layout of a slot (B bytes), hot parts first: the ring (L doubles); doubles [count, lastStep, per SUM
 * state: sum, scale; per MOMENTS state: mean, m2, scale]; small unsigned integers [pos, per SUM / MOMENTS state:
 * since; per deque: head, len; per MIN / MAX state answered by another one's deque: its front], then the deques'
 * ring positions (`width` entries per deque); then, 8-byte aligned, one last-firing time per automation of the
 * channel (read only when an automation's condition holds). The integers are 8-bit while L < 256, 16-bit while
 * L < 65,536, else 32-bit, so a slot stays a few cache lines.
 */
import { sumFactor } from "../decide.js";

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

/** Doubles of a block after the ring: the count of values accepted, the last step. */
export const F_COUNT = 0;
export const F_LAST_STEP = 1;
/** The first small integer of a block: the ring position the next value is written to. */
export const U_POS = 0;

/** Where a channel's states live in each slot's block; `Channel` (`streaming.ts`) holds the blocks. */
export class SlotLayout {
  /** Ring length: the longest span end (`offset + width`) of the channel's states. */
  readonly L: number;
  readonly states: readonly StateSpec[];
  /** Block size in bytes, and in units of each view. */
  readonly B: number;
  readonly dPer: number;
  readonly uPer: number;
  readonly F: number;
  readonly uStart: number;
  /** Index (within the block's doubles) of the first automation's last firing time. */
  readonly cdStart: number;
  readonly automations: number;
  readonly kinds: Int32Array;
  readonly offsets: Int32Array;
  readonly widths: Int32Array;
  /** Per state: its first double (relative to the block's doubles), or -1. */
  readonly fOff: Int32Array;
  /**
   * Per state: its integer (relative to the block's `uStart`): `since` of a SUM / MOMENTS state; the head of a
   * MIN / MAX state that owns a deque (its length follows); the front of one answered by another's deque; or -1.
   */
  readonly uOff: Int32Array;
  /** Per MIN / MAX state: the first entry of the deque it reads (relative to `uStart`), or -1. */
  readonly qOff: Int32Array;
  /** Per MIN / MAX state: whether it owns its deque (else `uOff` is its front in another state's deque). */
  readonly owner: Uint8Array;
  /**
   * The states by kind, for the update loops: SUM and MOMENTS as [offset, width, first double, integer, state];
   * deques as [offset, width, head, first entry, 1 for MIN, state, first sub, end of subs]; subs (MIN / MAX states
   * of a shorter width and the same offset and kind, answered by the deque: see `Channel.push`) as [width, front, state].
   */
  readonly sumStates: Int32Array;
  readonly momStates: Int32Array;
  readonly deques: Int32Array;
  readonly subs: Int32Array;
  /** LAST states as [offset, state index]. */
  readonly lastStates: Int32Array;
  /** MIN / MAX states identical to an earlier one, as [state, the one whose deque answers it]. */
  readonly aliases: Int32Array;
  /** Whether some state is a z-score's moments (those only stream). */
  readonly hasMoments: boolean;
  /** Per state: `sumFactor` of a SUM state's width; 0 for the others. */
  readonly guard: Float64Array;

  constructor(states: readonly StateSpec[], automations: number) {
    this.states = states;
    this.automations = automations;
    const L = Math.max(1, ...states.map((s) => s.offset + s.width));
    this.L = L;
    const K = states.length;
    // MIN / MAX states of one kind and offset share the deque of the widest (see `Channel.push`).
    const ownerOf = states.map((s, k) => {
      if (s.kind !== MIN && s.kind !== MAX) return -1;
      let best = k;
      states.forEach((t, j) => {
        const b = states[best] as StateSpec;
        if (t.kind === s.kind && t.offset === s.offset && (t.width > b.width || (t.width === b.width && j < best))) best = j;
      });
      return best;
    });
    let F = 2;
    let I = 1;
    const fOff: number[] = [];
    const uOff: number[] = new Array<number>(K).fill(-1);
    const qOff: number[] = new Array<number>(K).fill(-1);
    for (const s of states) {
      fOff.push(s.kind === SUM || s.kind === MOMENTS ? L + F : -1);
      F += s.kind === SUM ? 2 : s.kind === MOMENTS ? 3 : 0;
    }
    states.forEach((s, k) => {
      if (s.kind === SUM || s.kind === MOMENTS) uOff[k] = I++;
      else if (ownerOf[k] === k) {
        uOff[k] = I;
        I += 2;
      }
    });
    // Same-width duplicates read the owner's head; narrower states get a front of their own.
    const aliases: number[] = [];
    states.forEach((s, k) => {
      const o = ownerOf[k] as number;
      if (o >= 0 && o !== k && s.width === (states[o] as StateSpec).width) {
        uOff[k] = uOff[o] as number;
        aliases.push(k, o);
      }
      else if (o >= 0 && o !== k) uOff[k] = I++;
    });
    let Q = I;
    states.forEach((s, k) => {
      if (ownerOf[k] === k) {
        qOff[k] = Q;
        Q += s.width;
      }
    });
    states.forEach((_s, k) => {
      const o = ownerOf[k] as number;
      if (o >= 0) qOff[k] = qOff[o] as number;
    });
    const uBytes = L < 256 ? 1 : L < 65_536 ? 2 : 4;
    const uByte = (L + F) * 8;
    const cdByte = Math.ceil((uByte + Q * uBytes) / 8) * 8;
    this.cdStart = cdByte / 8;
    this.F = F;
    const B = cdByte + automations * 8;
    this.B = B;
    this.dPer = B / 8;
    this.uPer = B / uBytes;
    this.uStart = uByte / uBytes;
    this.fOff = Int32Array.from(fOff);
    this.uOff = Int32Array.from(uOff);
    this.qOff = Int32Array.from(qOff);
    this.owner = Uint8Array.from(states, (_s, k) => (ownerOf[k] === k ? 1 : 0));
    this.kinds = Int32Array.from(states.map((s) => s.kind));
    this.offsets = Int32Array.from(states.map((s) => s.offset));
    this.widths = Int32Array.from(states.map((s) => s.width));
    const of = (kinds: number[], row: (st: StateSpec, k: number) => number[]) =>
      Int32Array.from(states.flatMap((st, k) => (kinds.includes(st.kind) ? row(st, k) : [])));
    this.sumStates = of([SUM], (st, k) => [st.offset, st.width, fOff[k] as number, uOff[k] as number, k]);
    this.momStates = of([MOMENTS], (st, k) => [st.offset, st.width, fOff[k] as number, uOff[k] as number, k]);
    const deques: number[] = [];
    const subs: number[] = [];
    states.forEach((st, k) => {
      if (ownerOf[k] !== k) return;
      const first = subs.length;
      states.forEach((t, j) => {
        if (ownerOf[j] === k && t.width < st.width) subs.push(t.width, uOff[j] as number, j);
      });
      deques.push(st.offset, st.width, uOff[k] as number, qOff[k] as number, st.kind === MIN ? 1 : 0, k, first, subs.length);
    });
    this.deques = Int32Array.from(deques);
    this.subs = Int32Array.from(subs);
    this.lastStates = of([LAST], (st, k) => [st.offset, k]);
    this.aliases = Int32Array.from(aliases);
    this.hasMoments = states.some((st) => st.kind === MOMENTS);
    this.guard = Float64Array.from(states, (s) => (s.kind === SUM ? sumFactor(s.width) : 0));
  }

  /** The view of the blocks' small integers and deque entries (8-, 16- or 32-bit, by the ring length). */
  protected view(buffer: ArrayBuffer): Uint8Array | Uint16Array | Int32Array {
    return this.L < 256 ? new Uint8Array(buffer) : this.L < 65_536 ? new Uint16Array(buffer) : new Int32Array(buffer);
  }
}
