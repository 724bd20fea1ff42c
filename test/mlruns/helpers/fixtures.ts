/**
 * The real MLflow stores in ../shared/fixtures/mlruns-public (never copied into the repo), and the
 * counts MANIFEST.md gives for each. Absent fixtures skip with a reason locally and fail under CI.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { ROOT } from "../../helpers/build.js";
import { requirePeer } from "../../helpers/peers.js";

export const FIXTURES = resolve(ROOT, "../shared/fixtures/mlruns-public");

/** True when the fixtures are there (else skip locally, fail under CI). */
export function requireFixtures(): boolean {
  return requirePeer("shared fixtures", existsSync(join(FIXTURES, "MANIFEST.md")), `expected at ${FIXTURES}; CI copies shared/ beside the clone`);
}

/** MANIFEST.md's summary table: what each fixture holds. `trash` counts experiments in .trash/. */
export type Expected = {
  exps: number;
  trash: number;
  runs: number;
  metricFiles: number;
  maxPoints: number;
  params: number;
  tags: number;
  artifacts: number;
  status?: Partial<Record<"FINISHED" | "FAILED" | "RUNNING", number>>;
  /** Runs whose meta says deleted (MANIFEST "Lifecycle: N deleted"); runs in .trash/ are deleted too. */
  deletedMeta?: number;
  inTrash?: number;
  registry?: number;
  loggedModels?: number;
};

/** From MANIFEST.md (summary table and per-fixture "Counts"). */
export const MANIFEST: Record<string, Expected> = {
  Gecofer__TFM_1920: { exps: 1, trash: 0, runs: 5, metricFiles: 34, maxPoints: 2, params: 0, tags: 24, artifacts: 18, status: { FINISHED: 5 } },
  Pyrsos__qmul_mlflow: { exps: 4, trash: 2, runs: 39, metricFiles: 63, maxPoints: 235, params: 98, tags: 278, artifacts: 59, status: { FINISHED: 18, FAILED: 8, RUNNING: 13 }, deletedMeta: 1, inTrash: 34 },
  "sumanshusamarora__mlflow-sklearn-classification": {
    exps: 7, trash: 4, runs: 32, metricFiles: 100, maxPoints: 1, params: 222, tags: 175, artifacts: 63, status: { FINISHED: 21, FAILED: 9, RUNNING: 2 }, deletedMeta: 25, inTrash: 29,
  },
  "w4k2__increasing-depth-life-long": { exps: 4, trash: 0, runs: 16, metricFiles: 450, maxPoints: 3069, params: 170, tags: 67, artifacts: 4, status: { FINISHED: 15, FAILED: 1 } },
  PremaKathiresanVasagam__MlOps_s3_dvc_demo: { exps: 2, trash: 0, runs: 1, metricFiles: 8, maxPoints: 21, params: 63, tags: 4, artifacts: 0, status: { FINISHED: 1 } },
  erandawi__simple_ann_project_with_mlflow: { exps: 2, trash: 0, runs: 15, metricFiles: 15, maxPoints: 1, params: 30, tags: 87, artifacts: 105, status: { FINISHED: 15 }, registry: 2 },
  jayw20230711__MLflow: { exps: 1, trash: 0, runs: 21, metricFiles: 31, maxPoints: 1, params: 102, tags: 108, artifacts: 65, status: { FINISHED: 12, FAILED: 9 }, deletedMeta: 1, registry: 1 },
  "al-kot__model-versionning": { exps: 2, trash: 0, runs: 4, metricFiles: 4, maxPoints: 2, params: 16, tags: 16, artifacts: 0, status: { FINISHED: 4 }, registry: 1, loggedModels: 4 },
  "2025-2-productos__PRE-07-mlflow-tracking-basico-LissyGraceRestrepo": {
    exps: 2, trash: 0, runs: 3, metricFiles: 18, maxPoints: 2, params: 17, tags: 15, artifacts: 0, status: { FINISHED: 3 }, loggedModels: 3,
  },
};

/** A fresh temporary folder, removed by the returned function. */
export function tempDir(prefix = "trackbook-mlruns-"): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file and folder below `root` (folders end in "/"), with file contents, sorted. */
export function readTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const rel = relative(root, p).split("\\").join("/");
      if (statSync(p).isDirectory()) {
        out[rel + "/"] = "";
        walk(p);
      } else out[rel] = readFileSync(p).toString("base64");
    }
  };
  walk(root);
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}
