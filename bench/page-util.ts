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

/** Reports the page's result (or error) to the driver. */
export function finish(run: () => Promise<unknown>): void {
  run().then(
    (r) => ((window as unknown as { benchResult: unknown }).benchResult = r),
    (e: unknown) => ((window as unknown as { benchError: string }).benchError = String((e as Error)?.stack ?? e)),
  );
}
