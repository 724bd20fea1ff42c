/**
 * ActiveRun: the handle a training loop logs through. Logging calls are synchronous and only
 * enqueue; `end()` flushes, records the final status and raises any write that failed.
 *
 * @module
 */
import { artifactBytes, isLocalFile, validateArtifactPath, type ArtifactData } from "./artifacts.js";
import type { RunInfo, TerminalRunStatus } from "./entities.js";
import { TrackerError } from "./errors.js";
import type { TrackingClient } from "./client.js";
import { validateStatus } from "./validation.js";

/** What the tracker does when a run ends (pops it off the active-run stack). */
export type RunEnder = (run: ActiveRun, status: TerminalRunStatus) => Promise<void>;

/** A started run. Obtain one from `tracker.startRun()` or the fluent `startRun()`. */
export class ActiveRun {
  /** The run's info as of its start (status and end time are updated by `end()`). */
  readonly info: RunInfo;
  private readonly client: TrackingClient;
  private readonly slot: number;
  private readonly ender: RunEnder;
  private ended = false;

  /** @internal Created by the tracker. */
  constructor(info: RunInfo, client: TrackingClient, ender: RunEnder) {
    this.info = { ...info };
    this.client = client;
    this.slot = client.attach(info.runId);
    this.ender = ender;
  }

  /** The run's id (32 lowercase hex). */
  get runId(): string {
    return this.info.runId;
  }

  /** True once `end()` was called. */
  get isEnded(): boolean {
    return this.ended;
  }

  /**
   * Logs one metric point. Synchronous: it validates and enqueues, never awaits storage.
   *
   * @param step integer, default 0
   * @param timestamp epoch ms, default now
   * @example
   * ```ts
   * for (let step = 0; step < 1000; step++) run.logMetric("loss", 1 / (step + 1), step);
   * ```
   */
  logMetric(key: string, value: number, step = 0, timestamp: number = Date.now()): void {
    if (this.ended) this.throwEnded();
    this.client.logMetric(this.slot, key, value, step, timestamp);
  }

  /**
   * Logs several metrics at one step (and one timestamp).
   *
   * @example
   * ```ts
   * run.logMetrics({ loss: 0.31, accuracy: 0.92 }, epoch);
   * ```
   */
  logMetrics(metrics: Record<string, number>, step = 0, timestamp: number = Date.now()): void {
    if (this.ended) this.throwEnded();
    for (const key of Object.keys(metrics)) this.client.logMetric(this.slot, key, metrics[key]!, step, timestamp);
  }

  /**
   * Logs a param (a hyperparameter). Values are stored as strings. Params are immutable: the
   * same value again is a no-op, another value throws INVALID_PARAMETER_VALUE.
   *
   * @example
   * ```ts
   * run.logParam("optimizer", "adam");
   * ```
   */
  logParam(key: string, value: unknown): void {
    if (this.ended) this.throwEnded();
    this.client.logParam(this.slot, key, value);
  }

  /**
   * Logs several params.
   *
   * @example
   * ```ts
   * run.logParams({ lr: 0.01, layers: 3 });
   * ```
   */
  logParams(params: Record<string, unknown>): void {
    if (this.ended) this.throwEnded();
    // Validate every entry before enqueueing any, so a bad one leaves the run's queue as it was.
    const entries = Object.entries(params);
    for (const [k, v] of entries) this.client.checkParam(this.slot, k, v);
    for (const [k, v] of entries) this.client.logParam(this.slot, k, v);
  }

  /**
   * Sets a tag (tags may be overwritten).
   *
   * @example
   * ```ts
   * run.setTag("mlflow.note.content", "baseline with dropout");
   * ```
   */
  setTag(key: string, value: unknown): void {
    if (this.ended) this.throwEnded();
    this.client.setTag(this.slot, key, value);
  }

  /**
   * Sets several tags.
   *
   * @example
   * ```ts
   * run.setTags({ team: "vision", dataset: "mnist" });
   * ```
   */
  setTags(tags: Record<string, unknown>): void {
    if (this.ended) this.throwEnded();
    const entries = Object.entries(tags);
    for (const [k, v] of entries) this.client.checkTag(k, v);
    for (const [k, v] of entries) this.client.setTag(this.slot, k, v);
  }

  /**
   * Stores an artifact file under the run: bytes as they are, a string as UTF-8 text,
   * `{ file: "<local path>" }` to copy a local file (Node stores), any other value as
   * pretty-printed JSON. Not a hot-path call: it writes before resolving.
   *
   * @example
   * ```ts
   * await run.logArtifact("config.json", { lr: 0.01, layers: [64, 32] });
   * await run.logArtifact("notes/summary.md", "# Result\nacc 0.98");
   * await run.logArtifact("model/weights.bin", { file: "./out/weights.bin" });
   * ```
   */
  async logArtifact(artifactPath: string, data: ArtifactData): Promise<void> {
    if (this.ended) this.throwEnded();
    validateArtifactPath(artifactPath);
    const store = this.client.store;
    if (isLocalFile(data)) {
      if (!store.logArtifactFile) {
        throw new TrackerError("NOT_IMPLEMENTED", `This store cannot read local files; pass the bytes instead of { file: "${data.file}" }.`);
      }
      return store.logArtifactFile(this.info.runId, artifactPath, data.file);
    }
    await store.logArtifact(this.info.runId, artifactPath, artifactBytes(data));
  }

  /** Waits until everything logged so far is stored; rejects if a write failed. */
  flush(): Promise<void> {
    return this.client.flush();
  }

  /**
   * Ends the run: flushes, sets the status (default FINISHED) and end time. Rejects if any write
   * of the run failed, after the run has been ended.
   *
   * @example
   * ```ts
   * await run.end();           // FINISHED
   * await run.end("FAILED");
   * ```
   */
  async end(status: TerminalRunStatus = "FINISHED"): Promise<void> {
    validateStatus(status);
    // Runtime check for JavaScript callers; the type already excludes these.
    if ((status as string) === "RUNNING" || (status as string) === "SCHEDULED") {
      throw new TrackerError("INVALID_PARAMETER_VALUE", `A run ends as FINISHED, FAILED or KILLED, not ${status}.`);
    }
    if (this.ended) return;
    this.ended = true;
    await this.ender(this, status);
  }

  /** @internal Records the final status on the handle after the store has it. */
  markEnded(info: RunInfo): void {
    Object.assign(this.info, info);
  }

  private throwEnded(): never {
    throw new TrackerError("INVALID_STATE", `Run '${this.info.runId}' has ended; start a new run to log more.`);
  }
}
