/**
 * Run announcements between tabs: every IndexedDB store posts on a BroadcastChannel named after
 * its database when a run is created or its info changes, so an open run table in any tab (or
 * the same one) can refresh. Best-effort: where there is no BroadcastChannel, nothing is sent.
 *
 * @module
 */

/** What changed about a run. */
export type RunChange = { type: "run-created" | "run-updated"; runId: string; experimentId: string };

type ChannelLike = {
  postMessage(message: unknown): void;
  close(): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  unref?: () => void;
};

/**
 * The channel name the store of database `dbName` announces on.
 *
 * @example
 * ```ts
 * new BroadcastChannel(runsChannelName("trackbook")).onmessage = (e) => console.log(e.data);
 * ```
 */
export function runsChannelName(dbName: string): string {
  return `trackbook:idb:${dbName}`;
}

/** A channel for `dbName`, or undefined where BroadcastChannel does not exist. */
export function openRunsChannel(dbName: string): ChannelLike | undefined {
  const BC = (globalThis as unknown as { BroadcastChannel?: new (name: string) => ChannelLike }).BroadcastChannel;
  if (BC === undefined) return undefined;
  const channel = new BC(runsChannelName(dbName));
  // In Node an open channel would keep the process alive; announcements must not.
  channel.unref?.();
  return channel;
}

function isRunChange(data: unknown): data is RunChange {
  const d = data as Partial<RunChange> | null;
  return (d?.type === "run-created" || d?.type === "run-updated") && typeof d.runId === "string" && typeof d.experimentId === "string";
}

/**
 * Calls `listener` for every run created or changed in database `dbName` by any store in this
 * origin (other tabs, workers, this page). Returns a function that stops listening.
 *
 * @example
 * ```ts
 * const stop = watchRuns("trackbook", (change) => { if (change.type === "run-created") refreshTable(); });
 * ```
 */
export function watchRuns(dbName: string, listener: (change: RunChange) => void): () => void {
  const channel = openRunsChannel(dbName);
  if (channel === undefined) return () => undefined;
  channel.addEventListener("message", (event) => {
    if (isRunChange(event.data)) listener(event.data);
  });
  return () => channel.close();
}
