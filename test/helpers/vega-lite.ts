/**
 * Checks a spec the way the widget tests need: against Vega-Lite 5's JSON schema (Ajv, draft-07,
 * the schema file shipped in the vega-lite 5 package), then through vega-lite 5's compiler with
 * a logger that records every warning, then through vega's parser.
 */
import { createRequire } from "node:module";
import { Ajv } from "ajv";

const require = createRequire(import.meta.url);
// Loaded untyped: vega's typings need the DOM lib and vega-lite's do not compile under
// exactOptionalPropertyTypes; these few calls need no more than this.
type View = { toSVG(): Promise<string> };
const vega = require("vega") as { parse(spec: object): object; View: new (runtime: object, opts: object) => View };
const vl = require("vega-lite") as { compile(spec: object, opts?: object): { spec: object } };
const schema = require("vega-lite/build/vega-lite-schema.json") as object;
// strict: false because the schema uses keywords Ajv's strict mode rejects (e.g. unknown formats).
const ajv = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true });
const validate = ajv.compile(schema);

/** What is wrong with `spec`: schema errors, compiler warnings and errors (empty when none). */
export function specProblems(spec: object): string[] {
  const problems: string[] = [];
  if (!validate(spec)) {
    // anyOf branches produce many messages; the deepest path is the telling one.
    const errs = [...(validate.errors ?? [])].sort((a, b) => b.instancePath.length - a.instancePath.length).slice(0, 5);
    problems.push(...errs.map((e) => `schema: ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`));
  }
  const logger = {
    level(): number { return 0; },
    warn: (...a: unknown[]) => void problems.push(`warn: ${a.map(String).join(" ")}`),
    info: () => undefined,
    debug: () => undefined,
    error: (...a: unknown[]) => void problems.push(`error: ${a.map(String).join(" ")}`),
  };
  try {
    const out = vl.compile(spec, { logger });
    vega.parse(out.spec);
  } catch (e) {
    problems.push(`compile: ${(e as Error).message}`);
  }
  return problems;
}

/** Compiles `spec` and renders it to SVG in Node (no canvas). */
export async function toSvg(spec: object): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
  return view.toSVG();
}
