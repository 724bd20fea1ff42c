/**
 * The writer lock: one process writes a root at a time. The lock file holds the owner's pid and
 * host; a second writer gets a clear error, readers never look at it, and a lock left by a dead
 * process on this host is taken over.
 *
 * Both steps are safe against races, so that of several processes starting at once exactly one
 * gets the lock: the lock file appears with its content (written beside it, then hard-linked into
 * place, which fails if a lock is there), and a stale lock is removed by one process at a time,
 * which first checks that it still is the lock judged stale, not a new owner's (see removeIfStill).
 *
 * @module
 */
import { link, readFile, rm, stat, writeFile } from "node:fs/promises";
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
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await create(path, mine)) {
      return async () => {
        const now = await readLock(path);
        if (now && now.pid === mine.pid && now.hostname === mine.hostname) await rm(path, { force: true });
      };
    }
    const owner = await readLock(path);
    // Unreadable (a crash mid-write of a lock, or a hand-made file), or left by a dead process.
    if (owner === undefined || (owner.hostname === mine.hostname && !alive(owner.pid))) {
      const outcome = await removeIfStill(path, owner);
      if (outcome === "removed" && owner) onTakeover(owner);
      if (outcome === "busy") await new Promise((r) => setTimeout(r, 10));
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

let tmpCounter = 0;

/** Creates the lock file with its content in one step; false if a lock file is already there. */
async function create(path: string, mine: LockInfo): Promise<boolean> {
  const tmp = `${path}.${mine.pid}.${tmpCounter++}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(mine));
    await link(tmp, path);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "ENOSYS" && code !== "EOPNOTSUPP") throw e;
  } finally {
    await rm(tmp, { force: true });
  }
  // A file system without hard links: create-exclusive, then write (not atomic, but exclusive).
  try {
    await writeFile(path, JSON.stringify(mine), { flag: "wx" });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
}

const sameLock = (a: LockInfo | undefined, b: LockInfo | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.pid === b.pid && a.hostname === b.hostname && a.createdAt === b.createdAt);

const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "ENOSYS", "EOPNOTSUPP"]);
/** A takeover takes microseconds; a claim older than this was left by a process that died in one. */
const CLAIM_STALE_MS = 10_000;

/**
 * Removes the lock file if it still is `expected` (undefined: unreadable). One process at a time
 * does this: it first hard-links the lock file to `<lock>.takeover`, which fails while another
 * holds that name. Holding it, it checks that what it linked is the lock it judged stale, and only
 * then removes the lock file; a new owner's lock (another process took over first) is left alone.
 */
async function removeIfStill(path: string, expected: LockInfo | undefined): Promise<"removed" | "changed" | "busy"> {
  const claim = `${path}.takeover`;
  try {
    await link(path, claim);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "";
    if (code === "ENOENT") return "changed";
    if (code === "EEXIST") {
      const st = await stat(claim).catch(() => undefined);
      if (st && Date.now() - st.ctimeMs > CLAIM_STALE_MS) await rm(claim, { force: true });
      return "busy";
    }
    if (!NO_HARD_LINKS.has(code)) throw e;
    // A file system without hard links: check, then remove (a small race remains there).
    if (!sameLock(await readLock(path), expected)) return "changed";
    await rm(path, { force: true });
    return "removed";
  }
  try {
    if (!sameLock(await readLock(claim), expected)) return "changed";
    await rm(path, { force: true });
    return "removed";
  } finally {
    await rm(claim, { force: true });
  }
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    const v = JSON.parse(await readFile(path, "utf8")) as LockInfo;
    return typeof v.pid === "number" && typeof v.hostname === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}
