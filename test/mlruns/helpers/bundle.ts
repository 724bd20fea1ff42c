/** Hand-made bundles: a map of paths to contents written into a temporary folder. */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export type Files = Record<string, string | Uint8Array | null>;

/** Writes `files` below `root` (a null content makes an empty folder); returns `root`. */
export function writeBundle(root: string, files: Files): string {
  for (const [path, content] of Object.entries(files)) {
    const p = join(root, path);
    if (content === null) mkdirSync(p, { recursive: true });
    else {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content);
    }
  }
  return root;
}

export const RUN_A = "0123456789abcdef0123456789abcdef";
export const RUN_B = "fedcba9876543210fedcba9876543210";
export const RUN_C = "00000000000000000000000000000001";

/** A minimal 3.x-style run meta.yaml. */
export function runMeta(runId: string, experimentId: string, extra = ""): string {
  return `artifact_uri: file:///elsewhere/${experimentId}/${runId}/artifacts\nend_time: 1700000001000\nexperiment_id: '${experimentId}'\nlifecycle_stage: active\nrun_id: '${runId}'\nrun_name: r-${runId.slice(0, 4)}\nstart_time: 1700000000000\nstatus: 3\nuser_id: someone\n${extra}`;
}

/** A minimal experiment meta.yaml. */
export function expMeta(id: string, name: string, extra = ""): string {
  return `artifact_location: file:///elsewhere/${id}\nexperiment_id: '${id}'\nlifecycle_stage: active\nname: ${name}\n${extra}`;
}

/** A small valid bundle: experiment 0 and experiment 1 with two runs. */
export function smallBundle(): Files {
  return {
    "mlruns/.trash": null,
    "mlruns/0/meta.yaml": expMeta("0", "Default"),
    "mlruns/1/meta.yaml": expMeta("1", "one"),
    [`mlruns/1/${RUN_A}/meta.yaml`]: runMeta(RUN_A, "1"),
    [`mlruns/1/${RUN_A}/metrics/loss`]: "1700000000000 0.5 0\n1700000000001 0.25 1\n",
    [`mlruns/1/${RUN_A}/params/lr`]: "0.1",
    [`mlruns/1/${RUN_A}/tags/mlflow.runName`]: `r-${RUN_A.slice(0, 4)}`,
    [`mlruns/1/${RUN_A}/artifacts/model/weights.bin`]: new Uint8Array([1, 2, 3]),
    [`mlruns/1/${RUN_B}/meta.yaml`]: runMeta(RUN_B, "1"),
    [`mlruns/1/${RUN_B}/metrics/loss`]: "1700000000000 0.75 0\n",
    [`mlruns/1/${RUN_B}/params`]: null,
    [`mlruns/1/${RUN_B}/artifacts`]: null,
  };
}
