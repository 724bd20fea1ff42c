/**
 * A bundle written to a folder on the local disk. Everything goes into a hidden sibling folder
 * first and is renamed into place by `commit()`, so a failed or cancelled export leaves nothing
 * behind, and a reader never sees half a bundle.
 *
 * @module
 */
import { close, mkdir as mkdirCb, open, write, writev } from "node:fs";
import { mkdir, readdir, rename, rm, rmdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { TrackerError } from "../../errors.js";
import { assertSafePath, type BundleSink, type FileBatch } from "../io.js";
import { packMetrics, type WriteReply } from "./bundle-jobs.js";
import { fsError } from "./fs-errors.js";
import { jobFailure, ThreadPool } from "./thread-pool.js";

/**
 * File writes (and folder creations) in flight at once. Writes are queued, not awaited: the
 * file system creates files on libuv's thread pool while this thread formats the next ones (a
 * synchronous write held this thread for the whole file creation, 0.1–1 ms per file on this
 * kind of VM). `writeFile` waits only when this many are in flight; the first failure is
 * thrown by the next call or by `commit()`. Twice the thread pool's 4 threads: enough to keep
 * it busy, and few enough that the store's own reads (same pool) are not queued behind many
 * writes; 32 showed no gain and more kernel time under a loaded disk.
 */
const IN_FLIGHT = 8;

/**
 * Opens a folder sink at `target`, which must not exist or be an empty folder. With `threads` > 0
 * (and a built worker entry), runs given as batches are formatted and written by that many
 * worker threads (bundle-jobs.ts) while this thread reads the next runs.
 */
export async function openFolderSink(target: string, threads?: number): Promise<BundleSink> {
  const dest = resolve(target);
  const existing = await stat(dest).catch(() => undefined);
  if (existing && (!existing.isDirectory() || (await readdir(dest)).length > 0)) {
    throw new TrackerError("RESOURCE_ALREADY_EXISTS", `Cannot export to ${dest}: it already exists and is not an empty folder. Choose a new path.`);
  }
  const temp = join(dirname(dest), `.${basename(dest)}.partial-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`);
  await mkdir(temp, { recursive: true }).catch((e) => {
    throw fsError(e, `create ${temp}`);
  });
  const pending = new Pending();
  /** Folders created (or being created): a file's write starts once its folder exists. */
  const made = new Map<string, Promise<void>>([[temp, Promise.resolve()]]);
  const ensureDir = (dir: string, shown: string): Promise<void> => {
    let p = made.get(dir);
    if (!p) {
      // Folders nest: a folder's parent (when this sink made it) comes first, so `recursive` is only a fallback.
      const parent = made.get(dirname(dir)) ?? Promise.resolve();
      p = parent.then(
        () =>
          new Promise<void>((ok, fail) =>
            mkdirCb(dir, { recursive: true }, (e) => (e ? fail(fsError(e, `create folder ${shown}`)) : ok())),
          ),
      );
      made.set(dir, p);
      pending.track(p);
    }
    return p;
  };
  const pool = ThreadPool.start(threads);
  /** Packed-point buffers the workers gave back, to fill again. */
  const spare: Float64Array[] = [];
  const writeBatch = async (batch: FileBatch): Promise<void> => {
    for (const p of [...batch.dirs, ...batch.files.map((f) => f.path), ...batch.metrics.map((m) => m.path)]) assertSafePath(p);
    pending.throwIfFailed();
    const { packed, columns } = packMetrics(batch.metrics, spare.pop());
    const job = { kind: "write" as const, root: temp, dirs: batch.dirs, files: batch.files.map((f): [string, Uint8Array] => [f.path, f.data]), metrics: packed, columns };
    const done = pool!.run<WriteReply>(job, [columns.buffer as ArrayBuffer]).then(
      (r) => {
        if (spare.length < 2 * pool!.size) spare.push(r.columns);
        let small = 0;
        for (const f of batch.files) small += f.data.length;
        batch.onFormatted?.(r.bytes - small);
      },
      (e: unknown) => Promise.reject(jobFailure(e, (path) => `write ${path === undefined ? dest : join(dest, path)}`)),
    );
    pending.track(done);
    await pending.room();
  };
  const close = async () => {
    await pending.drain();
    await pool?.close();
  };
  return {
    label: `folder ${dest}`,
    rootUri: pathToFileURL(dest).href,
    ...(pool ? { writeBatch } : {}),
    async mkdir(path) {
      assertSafePath(path);
      pending.throwIfFailed();
      void ensureDir(join(temp, path), join(dest, path));
      await pending.room();
    },
    async writeFile(path, data) {
      assertSafePath(path);
      pending.throwIfFailed();
      const file = join(temp, path);
      const chunks = data instanceof Uint8Array ? [data] : [...(data as readonly Uint8Array[])];
      const shown = join(dest, path);
      pending.track(ensureDir(dirname(file), dirname(shown)).then(() => writeNewFile(file, chunks).catch((e) => Promise.reject(fsError(e, `write ${shown}`)))));
      await pending.room();
    },
    async commit() {
      await close();
      pending.throwIfFailed();
      if (existing) await rmdir(dest);
      await rename(temp, dest).catch((e) => {
        throw fsError(e, `move the bundle into ${dest}`);
      });
    },
    async abort() {
      await close();
      await rm(temp, { recursive: true, force: true });
    },
  };
}

/** Operations in flight, at most {@link IN_FLIGHT}, and the first failure among them. */
class Pending {
  private count = 0;
  private failure: unknown;
  private waiters: (() => void)[] = [];

  track(p: Promise<void>): void {
    this.count++;
    p.then(
      () => this.settle(),
      (e: unknown) => {
        this.failure ??= e;
        this.settle();
      },
    );
  }

  /** Waits until fewer than IN_FLIGHT are in flight (or one failed). */
  async room(): Promise<void> {
    while (this.count >= IN_FLIGHT && this.failure === undefined) await new Promise<void>((r) => this.waiters.push(r));
    this.throwIfFailed();
  }

  /** Waits until nothing is in flight. */
  async drain(): Promise<void> {
    while (this.count > 0) await new Promise<void>((r) => this.waiters.push(r));
  }

  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private settle(): void {
    this.count--;
    for (const w of this.waiters.splice(0)) w();
  }
}

/** Creates `file` (it must not exist) with `chunks`: open, write (completing short writes), close. */
function writeNewFile(file: string, chunks: Uint8Array[]): Promise<void> {
  return new Promise((ok, fail) => {
    open(file, "wx", (e, fd) => {
      if (e) return fail(e);
      const done = (err: unknown) => close(fd, (e2) => (err || e2 ? fail(err ?? e2) : ok()));
      const total = chunks.reduce((n, c) => n + c.length, 0);
      const finish = (written: number) => {
        if (written >= total) return done(null);
        // A short write (a disk filling up): write the rest, failing when nothing more goes in.
        const rest = Buffer.concat(chunks).subarray(written);
        write(fd, rest, 0, rest.length, null, (e3, n) => (e3 ? done(e3) : n === 0 ? done(Object.assign(new Error("no bytes could be written"), { code: "ENOSPC" })) : finish(written + n)));
      };
      if (chunks.length === 1) write(fd, chunks[0]!, 0, chunks[0]!.length, null, (e3, n) => (e3 ? done(e3) : finish(n)));
      else if (chunks.length === 0) done(null);
      else writev(fd, chunks, (e3, n) => (e3 ? done(e3) : finish(n)));
    });
  });
}
