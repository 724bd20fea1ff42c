import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Run, RunStatus, ViewType } from "../../src/entities.js";
import { compileRunFilter, compileRunOrderBy, searchRunsIn } from "../../src/search/index.js";
import { makeRun } from "./fixtures.js";

// Small value pools so ties, NaN, missing keys and case differences are common.
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const metricValue = fc.oneof(fc.constantFrom(Number.NaN, 0, -0, 0.5, 1, -1, Infinity), fc.double());
const runShape = fc.record({
  id: fc.integer({ min: 1, max: 1_000_000 }),
  name: fc.constantFrom("a", "b", "alpha", "Beta", "😀"),
  experimentId: fc.constantFrom("1", "2"),
  status: fc.constantFrom<RunStatus>("RUNNING", "FINISHED", "FAILED"),
  stage: fc.constantFrom("active" as const, "deleted" as const),
  start: fc.integer({ min: 0, max: 4 }),
  end: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }),
  loss: maybe(metricValue),
  acc: maybe(metricValue),
  lr: maybe(fc.constantFrom("0.1", "0.01", "10", "9", "a", "A", "é", "\uff5e", "😀", "")),
  team: maybe(fc.constantFrom("vision", "nlp", "Vision", "v%")),
});
type RunShape = typeof runShape extends fc.Arbitrary<infer S> ? S : never;

function toRun(s: RunShape): Run {
  const metrics: Record<string, number> = {};
  if (s.loss !== undefined) metrics.loss = s.loss;
  if (s.acc !== undefined) metrics.acc = s.acc;
  const params: Record<string, string> = s.lr === undefined ? {} : { lr: s.lr };
  const tags: Record<string, string> = s.team === undefined ? {} : { team: s.team };
  return makeRun(s.id, s.name, { experimentId: s.experimentId, status: s.status, stage: s.stage, start: s.start, end: s.end, metrics, params, tags });
}

const runsArb = fc.uniqueArray(runShape, { selector: (s) => s.id, maxLength: 12 }).map((xs) => xs.map(toRun));
const orderByArb = fc.array(
  fc
    .tuple(
      fc.constantFrom("metrics.loss", "metrics.acc", "params.lr", "tags.team", "start_time", "end_time", "run_name", "status", "created", "metrics.none"),
      fc.constantFrom("", " ASC", " DESC", " desc"),
    )
    .map(([k, d]) => k + d),
  { maxLength: 3 },
);

const NUM_OPS = ["=", "!=", "<", "<=", ">", ">="] as const;
const STR_OPS = ["=", "!=", "LIKE", "ILIKE"] as const;
const clauseArb: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom("metrics.loss", "metrics.acc"), fc.constantFrom(...NUM_OPS), fc.constantFrom("0", "1", "-1", "0.5", "1e-3")).map((p) => p.join(" ")),
  fc.tuple(fc.constantFrom("params.lr", "tags.team"), fc.constantFrom(...STR_OPS), fc.constantFrom("'0.1'", "'a'", "'v%'", "'%i%'", "'_'", "'Vision'", "'v\\%'")).map((p) => p.join(" ")),
  fc.tuple(fc.constantFrom("params.lr", "tags.team"), fc.constantFrom("IS NULL", "IS NOT NULL")).map((p) => p.join(" ")),
  fc.tuple(fc.constantFrom("start_time", "end_time", "created"), fc.constantFrom(...NUM_OPS), fc.integer({ min: 0, max: 4 })).map((p) => p.join(" ")),
  fc.tuple(fc.constantFrom("status", "run_name", "`Run name`"), fc.constantFrom(...STR_OPS), fc.constantFrom("'FAILED'", "'a%'", "'ALPHA'", "'_'")).map((p) => p.join(" ")),
);

const sign = (x: number) => (x < 0 ? -1 : x > 0 ? 1 : 0);
const ids = (runs: readonly Run[]) => runs.map((r) => r.info.runId);

describe("search/properties", () => {
  it("compileRunOrderBy is a total order: antisymmetric, transitive, zero only for the same run", () => {
    fc.assert(
      fc.property(runsArb, orderByArb, (runs, orderBy) => {
        const cmp = compileRunOrderBy(orderBy);
        for (const a of runs) {
          expect(cmp(a, a)).toBe(0);
          for (const b of runs) {
            if (a === b) continue;
            expect(cmp(a, b)).not.toBe(0);
            expect(sign(cmp(a, b))).toBe(-sign(cmp(b, a)));
            for (const c of runs) if (cmp(a, b) < 0 && cmp(b, c) < 0) expect(cmp(a, c)).toBeLessThan(0);
          }
        }
        const sorted = [...runs].sort(cmp);
        for (let i = 1; i < sorted.length; i++) expect(cmp(sorted[i - 1]!, sorted[i]!)).toBeLessThan(0);
      }),
    );
  });

  it("sorts any permutation of the same runs to the same order", () => {
    const arb = runsArb.chain((runs) => fc.tuple(fc.constant(runs), fc.shuffledSubarray(runs, { minLength: runs.length, maxLength: runs.length })));
    fc.assert(
      fc.property(arb, orderByArb, ([runs, shuffled], orderBy) => {
        const cmp = compileRunOrderBy(orderBy);
        expect(ids([...shuffled].sort(cmp))).toEqual(ids([...runs].sort(cmp)));
      }),
    );
  });

  it("searchRunsIn orders runs exactly as sorting by the compileRunOrderBy comparator does", () => {
    fc.assert(
      fc.property(runsArb, orderByArb, (runs, orderBy) => {
        const expected = runs.filter((r) => r.info.lifecycleStage === "active").sort(compileRunOrderBy(orderBy));
        expect(ids(searchRunsIn(runs, { experimentIds: ["1", "2"], orderBy }).runs)).toEqual(ids(expected));
      }),
    );
  });

  it("concatenating every page equals the unpaged result", () => {
    const viewType = fc.constantFrom<ViewType>("ACTIVE_ONLY", "DELETED_ONLY", "ALL");
    const filter = fc.option(clauseArb, { nil: undefined });
    fc.assert(
      fc.property(runsArb, orderByArb, filter, viewType, fc.integer({ min: 1, max: 15 }), (runs, orderBy, f, runViewType, k) => {
        const query = { experimentIds: ["1", "2"], orderBy, runViewType, ...(f === undefined ? {} : { filter: f }) };
        const whole = searchRunsIn(runs, { ...query, maxResults: 50000 }).runs;
        const seen: Run[] = [];
        let pageToken: string | undefined;
        let pages = 0;
        do {
          const page = searchRunsIn(runs, { ...query, maxResults: k, ...(pageToken === undefined ? {} : { pageToken }) });
          expect(page.runs.length).toBeLessThanOrEqual(k);
          seen.push(...page.runs);
          pageToken = page.nextPageToken;
          pages++;
        } while (pageToken !== undefined);
        expect(ids(seen)).toEqual(ids(whole));
        expect(pages).toBe(Math.max(1, Math.ceil(whole.length / k)));
      }),
    );
  });

  it("A OR B matches the union and A AND B the intersection", () => {
    fc.assert(
      fc.property(runsArb, clauseArb, clauseArb, clauseArb, (runs, a, b, c) => {
        const [pa, pb, pc] = [a, b, c].map(compileRunFilter) as [(r: Run) => boolean, (r: Run) => boolean, (r: Run) => boolean];
        const or = compileRunFilter(`${a} OR ${b}`);
        const and = compileRunFilter(`${a} AND ${b}`);
        const mixed = compileRunFilter(`${a} OR ${b} AND ${c}`);
        const grouped = compileRunFilter(`(${a} OR ${b}) AND ${c}`);
        for (const r of runs) {
          expect(or(r)).toBe(pa(r) || pb(r));
          expect(and(r)).toBe(pa(r) && pb(r));
          expect(mixed(r)).toBe(pa(r) || (pb(r) && pc(r)));
          expect(grouped(r)).toBe((pa(r) || pb(r)) && pc(r));
        }
      }),
    );
  });

  it("a random expression tree evaluates like its leaves combined, printed with minimal parentheses", () => {
    type Tree = { leaf: string } | { op: "AND" | "OR"; left: Tree; right: Tree };
    const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
      tree: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        clauseArb.map((leaf) => ({ leaf })),
        fc.record({ op: fc.constantFrom("AND" as const, "OR" as const), left: tie("tree"), right: tie("tree") }),
      ),
    }));
    // AND and OR are associative, so only an OR under an AND needs parentheses.
    const print = (t: Tree, parent?: "AND" | "OR"): string => {
      if ("leaf" in t) return t.leaf;
      const s = `${print(t.left, t.op)} ${t.op} ${print(t.right, t.op)}`;
      return parent === "AND" && t.op === "OR" ? `(${s})` : s;
    };
    const evaluate = (t: Tree, r: Run): boolean =>
      "leaf" in t ? compileRunFilter(t.leaf)(r) : t.op === "AND" ? evaluate(t.left, r) && evaluate(t.right, r) : evaluate(t.left, r) || evaluate(t.right, r);
    fc.assert(
      fc.property(runsArb, tree, (runs, t) => {
        const p = compileRunFilter(print(t));
        for (const r of runs) expect(p(r)).toBe(evaluate(t, r));
      }),
    );
  });
});
