import { describe, expect, it } from "vitest";
import { tokenize } from "../../src/search/lexer.js";
import { catchTrackerError } from "./fixtures.js";

const kinds = (src: string) => tokenize(src, "filter").map((t) => t.kind);

describe("search/lexer", () => {
  it("scans an identifier with its key as one word token, split at the first dot", () => {
    const [tok] = tokenize("tags.mlflow.user", "filter");
    expect(tok).toEqual({ kind: "word", text: "tags.mlflow.user", pos: 0, head: "tags", quoted: false, key: "mlflow.user" });
  });

  it("unquotes backtick and double-quoted keys and keeps the raw text", () => {
    const [a, b] = tokenize('metrics.`a b` params."c""d"', "filter");
    expect(a).toMatchObject({ kind: "word", text: "metrics.`a b`", key: "a b" });
    expect(b).toMatchObject({ kind: "word", text: 'params."c""d"', pos: 14, key: 'c"d' });
  });

  it("marks a backtick-quoted head so it is never a keyword", () => {
    expect(tokenize("`AND`", "filter")[0]).toMatchObject({ kind: "word", head: "AND", quoted: true });
  });

  it("tells a double-quoted value from a double-quoted key by the dot before it", () => {
    expect(kinds('params."k" = "v"')).toEqual(["word", "op", "string", "eof"]);
  });

  it("scans comparators, parentheses and commas without spaces", () => {
    expect(kinds("(a<=1,b!=2)")).toEqual(["lparen", "word", "op", "number", "comma", "word", "op", "number", "rparen", "eof"]);
  });

  it("scans numbers with sign, fraction and exponent", () => {
    const values = tokenize("-1 .5 2. 3e2 -4.5E-1", "filter").flatMap((t) => (t.kind === "number" ? [t.value] : []));
    expect(values).toEqual([-1, 0.5, 2, 300, -0.45]);
  });

  it("ends with an eof token at the input length", () => {
    expect(tokenize("  a ", "filter").at(-1)).toEqual({ kind: "eof", text: undefined, pos: 4 });
  });

  it("accepts letters of any script in bare identifiers", () => {
    expect(tokenize("metrics.精度_1 tags.é", "filter").slice(0, 2).map((t) => t.kind === "word" && t.key)).toEqual(["精度_1", "é"]);
  });

  it.each([
    ["'open", 0],
    ['x = "open', 4],
    ["`open", 0],
    ["tags.`open", 5],
    ["a # b", 2],
    ["1x", 0],
  ])("rejects %s with the position %i", (src, pos) => {
    const err = catchTrackerError(() => tokenize(src, "filter"));
    expect(err.code).toBe("INVALID_PARAMETER_VALUE");
    expect(err.message).toContain(`Invalid filter at position ${pos}:`);
  });

  it("suggests backticks when a special character follows an identifier", () => {
    expect(catchTrackerError(() => tokenize("metrics.a-b < 1", "filter")).message).toContain("backticks");
    expect(catchTrackerError(() => tokenize("x < 1 ; y", "filter")).message).not.toContain("backticks");
  });
});
