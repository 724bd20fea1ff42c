/**
 * Logged models and the model registry of the Arrow store, as small JSON files:
 *
 *   models/<modelId>/model.json   one logged model (params, tags, metrics included), atomic
 *   models/<modelId>/artifacts/   its artifacts as plain files
 *   models/registry.json          every registered model with its versions, atomic
 *
 * Loaded when first used; every change goes through the store's write queue, and files are
 * written before memory changes (model-catalog.ts), so a failed write changes nothing.
 *
 * @module
 */
import { mkdir, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { LoggedModel } from "../../models.js";
import { ModelCatalog, type ModelPersistence, type RegistryData } from "../model-catalog.js";
import { listArtifactsIn, readArtifactIn, writeArtifactIn } from "./artifact-files.js";
import { ioError, readJson, writeAtomic } from "./files.js";

const MODEL_DIR = /^m-[0-9a-f]{32}$/;

/** JSON has no NaN, ±Infinity or -0: metric values like these are written as `{"$float": "NaN"}`. */
function encodeFloats(_key: string, v: unknown): unknown {
  return typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)) ? { $float: Object.is(v, -0) ? "-0" : String(v) } : v;
}

function decodeFloats(_key: string, v: unknown): unknown {
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    const f = (v as { $float?: unknown }).$float;
    if (typeof f === "string" && Object.keys(v).length === 1) return Number(f);
  }
  return v;
}

/** Reads a logged model's model.json (see {@link encodeFloats}). */
async function readModelJson(path: string): Promise<{ ok: true; value: LoggedModel } | { ok: false; reason: string }> {
  try {
    return { ok: true, value: JSON.parse(await readFile(path, "utf8"), decodeFloats) as LoggedModel };
  } catch (e) {
    return { ok: false, reason: (e as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : `unreadable (${(e as Error).message})` };
  }
}

/** Paths of the models area under store root `root`. */
export const modelPaths = {
  dir: (root: string) => join(root, "models"),
  model: (root: string, id: string) => join(root, "models", id),
  meta: (root: string, id: string) => join(root, "models", id, "model.json"),
  artifacts: (root: string, id: string) => join(root, "models", id, "artifacts"),
  registry: (root: string) => join(root, "models", "registry.json"),
};

/** The persistence of the models area of the store at `root`. */
function persistence(root: string): ModelPersistence {
  const ensure = async (dir: string) => mkdir(dir, { recursive: true }).catch((e) => { throw ioError("create", dir, e); });
  return {
    artifactLocation: (id) => `file://${modelPaths.artifacts(root, id)}`,
    async saveLoggedModel(m) {
      await ensure(modelPaths.model(root, m.modelId));
      await writeAtomic(modelPaths.meta(root, m.modelId), JSON.stringify(m, encodeFloats), false);
    },
    async removeLoggedModel(id) {
      await rm(modelPaths.model(root, id), { recursive: true, force: true }).catch((e) => { throw ioError("remove", modelPaths.model(root, id), e); });
    },
    async saveRegistry(data) {
      await ensure(modelPaths.dir(root));
      await writeAtomic(modelPaths.registry(root), JSON.stringify(data), false);
    },
    writeArtifact: (id, path, data) => writeArtifactIn(modelPaths.artifacts(root, id), path, data),
    listArtifacts: (id, path) => listArtifactsIn(modelPaths.artifacts(root, id), path),
    async readArtifact(id, path) {
      try {
        return await readArtifactIn(modelPaths.artifacts(root, id), id, path);
      } catch (e) {
        if ((e as { code?: string }).code === "RESOURCE_DOES_NOT_EXIST") (e as Error).message = `Logged model '${id}' has no artifact file '${path}'.`;
        throw e;
      }
    },
  };
}

/**
 * Loads the models area of the store at `root` (missing = empty). A damaged file is reported to
 * `warn` and left out, like a damaged run.
 */
export async function openArrowModels(root: string, experimentExists: (id: string) => boolean, warn: (m: string) => void): Promise<ModelCatalog> {
  const loggedModels: LoggedModel[] = [];
  let names: string[] = [];
  try {
    names = (await readdir(modelPaths.dir(root), { withFileTypes: true })).filter((e) => e.isDirectory() && MODEL_DIR.test(e.name)).map((e) => e.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw ioError("read", modelPaths.dir(root), e);
  }
  for (const id of names) {
    const read = await readModelJson(modelPaths.meta(root, id));
    if (read.ok) loggedModels.push(read.value);
    else warn(`logged model ${id} left out: ${modelPaths.meta(root, id)} is ${read.reason}.`);
  }
  let registry: RegistryData = [];
  const read = await readJson<RegistryData>(modelPaths.registry(root));
  if (read.ok) registry = read.value;
  else if (!read.missing) warn(`the model registry was left out: ${modelPaths.registry(root)} is ${read.reason}.`);
  return new ModelCatalog(persistence(root), experimentExists, { loggedModels, registry });
}
