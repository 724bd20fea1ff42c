/**
 * IndexedDB's types for this repo's DOM-free programs (`lib: ["ES2022"]`, as tslab compiles).
 *
 * The IndexedDB store (this folder) and `idb`'s own `.d.ts` name IndexedDB's interfaces, which
 * TypeScript declares only in the DOM lib. The main program must stay DOM-free (shared code may
 * not touch `document`, `window` and the like), so it gets just IndexedDB from here: the IDB
 * interfaces of TypeScript 5.9's `lib.dom.d.ts`, verbatim minus doc comments, event maps and
 * `on*` handlers (listeners come from Node's `EventTarget`), with `BufferSource` spelled out.
 *
 * A script (no import), so its declarations are global. No source file references it: the
 * DOM-free programs include it through their `src/**` globs (tsconfig.json, test/tsconfig.json),
 * and the programs that have the DOM lib (test/tsconfig.browser.json) never see it, since the DOM
 * declares the same names. Those programs type-check this folder against the real DOM types.
 */
interface IDBDatabaseInfo {
  name?: string;
  version?: number;
}
interface IDBIndexParameters {
  multiEntry?: boolean;
  unique?: boolean;
}
interface IDBObjectStoreParameters {
  autoIncrement?: boolean;
  keyPath?: string | string[] | null;
}
interface IDBTransactionOptions {
  durability?: IDBTransactionDurability;
}
interface DOMStringList {
  readonly length: number;
  contains(string: string): boolean;
  item(index: number): string | null;
  [index: number]: string;
}
declare var DOMStringList: {
  prototype: DOMStringList;
  new(): DOMStringList;
};
interface IDBCursor {
  readonly direction: IDBCursorDirection;
  readonly key: IDBValidKey;
  readonly primaryKey: IDBValidKey;
  readonly request: IDBRequest;
  readonly source: IDBObjectStore | IDBIndex;
  advance(count: number): void;
  continue(key?: IDBValidKey): void;
  continuePrimaryKey(key: IDBValidKey, primaryKey: IDBValidKey): void;
  delete(): IDBRequest<undefined>;
  update(value: any): IDBRequest<IDBValidKey>;
}
declare var IDBCursor: {
  prototype: IDBCursor;
  new(): IDBCursor;
};
interface IDBCursorWithValue extends IDBCursor {
  readonly value: any;
}
declare var IDBCursorWithValue: {
  prototype: IDBCursorWithValue;
  new(): IDBCursorWithValue;
};
interface IDBDatabase extends EventTarget {
  readonly name: string;
  readonly objectStoreNames: DOMStringList;
  readonly version: number;
  close(): void;
  createObjectStore(name: string, options?: IDBObjectStoreParameters): IDBObjectStore;
  deleteObjectStore(name: string): void;
  transaction(storeNames: string | string[], mode?: IDBTransactionMode, options?: IDBTransactionOptions): IDBTransaction;
}
declare var IDBDatabase: {
  prototype: IDBDatabase;
  new(): IDBDatabase;
};
interface IDBFactory {
  cmp(first: any, second: any): number;
  databases(): Promise<IDBDatabaseInfo[]>;
  deleteDatabase(name: string): IDBOpenDBRequest;
  open(name: string, version?: number): IDBOpenDBRequest;
}
declare var IDBFactory: {
  prototype: IDBFactory;
  new(): IDBFactory;
};
interface IDBIndex {
  readonly keyPath: string | string[];
  readonly multiEntry: boolean;
  name: string;
  readonly objectStore: IDBObjectStore;
  readonly unique: boolean;
  count(query?: IDBValidKey | IDBKeyRange): IDBRequest<number>;
  get(query: IDBValidKey | IDBKeyRange): IDBRequest<any>;
  getAll(query?: IDBValidKey | IDBKeyRange | null, count?: number): IDBRequest<any[]>;
  getAllKeys(query?: IDBValidKey | IDBKeyRange | null, count?: number): IDBRequest<IDBValidKey[]>;
  getKey(query: IDBValidKey | IDBKeyRange): IDBRequest<IDBValidKey | undefined>;
  openCursor(query?: IDBValidKey | IDBKeyRange | null, direction?: IDBCursorDirection): IDBRequest<IDBCursorWithValue | null>;
  openKeyCursor(query?: IDBValidKey | IDBKeyRange | null, direction?: IDBCursorDirection): IDBRequest<IDBCursor | null>;
}
declare var IDBIndex: {
  prototype: IDBIndex;
  new(): IDBIndex;
};
interface IDBKeyRange {
  readonly lower: any;
  readonly lowerOpen: boolean;
  readonly upper: any;
  readonly upperOpen: boolean;
  includes(key: any): boolean;
}
declare var IDBKeyRange: {
  prototype: IDBKeyRange;
  new(): IDBKeyRange;
  bound(lower: any, upper: any, lowerOpen?: boolean, upperOpen?: boolean): IDBKeyRange;
  lowerBound(lower: any, open?: boolean): IDBKeyRange;
  only(value: any): IDBKeyRange;
  upperBound(upper: any, open?: boolean): IDBKeyRange;
};
interface IDBObjectStore {
  readonly autoIncrement: boolean;
  readonly indexNames: DOMStringList;
  readonly keyPath: string | string[] | null;
  name: string;
  readonly transaction: IDBTransaction;
  add(value: any, key?: IDBValidKey): IDBRequest<IDBValidKey>;
  clear(): IDBRequest<undefined>;
  count(query?: IDBValidKey | IDBKeyRange): IDBRequest<number>;
  createIndex(name: string, keyPath: string | string[], options?: IDBIndexParameters): IDBIndex;
  delete(query: IDBValidKey | IDBKeyRange): IDBRequest<undefined>;
  deleteIndex(name: string): void;
  get(query: IDBValidKey | IDBKeyRange): IDBRequest<any>;
  getAll(query?: IDBValidKey | IDBKeyRange | null, count?: number): IDBRequest<any[]>;
  getAllKeys(query?: IDBValidKey | IDBKeyRange | null, count?: number): IDBRequest<IDBValidKey[]>;
  getKey(query: IDBValidKey | IDBKeyRange): IDBRequest<IDBValidKey | undefined>;
  index(name: string): IDBIndex;
  openCursor(query?: IDBValidKey | IDBKeyRange | null, direction?: IDBCursorDirection): IDBRequest<IDBCursorWithValue | null>;
  openKeyCursor(query?: IDBValidKey | IDBKeyRange | null, direction?: IDBCursorDirection): IDBRequest<IDBCursor | null>;
  put(value: any, key?: IDBValidKey): IDBRequest<IDBValidKey>;
}
declare var IDBObjectStore: {
  prototype: IDBObjectStore;
  new(): IDBObjectStore;
};
interface IDBOpenDBRequest extends IDBRequest<IDBDatabase> {
}
declare var IDBOpenDBRequest: {
  prototype: IDBOpenDBRequest;
  new(): IDBOpenDBRequest;
};
interface IDBRequest<T = any> extends EventTarget {
  readonly error: DOMException | null;
  readonly readyState: IDBRequestReadyState;
  readonly result: T;
  readonly source: IDBObjectStore | IDBIndex | IDBCursor;
  readonly transaction: IDBTransaction | null;
}
declare var IDBRequest: {
  prototype: IDBRequest;
  new(): IDBRequest;
};
interface IDBTransaction extends EventTarget {
  readonly db: IDBDatabase;
  readonly durability: IDBTransactionDurability;
  readonly error: DOMException | null;
  readonly mode: IDBTransactionMode;
  readonly objectStoreNames: DOMStringList;
  abort(): void;
  commit(): void;
  objectStore(name: string): IDBObjectStore;
}
declare var IDBTransaction: {
  prototype: IDBTransaction;
  new(): IDBTransaction;
};
interface IDBVersionChangeEvent extends Event {
  readonly newVersion: number | null;
  readonly oldVersion: number;
}
declare var IDBVersionChangeEvent: {
  prototype: IDBVersionChangeEvent;
  new(type: string, eventInitDict?: { oldVersion?: number; newVersion?: number | null }): IDBVersionChangeEvent;
};
declare var indexedDB: IDBFactory;
type IDBValidKey = number | string | Date | ArrayBufferView | ArrayBuffer | IDBValidKey[];
type IDBCursorDirection = "next" | "nextunique" | "prev" | "prevunique";
type IDBRequestReadyState = "done" | "pending";
type IDBTransactionDurability = "default" | "relaxed" | "strict";
type IDBTransactionMode = "readonly" | "readwrite" | "versionchange";
