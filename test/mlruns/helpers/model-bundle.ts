/**
 * A hand-made bundle in MLflow 3.17's layout with logged models and a registry (the runs of
 * smallBundle, a logged model with params, metrics, tags and artifacts, a bare pending model,
 * and a registered model with two versions, tags and an alias).
 */
import { RUN_A, smallBundle, type Files } from "./bundle.js";

export const MODEL = "m-0123456789abcdef0123456789abcdef";
export const BARE = "m-fedcba9876543210fedcba9876543210";
export const M = `mlruns/1/models/${MODEL}`;
export const R = "mlruns/models/Echo model";

export function modelMeta(id: string, extra = "status: 2\n"): string {
  return `artifact_location: file:///elsewhere/1/models/${id}/artifacts\ncreation_timestamp: 1700000000100\nexperiment_id: '1'\nlast_updated_timestamp: 1700000000200\nmodel_id: ${id}\nmodel_type: agent\nname: echo\nsource_run_id: ${RUN_A}\nstatus_message: null\n${extra}`;
}

export function versionMeta(n: number, source: string, extra = ""): string {
  return `creation_timestamp: 17000000003${n}0\ncurrent_stage: None\ndeployment_job_state: null\ndescription: v${n}\nlast_updated_timestamp: 17000000004${n}0\nmodel_id: ${source.startsWith("models:/") ? MODEL : "null"}\nname: Echo model\nrun_id: ${RUN_A}\nrun_link: null\nsource: ${source}\nstatus: READY\nstatus_message: null\nstorage_location: ${source.startsWith("models:/") ? `file:///elsewhere/1/models/${MODEL}/artifacts` : source}\nuser_id: null\nversion: ${n}\nworkspace: default\n${extra}`;
}

/** smallBundle plus a logged model (params, metrics, tags, artifacts), a bare pending model, and a registered model with two versions, tags and an alias. */
export function modelBundle(): Files {
  return {
    ...smallBundle(),
    [`${M}/meta.yaml`]: modelMeta(MODEL),
    [`${M}/params/alpha`]: "0.5",
    [`${M}/metrics/val/acc`]: `1700000000000 0.9 1 ${RUN_A}\n1700000000001 nan 2 ${RUN_A} eval d1g3st\n`,
    [`${M}/tags/mlflow.user`]: "ada",
    [`${M}/tags/mlflow.modelVersions`]: '[{"name": "Echo model", "version": 1}]',
    [`${M}/artifacts/MLmodel`]: `model_id: ${MODEL}\n`,
    [`${M}/artifacts/data/model.pkl`]: new Uint8Array([0, 1, 2, 3]),
    [`mlruns/1/models/${BARE}/meta.yaml`]: modelMeta(BARE, "lifecycle_stage: active\nstatus: 1\n").replace(`source_run_id: ${RUN_A}`, "source_run_id: null"),
    [`mlruns/1/models/${BARE}/tags/k`]: "v",
    [`${R}/meta.yaml`]: "aliases:\n  champion: '1'\ncreation_timestamp: 1700000000300\ndeployment_job_id: null\ndeployment_job_state: null\ndescription: an echo\nlast_updated_timestamp: 1700000000500\nname: Echo model\nworkspace: default\n",
    [`${R}/tags/owner`]: "me",
    [`${R}/aliases/champion`]: "1",
    [`${R}/version-1/meta.yaml`]: versionMeta(1, `models:/${MODEL}`),
    [`${R}/version-1/tags/validated`]: "yes",
    [`${R}/version-2/meta.yaml`]: versionMeta(2, `file:///elsewhere/1/${RUN_A}/artifacts/model`, "").replace("current_stage: None", "current_stage: Staging"),
  };
}
