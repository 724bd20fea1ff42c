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
import { exportCommand } from "./export.js";
import { conflictPolicy, importCommand } from "./import.js";
import { runTable } from "./table.js";

const USAGE = `Usage: trackbook <command> [--uri URI]

Commands:
  demo              log a small sweep of runs and print the run table
  ls                list experiments and their runs
  export --out PATH write an mlruns bundle MLflow opens (a folder, or a zip if PATH ends in .zip)
      [--experiment ID]... [--run ID]... [--filter "metrics.acc > 0.9"]
      [--no-artifacts] [--summary-only] [--active-only]
  import PATH       bring in an mlruns bundle (folder or .zip) written by MLflow or trackbook
      [--on-conflict skip|replace|new-ids]   (runs already in the store; default skip)

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

function usageError(message: string): number {
  console.error(`trackbook: ${message}\n\n${USAGE}`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      uri: { type: "string" },
      help: { type: "boolean", short: "h" },
      out: { type: "string" },
      experiment: { type: "string", multiple: true },
      run: { type: "string", multiple: true },
      filter: { type: "string" },
      "no-artifacts": { type: "boolean" },
      "summary-only": { type: "boolean" },
      "active-only": { type: "boolean" },
      "on-conflict": { type: "string" },
    },
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
    case "export":
      if (values.out === undefined) return usageError("export needs --out PATH (a folder, or a file ending in .zip).");
      await exportCommand({
        uri,
        out: values.out,
        artifacts: !values["no-artifacts"],
        history: !values["summary-only"],
        activeOnly: values["active-only"] === true,
        ...(values.experiment ? { experimentIds: values.experiment } : {}),
        ...(values.run ? { runIds: values.run } : {}),
        ...(values.filter !== undefined ? { filter: values.filter } : {}),
      });
      return 0;
    case "import":
      if (positionals[1] === undefined) return usageError("import needs the bundle: trackbook import PATH (a folder or a .zip).");
      await importCommand({ uri, source: positionals[1], onConflict: conflictPolicy(values["on-conflict"]) });
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
