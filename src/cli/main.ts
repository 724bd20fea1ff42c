#!/usr/bin/env node
/**
 * The `trackbook` command. It consumes the public API only, and maps errors to exit codes in
 * one place. Argument parsing uses Node's own `util.parseArgs` (maintained with Node; no
 * dependency needed for flags this simple).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { getTrackingUri, isTrackerError, openTracker, searchAllRuns } from "../index.js";
import { demo } from "./demo.js";
import { runTable } from "./table.js";

const USAGE = `Usage: trackbook <command> [--uri URI]

Commands:
  demo   log a small sweep of runs and print the run table
  ls     list experiments and their runs

Options:
  --uri URI   tracking URI (default: TRACKBOOK_TRACKING_URI, else the platform default)
  -h, --help  show this help`;

/** Listing only reads: an arrow: root opens read-only, so it works while a notebook is writing. */
function readOnlyUri(uri: string): string {
  if (!/^arrow:/i.test(uri) || /[?&]readOnly=/.test(uri)) return uri;
  return uri + (uri.includes("?") ? "&" : "?") + "readOnly=true";
}

async function ls(uri: string): Promise<void> {
  const tb = await openTracker(readOnlyUri(uri));
  try {
    const { experiments } = await tb.searchExperiments({ viewType: "ALL" });
    for (const e of experiments) {
      const runs = await searchAllRuns(tb.store, { experimentIds: [e.experimentId], runViewType: "ALL" });
      console.log(`\n${e.name} (id ${e.experimentId}, ${e.lifecycleStage}, ${runs.length} runs)`);
      if (runs.length > 0) console.log(runTable(runs));
    }
  } finally {
    await tb.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { uri: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  const [command] = positionals;
  if (values.help || command === undefined) {
    console.log(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const uri = values.uri ?? (command === "demo" ? "memory:" : getTrackingUri());
  switch (command) {
    case "demo":
      await demo(uri);
      return 0;
    case "ls":
      await ls(uri);
      return 0;
    default:
      console.error(`trackbook: unknown command '${command}'.\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    if (isTrackerError(e)) console.error(`trackbook: ${e.code}: ${e.message}`);
    else console.error(`trackbook: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
