/**
 * Node options for a worker thread started by trackbook (the store's worker, the mlruns thread
 * pool), and starting one with them.
 *
 * @module
 */
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * The parent's Node options minus `--input-type`, which a worker would apply to its entry file
 * and then refuse to load it (`node --input-type=module -e …` is how scripts get ESM inline).
 *
 * @example
 * ```ts
 * new Worker(entry, { execArgv: workerExecArgv() });
 * ```
 */
export function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--input-type") i++;
    else if (!argv[i]!.startsWith("--input-type=")) out.push(argv[i]!);
  }
  return out;
}

/**
 * Starts a worker with the parent's Node options ({@link workerExecArgv}) minus those a worker
 * refuses: V8 and process-wide flags such as `--max-old-space-size` or `--trace-gc` make the
 * `Worker` constructor throw (ERR_WORKER_INVALID_EXEC_ARGV), which would otherwise leave the
 * store on the calling thread, and an import on one thread, for any script run with them.
 *
 * @example
 * ```ts
 * const worker = startWorker(entry, { workerData: { uri } });
 * ```
 */
export function startWorker(entry: URL | string, options: Omit<WorkerOptions, "execArgv"> = {}): Worker {
  const execArgv = workerExecArgv();
  try {
    return new Worker(entry, { ...options, execArgv });
  } catch (e) {
    if ((e as { code?: string }).code !== "ERR_WORKER_INVALID_EXEC_ARGV") throw e;
    // The message lists the refused flags: "… invalid execArgv flags: --a=1, --b".
    const refused = new Set(((e as Error).message.split("flags: ")[1] ?? "").split(", "));
    const kept = execArgv.filter((a) => !refused.has(a));
    return new Worker(entry, { ...options, execArgv: kept.length < execArgv.length ? kept : [] });
  }
}
