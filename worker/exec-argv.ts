/**
 * Node options for a worker thread started by trackbook (the store's worker, the mlruns thread
 * pool).
 *
 * @module
 */

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
