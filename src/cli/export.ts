/**
 * `trackbook export`: writes runs as an mlruns bundle (a folder, or a zip when the path ends in
 * `.zip`) that MLflow opens. Also holds the progress display both bundle commands share: a bar
 * (cli-progress, a maintained package, rather than hand-drawn escape codes) on a terminal, plain
 * lines otherwise, so logs and CI output stay readable.
 *
 * @module
 */
import { SingleBar } from "cli-progress";
import { exportMlruns, type Progress } from "../mlruns/index.js";
import { openTracker } from "../index.js";

/** Reports progress on stderr: a live bar on a terminal, one line per phase and per tenth otherwise. */
export function progressDisplay(stream: NodeJS.WriteStream = process.stderr): { onProgress: (p: Progress) => void; stop: () => void } {
  let phase = "";
  let bar: SingleBar | undefined;
  let lastTenth = -1;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  const onProgress = (p: Progress) => {
    if (stream.isTTY) {
      if (p.phase !== phase) {
        stop();
        phase = p.phase;
        bar = new SingleBar({ stream, format: `${p.phase.padEnd(12)} [{bar}] {value}/{total} runs`, hideCursor: true, clearOnComplete: false });
        bar.start(p.total, p.done);
      } else bar?.update(p.done);
      return;
    }
    const tenth = p.total === 0 ? 10 : Math.floor((p.done * 10) / p.total);
    if (p.phase !== phase || tenth !== lastTenth || p.done === p.total) {
      if (p.phase !== phase || tenth !== lastTenth) stream.write(`${p.phase}: ${p.done}/${p.total} runs\n`);
      phase = p.phase;
      lastTenth = tenth;
    }
  };
  return { onProgress, stop };
}

/** Listing only reads: an arrow: root opens read-only, so an export works while a notebook writes. */
function readOnlyUri(uri: string): string {
  if (!/^arrow:/i.test(uri) || /[?&]readOnly=/.test(uri)) return uri;
  return uri + (uri.includes("?") ? "&" : "?") + "readOnly=true";
}

/** Options of the export command, as parsed from its flags. */
export type ExportCommand = {
  uri: string;
  out: string;
  experimentIds?: string[];
  runIds?: string[];
  filter?: string;
  artifacts: boolean;
  history: boolean;
  activeOnly: boolean;
};

/** Runs `trackbook export`; returns the summary line it printed. */
export async function exportCommand(cmd: ExportCommand, print: (s: string) => void = console.log): Promise<string> {
  const tb = await openTracker(readOnlyUri(cmd.uri));
  const display = progressDisplay();
  try {
    const r = await exportMlruns(tb, cmd.out, {
      artifacts: cmd.artifacts,
      history: cmd.history,
      onProgress: display.onProgress,
      ...(cmd.experimentIds ? { experimentIds: cmd.experimentIds } : {}),
      ...(cmd.runIds ? { runIds: cmd.runIds } : {}),
      ...(cmd.filter !== undefined ? { filter: cmd.filter } : {}),
      ...(cmd.activeOnly ? { runViewType: "ACTIVE_ONLY" as const } : {}),
    });
    display.stop();
    const line = `Exported ${r.runs} runs in ${r.experiments} experiments (${r.points} metric points, ${r.files} files, ${r.bytes} bytes) to ${r.target}.`;
    print(line);
    if (r.loggedModels + r.registeredModels > 0) print(`Models: ${r.loggedModels} logged models, ${r.registeredModels} registered models with ${r.modelVersions} versions.`);
    print(`Open it with: MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri <the mlruns folder>`);
    return line;
  } finally {
    display.stop();
    await tb.close();
  }
}
