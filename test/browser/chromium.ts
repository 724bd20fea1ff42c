/**
 * Where the browser tests find Chromium: Debian's package (`apt-get install -y chromium`, which
 * .ci/run does), never a browser build downloaded at run time. `TRACKBOOK_CHROMIUM` overrides it.
 */
import { existsSync } from "node:fs";

/** The Chromium binary the browser project drives. */
export const CHROMIUM = process.env.TRACKBOOK_CHROMIUM ?? "/usr/bin/chromium";

/** True when that binary exists. */
export const hasChromium = existsSync(CHROMIUM);

/** Flags for a headless, sandbox-free, quiet Chromium in a container. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
];
