import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PALETTE, runColor, runColors } from "../../widgets/index.js";

const hex32 = fc.stringMatching(/^[0-9a-f]{32}$/);

/** Ids whose own colours are all the same one: what makes two curves of a view indistinguishable. */
function colliding(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const id = i.toString(16).padStart(32, "0");
    if (runColor(id) === PALETTE[0]) out.push(id);
  }
  return out;
}

describe("run colours", () => {
  it("gives up to ten runs of one view ten different colours, even when their own colours collide", () => {
    const ids = colliding(5);
    const colors = runColors(ids);
    expect(new Set(colors.values()).size).toBe(5);
    // The smallest id keeps its own colour; only the others move.
    expect(colors.get([...ids].sort()[0]!)).toBe(PALETTE[0]);
  });

  it("keeps every run's own colour when nothing collides, and depends only on the set of runs", () => {
    fc.assert(
      fc.property(fc.uniqueArray(hex32, { minLength: 1, maxLength: 10 }), (ids) => {
        const a = runColors(ids);
        const b = runColors([...ids].reverse());
        expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
        expect(new Set(a.values()).size).toBe(ids.length);
        const own = new Set(ids.map(runColor));
        if (own.size === ids.length) for (const id of ids) expect(a.get(id)).toBe(runColor(id));
      }),
    );
  });

  it("reuses palette colours past ten runs instead of failing", () => {
    const colors = runColors(colliding(14));
    expect(colors.size).toBe(14);
    expect(new Set(colors.values()).size).toBe(PALETTE.length);
  });
});
