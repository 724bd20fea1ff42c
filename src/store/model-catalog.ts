/**
 * The rules of {@link ModelStore}, once for every backend: logged models and the registry held
 * in memory, each change validated in full, handed to the backend's persistence, and only then
 * applied in memory (so a failed write changes nothing). Backends supply where records and
 * artifacts live ({@link ModelPersistence}); the memory store keeps everything in maps.
 *
 * @module
 */
import { validateArtifactPath, type ArtifactInfo } from "../artifacts.js";
import { invalidParameter, TrackerError } from "../errors.js";
import {
  validateLoggedModel,
  validateModelId,
  validateModelVersion,
  validateRegisteredModel,
  validateRegisteredModelName,
  validateVersionNumber,
  type LoggedModel,
  type ModelVersion,
  type RegisteredModel,
} from "../models.js";
import type { ModelStore } from "./store.js";

/** The registry as one plain value (how a backend saves it). */
export type RegistryData = { model: RegisteredModel; versions: ModelVersion[] }[];

/** Where a backend keeps model records and artifacts. */
export interface ModelPersistence {
  /** The artifact location the store reports for a logged model. */
  artifactLocation(modelId: string): string;
  saveLoggedModel(model: LoggedModel): Promise<void>;
  /** Removes the record and the artifacts. */
  removeLoggedModel(modelId: string): Promise<void>;
  saveRegistry(data: RegistryData): Promise<void>;
  writeArtifact(modelId: string, path: string, data: Uint8Array): Promise<void>;
  listArtifacts(modelId: string, path: string): Promise<ArtifactInfo[]>;
  /** RESOURCE_DOES_NOT_EXIST when there is no such file. */
  readArtifact(modelId: string, path: string): Promise<Uint8Array>;
}

type Entry = { model: RegisteredModel; versions: Map<number, ModelVersion> };

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** {@link ModelStore} over a {@link ModelPersistence}. */
export class ModelCatalog implements ModelStore {
  private readonly logged = new Map<string, LoggedModel>();
  private registry = new Map<string, Entry>();

  constructor(
    private readonly persistence: ModelPersistence,
    private readonly experimentExists: (experimentId: string) => boolean,
    loaded: { loggedModels?: LoggedModel[]; registry?: RegistryData } = {},
  ) {
    for (const m of loaded.loggedModels ?? []) this.logged.set(m.modelId, m);
    for (const e of loaded.registry ?? []) this.registry.set(e.model.name, { model: e.model, versions: new Map(e.versions.map((v) => [v.version, v])) });
  }

  async putLoggedModel(model: LoggedModel): Promise<void> {
    validateLoggedModel(model);
    if (!this.experimentExists(model.experimentId)) throw new TrackerError("RESOURCE_DOES_NOT_EXIST", `No experiment with id ${model.experimentId} for logged model ${model.modelId}.`);
    const m = structuredClone({ ...model, artifactLocation: this.persistence.artifactLocation(model.modelId) });
    await this.persistence.saveLoggedModel(m);
    this.logged.set(m.modelId, m);
  }

  async getLoggedModel(modelId: string): Promise<LoggedModel> {
    return structuredClone(this.loggedModel(modelId));
  }

  async searchLoggedModels(experimentIds?: string[]): Promise<LoggedModel[]> {
    const wanted = experimentIds === undefined ? undefined : new Set(experimentIds);
    return [...this.logged.values()]
      .filter((m) => wanted === undefined || wanted.has(m.experimentId))
      .sort((a, b) => b.creationTimestamp - a.creationTimestamp || byName(a.modelId, b.modelId))
      .map((m) => structuredClone(m));
  }

  async deleteLoggedModel(modelId: string): Promise<void> {
    this.loggedModel(modelId);
    await this.persistence.removeLoggedModel(modelId);
    this.logged.delete(modelId);
  }

  async logLoggedModelArtifact(modelId: string, path: string, data: Uint8Array): Promise<void> {
    this.loggedModel(modelId);
    validateArtifactPath(path);
    if (!(data instanceof Uint8Array)) throw invalidParameter("Artifact data must be a Uint8Array.");
    await this.persistence.writeArtifact(modelId, path, data);
  }

  async listLoggedModelArtifacts(modelId: string, path = ""): Promise<ArtifactInfo[]> {
    this.loggedModel(modelId);
    validateArtifactPath(path, true);
    return this.persistence.listArtifacts(modelId, path);
  }

  async readLoggedModelArtifact(modelId: string, path: string): Promise<Uint8Array> {
    this.loggedModel(modelId);
    validateArtifactPath(path);
    return this.persistence.readArtifact(modelId, path);
  }

  async putRegisteredModel(model: RegisteredModel): Promise<void> {
    validateRegisteredModel(model);
    const m = structuredClone(model);
    await this.changeRegistry((r) => r.set(m.name, { model: m, versions: r.get(m.name)?.versions ?? new Map() }));
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return structuredClone(this.entry(name).model);
  }

  async listRegisteredModels(): Promise<RegisteredModel[]> {
    return [...this.registry.values()].map((e) => structuredClone(e.model)).sort((a, b) => byName(a.name, b.name));
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    this.entry(name);
    await this.changeRegistry((r) => r.delete(name));
  }

  async putModelVersion(version: ModelVersion): Promise<void> {
    validateModelVersion(version);
    const v = structuredClone(version);
    const e = this.entry(v.name);
    await this.changeRegistry((r) => r.set(v.name, { model: e.model, versions: new Map(e.versions).set(v.version, v) }));
  }

  async getModelVersion(name: string, version: number): Promise<ModelVersion> {
    return structuredClone(this.version(name, version));
  }

  async listModelVersions(name: string): Promise<ModelVersion[]> {
    return [...this.entry(name).versions.values()].sort((a, b) => a.version - b.version).map((v) => structuredClone(v));
  }

  async deleteModelVersion(name: string, version: number): Promise<void> {
    this.version(name, version);
    const e = this.entry(name);
    const versions = new Map(e.versions);
    versions.delete(version);
    await this.changeRegistry((r) => r.set(name, { model: e.model, versions }));
  }

  /** Applies `change` to a copy of the registry, saves the copy, then makes it current. */
  private async changeRegistry(change: (r: Map<string, Entry>) => void): Promise<void> {
    const next = new Map(this.registry);
    change(next);
    await this.persistence.saveRegistry([...next.values()].map((e) => ({ model: e.model, versions: [...e.versions.values()] })));
    this.registry = next;
  }

  private loggedModel(modelId: string): LoggedModel {
    validateModelId(modelId);
    const m = this.logged.get(modelId);
    if (!m) throw new TrackerError("RESOURCE_DOES_NOT_EXIST", `Logged model '${modelId}' does not exist.`);
    return m;
  }

  private entry(name: string): Entry {
    validateRegisteredModelName(name);
    const e = this.registry.get(name);
    if (!e) throw new TrackerError("RESOURCE_DOES_NOT_EXIST", `Registered Model with name=${name} not found`);
    return e;
  }

  private version(name: string, version: number): ModelVersion {
    validateVersionNumber(version);
    const v = this.entry(name).versions.get(version);
    if (!v) throw new TrackerError("RESOURCE_DOES_NOT_EXIST", `Model Version (name=${name}, version=${version}) not found`);
    return v;
  }
}

/** Lists the direct children of folder `path` in a map of artifact files by path (memory backends). */
export function listArtifactMap(files: ReadonlyMap<string, Uint8Array>, path: string): ArtifactInfo[] {
  const prefix = path === "" ? "" : path + "/";
  const out = new Map<string, ArtifactInfo>();
  for (const [p, bytes] of files) {
    if (!p.startsWith(prefix)) continue;
    const rest = p.slice(prefix.length);
    const slash = rest.indexOf("/");
    const child = prefix + (slash < 0 ? rest : rest.slice(0, slash));
    out.set(child, slash < 0 ? { path: child, isDir: false, fileSize: bytes.length } : { path: child, isDir: true });
  }
  return [...out.values()].sort((a, b) => byName(a.path, b.path));
}

/** A {@link ModelPersistence} that keeps artifacts in memory and saves nothing. */
export function memoryModelPersistence(): ModelPersistence {
  const files = new Map<string, Map<string, Uint8Array>>();
  return {
    artifactLocation: (id) => `memory:/models/${id}/artifacts`,
    saveLoggedModel: async () => undefined,
    removeLoggedModel: async (id) => void files.delete(id),
    saveRegistry: async () => undefined,
    writeArtifact: async (id, path, data) => {
      const own = files.get(id) ?? new Map<string, Uint8Array>();
      for (const existing of own.keys()) {
        if (existing.startsWith(path + "/")) throw invalidParameter(`Cannot write artifact file '${path}': it is a folder.`);
        if (path.startsWith(existing + "/")) throw invalidParameter(`Cannot write artifact '${path}': '${existing}' is a file.`);
      }
      own.set(path, data.slice());
      files.set(id, own);
    },
    listArtifacts: async (id, path) => listArtifactMap(files.get(id) ?? new Map(), path),
    readArtifact: async (id, path) => {
      const bytes = files.get(id)?.get(path);
      if (!bytes) throw new TrackerError("RESOURCE_DOES_NOT_EXIST", `Logged model '${id}' has no artifact file '${path}'.`);
      return bytes.slice();
    },
  };
}
