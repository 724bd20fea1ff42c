// Runs benchmark pages in Debian's Chromium (TRACKBOOK_CHROMIUM, default /usr/bin/chromium)
// through Playwright, served from the sources by vite (cross-origin isolated, so
// performance.now() has 5 µs resolution instead of 100 µs). Each named benchmark runs in a fresh
// browser context (a fresh, empty profile), so none pays for the storage work an earlier one
// left behind. A page reports through window.benchResult / window.benchError.
import { loadavg } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright";
import { createServer } from "vite";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const executablePath = process.env.TRACKBOOK_CHROMIUM ?? "/usr/bin/chromium";
const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run"];

/**
 * Opens `page` once per name in `names` (query `?scale=…&only=<name>`) and merges the results.
 * `include`: dependencies vite pre-bundles up front (a dependency found mid-run reloads the page).
 */
export async function runPages({ page: path, names, scale, include, viewport }) {
  const server = await createServer({
    root: ROOT,
    configFile: false,
    logLevel: "warn",
    server: { port: 5199, headers: { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" } },
    optimizeDeps: { include, entries: [path] },
  });
  await server.listen();
  const loadBefore = loadavg()[0];
  const browser = await chromium.launch({ executablePath, args });
  let result;
  try {
    for (const name of names) {
      const context = await browser.newContext(viewport ? { viewport } : {});
      const tab = await context.newPage();
      tab.on("console", (m) => console.log(`  [page] ${m.text()}`));
      tab.on("pageerror", (e) => console.error(`  [page error] ${e}`));
      await tab.goto(`${server.resolvedUrls.local[0]}${path}?scale=${scale}&only=${name}`);
      await tab.waitForFunction(() => window.benchResult || window.benchError, undefined, { timeout: 0, polling: 500 });
      const error = await tab.evaluate(() => window.benchError);
      if (error) throw new Error(`the benchmark page failed: ${error}`);
      const part = await tab.evaluate(() => window.benchResult);
      result = result ? { ...result, [name]: part[name] } : part;
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return { result, loadBefore, loadAfter: loadavg()[0] };
}
