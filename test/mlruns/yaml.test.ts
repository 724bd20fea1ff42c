import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTrackerError } from "../../src/errors.js";
import { pythonFloatRepr } from "../../src/mlruns/numbers.js";
import { flatYamlMap, parseYamlMap, resolvePlain, toYaml, YamlDate, yamlString } from "../../src/mlruns/yaml.js";
import { requireMlflow, runPeer } from "./helpers/mlflow-peer.js";

const AMBIGUOUS = ["yes", "No", "ON", "off", "y", "n", "null", "~", "", "1:30", "190:20:30", "2024-01-01", "2001-12-14t21:59:43.10-05:00", "0777", "0x1F", "0b101", "1_000", "12345", "-0", "+12", ".5", "1.", "1e3", ".inf", "-.Inf", ".NaN", "=", "<<", "- x", "? x", "a: b", "a #b", "#c", "&a", "*a", "!tag", "%x", "@x", "`x", "|", ">", "'", '"', "  lead", "trail ", "tab\there", "nl\nnl", "cr\rcr", "nel\u0085x", "ls\u2028x", "bom\ufeffx", "del\u007fx", "nul\u0000x", "é/ß 精度", "😀", "\ud800 lone", "x".repeat(300) + " y ".repeat(40)];

const strings = fc.oneof(
  fc.constantFrom(...AMBIGUOUS),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ unit: fc.constantFrom(..."yYnN01:.-+_e /#'\"\\\t\n ~=<>!&*|%@`?,[]{}"), maxLength: 12 }),
);

describe("mlruns/yaml", () => {
  it("reads back every string it writes", () => {
    fc.assert(
      fc.property(strings, (s) => {
        expect(parseYamlMap(toYaml({ name: s }), "meta.yaml").name).toBe(s);
      }),
      { numRuns: 3000 },
    );
  });

  it("reads flat files without the YAML parser exactly as the parser reads them", () => {
    // The parser's reading of a text: a last line only it can read sends the whole text to it.
    const parsed = (text: string) => {
      const all = parseYamlMap(text + "zz_parser_only: {a: 1}\n", "m.yaml");
      delete all.zz_parser_only;
      return all;
    };
    const piece = fc.oneof(
      fc.string({ unit: fc.constantFrom(..."aZ09_.-+/ :#'\"[]{}!&*|>%@`?,~\t\\"), maxLength: 8 }),
      fc.string({ unit: fc.constantFrom(..."a1 :#-.'\"[]{}!&*|>%@`?,~"), maxLength: 4 }),
      fc.constantFrom("yes", "No", "null", "~", "1:30", "0777", "0x1F", "1_000", "-1", "+.5", ".inf", "-.Inf", ".NaN", "...", "---", "- x", "-", "2024-01-01", "e1", "[]", "[ ]", "a b", "a  b", "x "),
    );
    const value = fc.oneof(piece, piece.map((p) => `"${p}"`), piece.map((p) => `'${p}'`));
    const line = fc.tuple(fc.constantFrom("run_name", "status", "tags", "a", "_b", "c1", "run_name"), value).map(([k, v]) => (v === "" ? `${k}:` : `${k}: ${v}`));
    let fast = 0;
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
        const text = lines.join("\n") + "\n";
        const quick = flatYamlMap(text);
        if (quick === undefined) return;
        fast++;
        expect(quick).toEqual(parsed(text));
      }),
      { numRuns: 20000 },
    );
    // What trackbook writes takes the quick path unless a string needed escapes.
    fc.assert(
      fc.property(strings, fc.integer(), (s, n) => {
        const text = toYaml({ name: s, status: n, end_time: null, tags: [], run_id: "0123abcd" });
        const quick = flatYamlMap(text);
        if (quick !== undefined) expect(quick).toEqual(parsed(text));
        // Printable ASCII needs no escapes, so the file is all simple lines.
        if (/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(s)) expect(quick).toBeDefined();
      }),
      { numRuns: 2000 },
    );
    expect(fast).toBeGreaterThan(500);
    expect(flatYamlMap("a: 1\na: 2\n")).toBeUndefined();
    expect(flatYamlMap("__proto__: x\n")).toBeUndefined();
  });

  it("writes plain only what cannot mean anything else, and sorts keys as safe_dump does", () => {
    expect(toYaml({ run_name: "bold-owl-12", experiment_id: "0", end_time: null, tags: [], status: 3, user_id: "yes" })).toBe(
      'end_time: null\nexperiment_id: "0"\nrun_name: bold-owl-12\nstatus: 3\ntags: []\nuser_id: "yes"\n',
    );
    expect(yamlString("a\u2028b")).toBe('"a\\u2028b"');
    expect(yamlString("=")).toBe('"="');
  });

  it("PyYAML safe_load (what MLflow reads with) gets back every string as written (peer)", () => {
    if (!requireMlflow()) return;
    const samples = [...AMBIGUOUS.filter((s) => !/[\ud800-\udfff]/.test(s)), ...fc.sample(strings, 1500).filter((s) => !/[\ud800-\udfff]/.test(s))];
    const loaded = runPeer("yaml-load.py", [], JSON.stringify(samples.map((s) => toYaml({ name: s, user_id: s })))) as { name: unknown; user_id: unknown }[];
    const wrong = samples.flatMap((s, i) => (loaded[i]?.name === s && loaded[i]?.user_id === s ? [] : [{ s, got: loaded[i] }]));
    expect(wrong).toEqual([]);
  });

  it("resolves plain scalars exactly as PyYAML does (peer)", () => {
    if (!requireMlflow()) return;
    const plain = fc.string({ unit: fc.constantFrom(..."0123456789_:.-+eExXbBoOnNaAiIfFtTrRuUlLsSyY~ "), minLength: 1, maxLength: 10 }).map((s) => s.trim()).filter((s) => s !== "" && !/^[-?:]( |$)|: | #|^[~-]?-[-]/.test(s));
    const samples = [...new Set(["e1", "1e3", "1.0e+3", "0777", "0o17", "0x1F", "0b11", "1_000", "1:30", "-1:30.5", ".5", "1.", ".inf", "-.INF", ".NaN", "y", "Yes", "OFF", "~", "null", "2024-01-01", "2024-1-1 1:02:03", ...fc.sample(plain, 2000)])];
    const theirs = runPeer("yaml-resolve.py", [], JSON.stringify(samples)) as [string, string][];
    const ours = samples.map((s) => {
      let v: unknown;
      try {
        v = parseYamlMap(`v: ${s}\n`, "t.yaml").v;
      } catch {
        return ["error", ""];
      }
      if (typeof v === "bigint") return ["int", v.toString()];
      if (typeof v === "number") return ["float", pythonFloatRepr(v)];
      if (typeof v === "boolean") return ["bool", v ? "True" : "False"];
      if (v === null) return ["NoneType", "None"];
      if (v instanceof YamlDate) return ["date", ""];
      return ["str", v];
    });
    const differ = samples.flatMap((s, i) => (JSON.stringify(ours[i]) === JSON.stringify(theirs[i]) ? [] : [{ s, ours: ours[i], theirs: theirs[i] }]));
    expect(differ).toEqual([]);
    expect(resolvePlain("e1")).toBe("e1");
  });

  it("refuses what PyYAML would refuse or only an attacker writes, naming file and line", () => {
    const cases: [string, RegExp][] = [
      ["a: [\n", /m\.yaml, line 2/],
      ["a: 1\na: 2\n", /m\.yaml, line 2: Map keys must be unique/],
      ["a: &x [1]\nb: *x\n", /aliases are not allowed/],
      ["a: !!python/object:os.system x\n", /tag/],
      ["", /empty/],
      ["- 1\n", /mapping/],
    ];
    for (const [text, message] of cases) {
      try {
        parseYamlMap(text, "exp/m.yaml");
        expect.unreachable(text);
      } catch (e) {
        expect(isTrackerError(e, "INVALID_PARAMETER_VALUE")).toBe(true);
        expect((e as Error).message).toMatch(/^Malformed bundle file exp\/m\.yaml/);
        expect((e as Error).message).toMatch(message);
      }
    }
  });
});
