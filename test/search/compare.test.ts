import { describe, expect, it } from "vitest";
import { compareCodePoints, compareIds } from "../../src/search/compare.js";

describe("search/compare", () => {
  it("compares strings by code point, putting astral characters after U+FFFF", () => {
    expect(compareCodePoints("\uff5e", "😀")).toBeLessThan(0);
    expect("😀" < "\uff5e").toBe(true); // what plain JS would have done
    expect(compareCodePoints("a", "b")).toBeLessThan(0);
    expect(compareCodePoints("ab", "a")).toBeGreaterThan(0);
    expect(compareCodePoints("B", "a")).toBeLessThan(0);
    expect(compareCodePoints("same", "same")).toBe(0);
  });

  it("compares digit ids by magnitude, before any other id", () => {
    const ids = ["10", "9", "abc", "0", "123456789012345678", "5a", "2"];
    expect([...ids].sort(compareIds)).toEqual(["0", "2", "9", "10", "123456789012345678", "5a", "abc"]);
  });

  it("keeps ids with leading zeros distinct yet next to their value", () => {
    expect(compareIds("01", "1")).not.toBe(0);
    expect(["2", "01", "1"].sort(compareIds)).toEqual(["01", "1", "2"]);
  });
});
