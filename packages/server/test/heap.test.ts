import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DueHeap } from "../src/runtime/heap.js";

describe("DueHeap", () => {
  it("pops in (due, id) order whatever the pushes", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(1000), fc.nat(50)), { maxLength: 200 }), (items) => {
        const heap = new DueHeap();
        items.forEach(([id, due]) => heap.push(id, due));
        const out: [number, number][] = [];
        while (heap.size > 0) {
          const due = heap.peekDue() as number;
          out.push([heap.pop() as number, due]);
        }
        const expected = [...items].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
        expect(out).toEqual(expected);
      }),
    );
  });
});
