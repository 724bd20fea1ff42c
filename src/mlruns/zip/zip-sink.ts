/**
 * A {@link BundleSink} writing a zip: the bundle goes under `mlruns/` inside the archive (what
 * `zip -r bundle.zip mlruns` gives), folders as explicit entries so empty ones survive (§8.7).
 *
 * @module
 */
import { assertSafePath, type BundleSink, type FileBatch } from "../io.js";
import { MLRUNS } from "../layout.js";
import { ZipWriter, type ByteSink } from "./zip-writer.js";

/** What a zip sink needs from its medium: bytes in order, then commit or abort. */
export type ZipOutput = ByteSink & { commit(): Promise<void>; abort(): Promise<void> };

/** Formats metric files elsewhere (worker threads): their bytes and CRC-32s, in order. The points are copied before it returns. */
export type MetricFormatter = (metrics: FileBatch["metrics"]) => Promise<{ chunks: Uint8Array[]; crcs: number[] }>;

/** What a zip sink may be given to go faster: a formatter for batches, a faster CRC-32. */
export type ZipSinkOptions = { formatter?: MetricFormatter; crc32?: (data: Uint8Array) => number };

/** Batches formatted ahead of the one being added to the archive. */
const BATCHES_AHEAD = 8;

/** A sink writing the bundle as a zip to `out`. `rootUri` is where the `mlruns/` folder will be once unpacked. */
export function zipSink(out: ZipOutput, label: string, rootUri: string | undefined, options: ZipSinkOptions = {}): BundleSink {
  const zip = new ZipWriter(out, new Date(), options.crc32);
  const dirs = new Set<string>();
  const mkdir = async (path: string): Promise<void> => {
    if (path === "" || dirs.has(path)) return;
    const at = path.lastIndexOf("/");
    if (at > 0) await mkdir(path.slice(0, at));
    dirs.add(path);
    await zip.addDirectory(path);
  };
  const addFile = async (path: string, data: Uint8Array | readonly Uint8Array[], crc?: number) => {
    const full = `${MLRUNS}/${path}`;
    await mkdir(full.slice(0, full.lastIndexOf("/")));
    await zip.addFile(full, data, crc);
  };
  // Entries are added one at a time, in call order: batches are formatted ahead (in parallel),
  // but each waits for the ones before it to be in the archive.
  let tail: Promise<void> = Promise.resolve();
  let failure: unknown;
  const ahead: Promise<void>[] = [];
  const inOrder = (op: () => Promise<void>): Promise<void> => {
    const p = tail.then(() => (failure === undefined ? op() : undefined));
    tail = p.catch((e: unknown) => void (failure ??= e));
    return p;
  };
  const formatter = options.formatter;
  const writeBatch = async (batch: FileBatch): Promise<void> => {
    for (const p of [...batch.dirs, ...batch.files.map((f) => f.path), ...batch.metrics.map((m) => m.path)]) assertSafePath(p);
    if (failure !== undefined) throw failure;
    const formatted = formatter!(batch.metrics);
    formatted.catch(() => undefined); // its failure is reported in order, below
    const done = inOrder(async () => {
      for (const d of batch.dirs) await mkdir(`${MLRUNS}/${d}`);
      for (const f of batch.files) await addFile(f.path, f.data);
      const { chunks, crcs } = await formatted;
      let bytes = 0;
      for (let i = 0; i < chunks.length; i++) {
        await addFile(batch.metrics[i]!.path, chunks[i]!, crcs[i]!);
        bytes += chunks[i]!.length;
      }
      batch.onFormatted?.(bytes);
    });
    ahead.push(done.catch(() => undefined));
    if (ahead.length > BATCHES_AHEAD) await ahead.shift();
    if (failure !== undefined) throw failure;
  };
  const settled = async () => {
    await tail;
    if (failure !== undefined) throw failure;
  };
  return {
    label,
    rootUri,
    ...(formatter ? { writeBatch } : {}),
    async mkdir(path) {
      assertSafePath(path);
      await inOrder(() => mkdir(`${MLRUNS}/${path}`));
    },
    async writeFile(path, data) {
      assertSafePath(path);
      await inOrder(() => addFile(path, data));
    },
    async commit() {
      await settled();
      await zip.finish();
      await out.commit();
    },
    async abort() {
      await tail;
      await out.abort();
    },
  };
}
