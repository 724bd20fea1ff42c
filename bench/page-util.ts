/** What the Chromium benchmark pages share: progress lines, medians, a zero-delay yield. */

/** Prints a progress line to the console (the driver echoes it) and the page. */
export function say(s: string): void {
  console.log(s);
  const out = document.getElementById("out");
  if (out) out.textContent += `\n${s}`;
}

// A macrotask turn without setTimeout's 4 ms clamp, so yields do not pad the timings.
const channel = new MessageChannel();
/** Yields one macrotask turn. */
export const yieldNow = (): Promise<void> =>
  new Promise<void>((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });

/** The p50 and p99 of `xs`. */
export function quantiles(xs: number[]): { p50: number; p99: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { p50: q(0.5), p99: q(0.99) };
}

/** Runs `fn` `times` times; the median and every sample. */
export async function median(times: number, fn: () => Promise<number>): Promise<{ medianMs: number; samplesMs: number[] }> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) samples.push(await fn());
  return { medianMs: quantiles(samples).p50, samplesMs: samples };
}

/** The page's query: `scale` (default 1) and `only` (comma-separated benchmark names). */
export const QUERY = new URLSearchParams(location.search);
export const SCALE = Number(QUERY.get("scale") ?? "1");
const ONLY = QUERY.get("only")?.split(",");

/**
 * Runs the benchmarks the query selects, in order, then `cleanup`, and reports the result (or
 * the error) to the driver through `window.benchResult` / `window.benchError`.
 */
export function runBenchmarks(benchmark: string, benches: [string, () => Promise<unknown>][], cleanup: () => Promise<unknown>): void {
  const run = async () => {
    const result: Record<string, unknown> = {
      benchmark,
      date: new Date().toISOString(),
      scale: SCALE,
      browser: { userAgent: navigator.userAgent, cores: navigator.hardwareConcurrency, crossOriginIsolated },
    };
    for (const [name, fn] of benches) {
      if (ONLY && !ONLY.includes(name)) continue;
      say(`${name}…`);
      result[name] = await fn();
      say(JSON.stringify(result[name]));
    }
    await cleanup();
    return result;
  };
  run().then(
    (r) => ((window as unknown as { benchResult: unknown }).benchResult = r),
    (e: unknown) => ((window as unknown as { benchError: string }).benchError = String((e as Error)?.stack ?? e)),
  );
}
