import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { CHROMIUM, CHROMIUM_ARGS, hasChromium } from "./test/browser/chromium.js";
import { pageCommands } from "./test/browser/commands.js";

// Two projects: "node" (everything but *.browser.test.ts) and "browser" (*.browser.test.ts in
// Debian's Chromium through Playwright). Without Chromium the browser project is left out, and
// test/browser/chromium.test.ts (a node test) skips with the reason locally and fails under CI=true.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    // The JSON report is what .ci/run counts "N passed, N failed" from.
    reporters: process.env.VITEST_JSON ? ["default", ["json", { outputFile: process.env.VITEST_JSON }]] : ["default"],
    projects: [
      {
        extends: true as const,
        test: { name: "node", environment: "node", include: ["test/**/*.test.ts"], exclude: ["test/**/*.browser.test.ts"] },
      },
      ...(hasChromium
        ? [
            {
              extends: true as const,
              // Pre-bundled up front: discovering a dependency mid-run makes vite reload the page under a running test.
              optimizeDeps: { include: ["comlink", "idb", "fast-check", "vega", "vega-lite", "vega-embed"] },
              test: {
                name: "browser",
                include: ["test/**/*.browser.test.ts"],
                browser: {
                  enabled: true,
                  headless: true,
                  screenshotFailures: false,
                  instances: [{ browser: "chromium" as const }],
                  provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
                  commands: pageCommands,
                },
              },
            },
          ]
        : []),
    ],
  },
});
