import { expect, it } from "vitest";
import { requirePeer } from "../helpers/peers.js";
import { CHROMIUM, hasChromium } from "./chromium.js";

// The browser project only exists when Chromium does; this node test makes its absence loud:
// skipped with the reason on a developer machine, a failure under CI=true.
it("finds the Chromium that runs the browser tests", (ctx) => {
  if (!requirePeer("Chromium", hasChromium, `no ${CHROMIUM}; install it with apt-get install -y chromium`)) ctx.skip();
  expect(hasChromium).toBe(true);
});
