/**
 * A random-access zip reader (store and deflate, ZIP64) that refuses hostile archives before
 * decompressing anything: names that leave the bundle (`..`, absolute paths, drive letters),
 * symlinks, encryption, duplicate or overlapping entries, and zip bombs (entry count, total size,
 * compression ratio). It reads only the central directory up front, then one entry at a time,
 * so a large bundle never has to fit in memory. Works on any {@link RandomAccess}: a Node file
 * or a browser Blob.
 *
 * Hand-written rather than yauzl (Node-only, callback streams) or fflate's `unzipSync` (loads the
 * whole archive into memory); fflate's inflate does the decompression.
 *
 * @module
 */
import { inflateSync } from "fflate";
import { TrackerError } from "../../errors.js";
import { Reader } from "./bytes.js";
import { crc32 } from "./crc32.js";
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from "./zip-limits.js";

/** Reads byte ranges of an archive. */
export type RandomAccess = {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Optional: reads `length` bytes at `offset` into `into` (from its start) on this thread, at once. */
  readInto?(offset: number, length: number, into: Uint8Array): void;
  close?(): Promise<void>;
};

/** One entry of the central directory. */
export type ZipEntry = { name: string; isDir: boolean; method: number; crc: number; compressedSize: number; size: number; localOffset: number; nameBytes: number };

const MAX32 = 0xffffffff;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/** An error about archive `label`. */
export function zipRefused(label: string, why: string, code: "INVALID_PARAMETER_VALUE" | "RESOURCE_EXHAUSTED" = "INVALID_PARAMETER_VALUE"): TrackerError {
  return new TrackerError(code, `Refusing zip ${label}: ${why}.`);
}

/** Reads and checks the central directory of an archive. */
export async function readZipDirectory(access: RandomAccess, label: string, limits: Partial<ZipLimits> = {}): Promise<ZipEntry[]> {
  const lim = { ...DEFAULT_ZIP_LIMITS, ...limits };
  const tailLen = Math.min(access.size, 22 + 0xffff + 20);
  const tail = await access.read(access.size - tailLen, tailLen);
  const t = new Reader(tail);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) if (t.u32(i) === 0x06054b50 && i + 22 + t.u16(i + 20) === tailLen) { eocd = i; break; }
  if (eocd < 0) throw zipRefused(label, "it is not a zip file (no end of central directory record)");
  let count = t.u16(eocd + 10);
  let cdSize = t.u32(eocd + 12);
  let cdOffset = t.u32(eocd + 16);
  if (eocd >= 20 && t.u32(eocd - 20) === 0x07064b50) {
    const at = t.u64(eocd - 20 + 8);
    const rec = new Reader(await access.read(at, 56));
    if (rec.u32(0) !== 0x06064b50) throw zipRefused(label, "its ZIP64 end record is missing or damaged");
    count = rec.u64(32);
    cdSize = rec.u64(40);
    cdOffset = rec.u64(48);
  } else if (count === 0xffff || cdSize === MAX32 || cdOffset === MAX32) throw zipRefused(label, "it needs ZIP64 records it does not have");
  if (count > lim.maxEntries) throw zipRefused(label, `it has ${count} entries; the limit is ${lim.maxEntries}`, "RESOURCE_EXHAUSTED");
  if (cdOffset + cdSize > access.size) throw zipRefused(label, "its central directory lies outside the file");
  const cd = new Reader(await access.read(cdOffset, cdSize));
  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let total = 0;
  let p = 0;
  for (let i = 0; i < count; i++) {
    // Large directories are parsed in slices so the thread can serve timers and input meanwhile.
    if ((i & 1023) === 1023) await pause();
    if (p + 46 > cdSize || cd.u32(p) !== 0x02014b50) throw zipRefused(label, `its central directory is damaged at entry ${i + 1}`);
    const madeBy = cd.u16(p + 4);
    const flags = cd.u16(p + 8);
    const method = cd.u16(p + 10);
    const crc = cd.u32(p + 16);
    let compressedSize = cd.u32(p + 20);
    let size = cd.u32(p + 24);
    const nameLen = cd.u16(p + 28);
    const extraLen = cd.u16(p + 30);
    const commentLen = cd.u16(p + 32);
    const attrs = cd.u32(p + 38);
    let localOffset = cd.u32(p + 42);
    const raw = cd.bytes.subarray(p + 46, p + 46 + nameLen);
    let name: string;
    try {
      name = utf8.decode(raw); // flag bit 11 says UTF-8; ASCII names read the same either way
    } catch {
      name = latin1.decode(raw); // old archivers' code page 437, approximately
    }
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = cd.u16(e);
      const len = cd.u16(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === MAX32) (size = cd.u64(q)), (q += 8);
        if (compressedSize === MAX32) (compressedSize = cd.u64(q)), (q += 8);
        if (localOffset === MAX32) localOffset = cd.u64(q);
      }
      e += 4 + len;
    }
    p = extraEnd + commentLen;
    const path = name.replace(/\\/g, "/");
    checkName(label, name, path);
    if (madeBy >> 8 === 3 && ((attrs >>> 16) & 0o170000) === 0o120000) throw zipRefused(label, `entry '${name}' is a symbolic link`);
    if (flags & 0x0001) throw zipRefused(label, `entry '${name}' is encrypted`);
    if (method !== 0 && method !== 8) throw zipRefused(label, `entry '${name}' uses compression method ${method} (only stored and deflated entries are read)`);
    if (method === 0 && compressedSize !== size) throw zipRefused(label, `stored entry '${name}' declares two sizes`);
    if (size > 1 << 20 && size / Math.max(1, compressedSize) > lim.maxRatio) throw zipRefused(label, `entry '${name}' expands ${Math.round(size / Math.max(1, compressedSize))} times (limit ${lim.maxRatio}): a zip bomb?`, "RESOURCE_EXHAUSTED");
    total += size;
    if (total > lim.maxTotalBytes) throw zipRefused(label, `its entries add up to more than ${lim.maxTotalBytes} bytes when unpacked: a zip bomb?`, "RESOURCE_EXHAUSTED");
    const key = path.replace(/\/+$/, "");
    if (names.has(key)) throw zipRefused(label, `it holds '${key}' twice`);
    names.add(key);
    entries.push({ name: key, isDir: path.endsWith("/"), method, crc, compressedSize, size, localOffset, nameBytes: nameLen });
  }
  await pause();
  checkOverlap(label, entries, cdOffset);
  return entries;
}

/** Lets timers and input run (a zip of many entries is indexed in slices). */
export function pause(): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, 0));
}

function checkName(label: string, name: string, path: string): void {
  const trimmed = path.replace(/\/+$/, "");
  const bad =
    path.startsWith("/") ||
    /^[a-zA-Z]:/.test(path) ||
    path.includes("\0") ||
    trimmed === "" ||
    trimmed.split("/").some((s) => s === "" || s === "." || s === "..");
  if (bad) throw zipRefused(label, `entry '${name}' has a path that could point outside the bundle`);
}

/** Entries whose data overlap are how non-recursive zip bombs multiply one compressed stream. */
function checkOverlap(label: string, entries: ZipEntry[], cdOffset: number): void {
  // Writers lay entries out in directory order, so the sort is usually not needed.
  let inOrder = true;
  for (let i = 1; i < entries.length && inOrder; i++) inOrder = entries[i - 1]!.localOffset <= entries[i]!.localOffset;
  const sorted = inOrder ? entries : [...entries].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    const end = e.localOffset + 30 + e.nameBytes + e.compressedSize;
    const next = i + 1 < sorted.length ? sorted[i + 1]!.localOffset : cdOffset;
    if (end > next) throw zipRefused(label, `entry '${e.name}' overlaps the next one: a zip bomb?`);
  }
}

/**
 * A stored (not deflated) entry read at once into `scratch.bytes` (grown as needed) with
 * `access.readInto`, checked as {@link readZipEntry} checks it; a view of the scratch, valid
 * until its next use. Undefined when the entry is deflated or `access` cannot read at once.
 */
export function readStoredEntryNow(access: RandomAccess, label: string, entry: ZipEntry, scratch: { bytes: Uint8Array }, crc: (data: Uint8Array) => number = crc32): Uint8Array | undefined {
  if (entry.method !== 0 || !access.readInto) return undefined;
  const length = firstReadLength(access, entry);
  if (scratch.bytes.length < length) scratch.bytes = new Uint8Array(Math.max(length, 2 * scratch.bytes.length));
  const buf = scratch.bytes.subarray(0, length);
  access.readInto(entry.localOffset, length, buf);
  const skip = dataSkip(access, label, entry, buf);
  if (skip + entry.compressedSize > length) return undefined; // a long local extra field: the general path reads it
  return checkedData(buf.subarray(skip, skip + entry.compressedSize), label, entry, crc);
}

/** The bytes of one file entry, decompressed and checked against its size and CRC. */
export async function readZipEntry(access: RandomAccess, label: string, entry: ZipEntry, crc: (data: Uint8Array) => number = crc32): Promise<Uint8Array> {
  const first = await access.read(entry.localOffset, firstReadLength(access, entry));
  const skip = dataSkip(access, label, entry, first);
  const stored = skip + entry.compressedSize <= first.length ? first.subarray(skip, skip + entry.compressedSize) : await access.read(entry.localOffset + skip, entry.compressedSize);
  let data = stored;
  if (entry.method === 8) {
    try {
      // One byte of room beyond the declared size: more output than declared is a lie, caught below.
      data = inflateSync(stored, { out: new Uint8Array(entry.size + 1) });
    } catch (e) {
      throw zipRefused(label, `entry '${entry.name}' does not decompress (${(e as Error).message})`);
    }
  }
  return checkedData(data, label, entry, crc);
}

/**
 * Bytes read first for an entry: the local header and the data, guessing the local extra field
 * is at most 64 bytes (it is what the directory says, or ZIP64's 20); a longer one needs a second read.
 */
function firstReadLength(access: RandomAccess, entry: ZipEntry): number {
  return Math.min(access.size - entry.localOffset, 30 + entry.nameBytes + 64 + entry.compressedSize);
}

/** Where the entry's data starts after its local header (`first` begins at the header); refuses a missing header or data past the end. */
function dataSkip(access: RandomAccess, label: string, entry: ZipEntry, first: Uint8Array): number {
  const head = new Reader(first);
  if (first.length < 30 || head.u32(0) !== 0x04034b50) throw zipRefused(label, `entry '${entry.name}' has no local header where the directory says`);
  const skip = 30 + head.u16(26) + head.u16(28);
  if (entry.localOffset + skip + entry.compressedSize > access.size) throw zipRefused(label, `entry '${entry.name}' runs past the end of the file`);
  return skip;
}

/** `data` once it has the entry's declared size and CRC. */
function checkedData(data: Uint8Array, label: string, entry: ZipEntry, crc: (data: Uint8Array) => number): Uint8Array {
  if (data.length !== entry.size) throw zipRefused(label, `entry '${entry.name}' is not the size its header declares`);
  if (crc(data) !== entry.crc) throw zipRefused(label, `entry '${entry.name}' fails its CRC check (the file is damaged)`);
  return data;
}
