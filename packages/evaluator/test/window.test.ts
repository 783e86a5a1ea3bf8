import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LAST, MAX, MIN, SUM, type StateKind, type StateSpec } from "../src/windows/layout.js";
import { maxOf, meanOf, minOf } from "../src/windows/reference.js";
import { Channel } from "../src/windows/streaming.js";

/** The exact aggregate of a span (o, w) of `values[0 .. end)`, as the reference definitions give it. */
function exact(st: StateSpec, values: readonly number[], count: number): number {
  const end = count - st.offset;
  const from = Math.max(0, end - st.width);
  if (st.kind === MIN) return minOf(values, from, end);
  if (st.kind === MAX) return maxOf(values, from, end);
  if (st.kind === SUM) return meanOf(values, from, end);
  return values[end - 1] as number;
}

const stateArb: fc.Arbitrary<StateSpec> = fc.record({
  kind: fc.constantFrom<StateKind>(MIN, MAX, MIN, MAX, SUM, LAST),
  offset: fc.integer({ min: 0, max: 4 }),
  width: fc.integer({ min: 1, max: 12 }),
}).map((s) => (s.kind === LAST ? { ...s, width: 1 } : s));
const valuesArb = fc.array(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ min: -10, max: 10, noNaN: true })), { minLength: 1, maxLength: 120 });

describe("windows (windows/streaming.ts): one channel block per run, states shared where they can be", () => {
  it("MIN / MAX states of one kind and offset share the widest one's deque, and each still equals a fresh recompute (also after a restore)", () => {
    fc.assert(
      fc.property(fc.array(stateArb, { minLength: 1, maxLength: 8 }), valuesArb, fc.nat(), (states, values, cutAt) => {
        let ch = new Channel(states, 0, 1);
        let slot = ch.addSlot();
        const cut = cutAt % (values.length + 1);
        values.forEach((v, i) => {
          if (i === cut) {
            // a snapshot's view of the slot, restored into a fresh channel
            const kept = ch.retained(slot);
            const count = ch.count(slot);
            ch = new Channel(states, 0, 1);
            slot = ch.addSlot();
            ch.restore(slot, kept, count, i - 1);
          }
          expect(ch.push(slot, i, v)).toBe(true);
          states.forEach((st, k) => {
            const span = ch.spanCount(k, slot);
            expect(span).toBe(Math.max(0, Math.min(st.width, i + 1 - st.offset)));
            if (span === 0) {
              expect(ch.cv[k]).toBeNaN();
              return;
            }
            const want = exact(st, values, i + 1);
            if (st.kind === MIN || st.kind === MAX) {
              // + 0: of 0 and -0 (equal under every comparison) the deque may keep either
              expect(ch.extreme(k, slot) + 0).toBe(want + 0);
              expect((ch.cv[k] as number) + 0).toBe(want + 0);
            } else if (st.kind === LAST) {
              expect(ch.cv[k]).toBe(want);
            } else {
              // a running mean, within the error bound the channel reports for it
              expect(Math.abs((ch.cv[k] as number) - want)).toBeLessThanOrEqual(ch.ce[k] as number);
            }
          });
        });
      }),
      { numRuns: 400 },
    );
  });

  it("narrower MIN / MAX states read the widest one's deque: one deque per kind and offset", () => {
    const ch = new Channel([
      { kind: MIN, offset: 0, width: 5 },
      { kind: MIN, offset: 0, width: 50 },
      { kind: MIN, offset: 0, width: 10 },
      { kind: MIN, offset: 10, width: 50 },
      { kind: MAX, offset: 0, width: 5 },
    ]);
    expect(Array.from(ch.owner)).toEqual([0, 1, 0, 1, 1]);
    expect(ch.qOff[0]).toBe(ch.qOff[1]);
    expect(ch.qOff[2]).toBe(ch.qOff[1]);
    expect(ch.qOff[3]).not.toBe(ch.qOff[1]);
  });

  it.each([
    [255, 1],
    [256, 2],
    [65_535, 2],
    [65_536, 4],
  ])("a ring of %i values keeps its integers in %i byte(s) each, and its extremes stay exact", (L, bytes) => {
    const ch = new Channel([
      { kind: MIN, offset: 0, width: L },
      { kind: MAX, offset: 0, width: L },
      { kind: MIN, offset: 0, width: 3 },
      { kind: MAX, offset: 1, width: L - 1 },
    ]);
    expect(ch.L).toBe(L);
    expect(ch.u.BYTES_PER_ELEMENT).toBe(bytes);
    const slot = ch.addSlot();
    const values: number[] = [];
    // decreasing, then increasing: every deque fills to its width and then empties
    const n = L + 40;
    for (let i = 0; i < n; i++) {
      const v = i < n / 2 ? -i : i;
      values.push(v);
      ch.push(slot, i, v);
    }
    const end = values.length;
    expect(ch.extreme(0, slot)).toBe(minOf(values, Math.max(0, end - L), end));
    expect(ch.extreme(1, slot)).toBe(maxOf(values, Math.max(0, end - L), end));
    expect(ch.extreme(2, slot)).toBe(minOf(values, end - 3, end));
    expect(ch.extreme(3, slot)).toBe(maxOf(values, Math.max(0, end - 1 - (L - 1)), end - 1));
  });
});
