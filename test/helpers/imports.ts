/**
 * Import scanning for the house rules: which module each source file imports, at runtime.
 * `import type` / `export type` are ignored (they vanish at compile time, as vega-lite's
 * disallowedImports() also lets type-only imports pass).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export type ImportRef = { file: string; spec: string; line: number };

const PATTERNS = [
  // import x from "m"; import { a } from "m"; export { a } from "m"; export * from "m"
  /(?:^|[\n;])\s*(import|export)\s+(type\s+)?[^;'"]*?\bfrom\s*["']([^"']+)["']/g,
  // import "m";
  /(?:^|[\n;])\s*import\s*["']([^"']+)["']/g,
  // import("m"), require("m")
  /\b(?:import|require)\s*\(\s*["']([^"']+)["']\s*\)/g,
];

/** Runtime imports of one file's source text. */
export function scanImports(file: string, text: string): ImportRef[] {
  const out: ImportRef[] = [];
  const lineOf = (i: number) => text.slice(0, i).split("\n").length;
  for (const m of text.matchAll(PATTERNS[0]!)) if (!m[2]) out.push({ file, spec: m[3]!, line: lineOf(m.index!) });
  for (const m of text.matchAll(PATTERNS[1]!)) out.push({ file, spec: m[1]!, line: lineOf(m.index!) });
  for (const m of text.matchAll(PATTERNS[2]!)) out.push({ file, spec: m[1]!, line: lineOf(m.index!) });
  return out;
}

/** Every .ts/.tsx/.js/.mjs file below `dir` (relative to `root`, with "/" separators). */
export function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|tsx|mts|js|mjs)$/.test(name) && !name.endsWith(".d.ts")) out.push(relative(root, p).split("\\").join("/"));
    }
  };
  walk(join(root, dir));
  return out;
}

export function readImports(root: string, files: string[]): ImportRef[] {
  return files.flatMap((f) => scanImports(f, readFileSync(join(root, f), "utf8")));
}
