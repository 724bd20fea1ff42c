/**
 * One open IndexedDB connection of the store and the one way the store uses it: a transaction
 * per call, resolved after it commits, with every failure turned into a {@link TrackerError}.
 *
 * @module
 */
import type { IDBPTransaction, StoreNames } from "idb";
import { TrackerError } from "../../errors.js";
import type { TrackbookDB, TrackbookIDB } from "./schema.js";
import { storageError } from "./storage.js";

/** Names of the object stores. */
export type Names = StoreNames<TrackbookDB>;

/** A transaction over `N` in mode `M`. */
export type Tx<N extends Names, M extends IDBTransactionMode> = IDBPTransaction<TrackbookDB, N[], M>;

const closedMessage = "This store is closed; open a new tracker to keep working.";

/** The connection, its state (open, closed, lost to another tab) and its transactions. */
export class Connection {
  private closed = false;
  /** Why the connection was lost (another tab upgraded the schema, the browser closed it). */
  private lost: string | undefined;

  constructor(
    readonly db: TrackbookIDB,
    private readonly durability: "default" | "strict" | "relaxed",
  ) {}

  /** Marks the connection as gone; later calls reject with INVALID_STATE saying `why`. */
  lose(why: string): void {
    this.lost ??= why;
  }

  /** Throws INVALID_STATE once closed or lost. */
  assertOpen(): void {
    if (this.closed) throw new TrackerError("INVALID_STATE", closedMessage);
    if (this.lost !== undefined) throw new TrackerError("INVALID_STATE", this.lost);
  }

  /** Closes the connection; transactions already created still commit first. Idempotent. */
  close(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.db.close();
    return true;
  }

  /**
   * Runs `body` in one transaction and resolves after it commits (`tx.done`). The transaction is
   * created before the first await, so calls keep their order. If `body` throws, the
   * transaction is aborted: nothing it wrote is kept. `what` names the work in error messages.
   */
  async tx<N extends Names, M extends "readonly" | "readwrite", T>(stores: N[], mode: M, what: string, body: (tx: Tx<N, M>) => Promise<T>): Promise<T> {
    let tx: Tx<N, M>;
    try {
      tx = this.db.transaction(stores, mode, mode === "readwrite" ? { durability: this.durability } : {});
    } catch (e) {
      throw await this.failure(e, what);
    }
    const done = tx.done;
    done.catch(() => undefined);
    let result: T;
    try {
      result = await body(tx);
    } catch (e) {
      try {
        tx.abort();
      } catch {
        // Already aborted (by IndexedDB, e.g. out of quota) or committed.
      }
      // An aborted transaction's own error (quota) is the cause; a request's AbortError only follows from it.
      throw await this.failure(tx.error ?? e, what);
    }
    try {
      await done;
    } catch (e) {
      throw await this.failure(tx.error ?? e, what);
    }
    return result;
  }

  private async failure(e: unknown, what: string): Promise<TrackerError> {
    if (this.lost !== undefined) return new TrackerError("INVALID_STATE", this.lost, { cause: e });
    if (this.closed) return new TrackerError("INVALID_STATE", closedMessage, { cause: e });
    return storageError(e, what, this.db.name);
  }
}
