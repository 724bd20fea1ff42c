/**
 * The writer lock: one process writes a root at a time. The lock file holds the owner's pid and
 * host; a second writer gets a clear error, readers never look at it, and a lock left by a dead
 * process on this host is taken over.
 *
 * @module
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { TrackerError } from "../../errors.js";

/** Contents of `<root>/.lock`. */
export type LockInfo = { pid: number; hostname: string; createdAt: number };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Takes the lock at `path` or throws INVALID_STATE naming the owner. Returns a release function.
 * `onTakeover` is told when a stale lock of a dead process was replaced.
 */
export async function acquireLock(path: string, onTakeover: (stale: LockInfo) => void): Promise<() => Promise<void>> {
  const mine: LockInfo = { pid: process.pid, hostname: hostname(), createdAt: Date.now() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, JSON.stringify(mine), { flag: "wx" });
      return async () => {
        const now = await readLock(path);
        if (now && now.pid === mine.pid && now.hostname === mine.hostname) await rm(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const owner = await readLock(path);
    if (owner === undefined) {
      // Unreadable or vanished between our attempts: a crash mid-write of the lock itself.
      await rm(path, { force: true });
      continue;
    }
    if (owner.hostname === mine.hostname && !alive(owner.pid)) {
      onTakeover(owner);
      await rm(path, { force: true });
      continue;
    }
    const where = owner.hostname === mine.hostname ? `process ${owner.pid}` : `process ${owner.pid} on host ${owner.hostname}`;
    throw new TrackerError(
      "INVALID_STATE",
      `Another writer (${where}, since ${new Date(owner.createdAt).toISOString()}) holds ${path}. Close it first, or open this root read-only with { readOnly: true }. If that process is gone for good, delete the lock file.`,
    );
  }
  throw new TrackerError("INVALID_STATE", `Could not take the writer lock ${path}; another process keeps taking it.`);
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    const v = JSON.parse(await readFile(path, "utf8")) as LockInfo;
    return typeof v.pid === "number" && typeof v.hostname === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}
