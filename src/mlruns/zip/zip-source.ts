/**
 * A {@link BundleSource} over a zip archive. The checked central directory is kept compactly: the
 * entry paths sorted in one array (with folders implied by file paths added), and sizes, offsets
 * and checksums in typed arrays, so listing a folder is a binary search over a contiguous range and
 * a 10,000-run bundle's ~200,000 entries cost about 40 bytes each beyond their names.
 *
 * @module
 */
import { TrackerError } from "../../errors.js";
import type { BundleSource, SourceEntry } from "../io.js";
import type { ZipLimits } from "./zip-limits.js";
import { pause, readStoredEntryNow, readZipDirectory, readZipEntry, type RandomAccess, type ZipEntry } from "./zip-reader.js";

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Strings per slice sorted between pauses (a few milliseconds of work). */
const SORT_SLICE = 4096;

/**
 * `items` sorted by UTF-16 code units (as `<` compares, and `sort()` without a comparator), in
 * slices with pauses between, then merged pairwise, pausing now and then: sorting the paths of a
 * 50,000-entry zip at once held the thread for ~100 ms.
 */
export async function sortInSlices(items: string[]): Promise<string[]> {
  let runs: string[][] = [];
  for (let i = 0; i < items.length; i += SORT_SLICE) {
    runs.push(items.slice(i, i + SORT_SLICE).sort());
    await pause();
  }
  while (runs.length > 1) {
    const merged: string[][] = [];
    for (let i = 0; i < runs.length; i += 2) merged.push(i + 1 < runs.length ? await merge(runs[i]!, runs[i + 1]!) : runs[i]!);
    runs = merged;
  }
  return runs[0] ?? [];
}

async function merge(a: string[], b: string[]): Promise<string[]> {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    out.push(a[i]! <= b[j]! ? a[i++]! : b[j++]!);
    if ((out.length & 16383) === 0) await pause();
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}

/** First index in sorted `paths` not less than `key`. */
function lowerBound(paths: readonly string[], key: string): number {
  let lo = 0;
  let hi = paths.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (paths[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Entries up to this size are read at once into a reused buffer (readNow); larger ones by `read`. */
const NOW_BYTES = 1 << 20;

/** Opens a zip archive as a bundle source; `crc32` checks entries (Node passes its native one). */
export async function openZipSource(access: RandomAccess, label: string, limits: Partial<ZipLimits> = {}, crc32?: (data: Uint8Array) => number): Promise<BundleSource> {
  const entries = await readZipDirectory(access, label, limits);
  const files = new Map<string, number>();
  const dirs = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    if ((i & 4095) === 4095) await pause();
    const e = entries[i]!;
    if (e.isDir) dirs.add(e.name);
    else files.set(e.name, i);
    for (let at = e.name.indexOf("/"); at >= 0; at = e.name.indexOf("/", at + 1)) dirs.add(e.name.slice(0, at));
  }
  for (const d of dirs) if (files.has(d)) throw new TrackerError("INVALID_PARAMETER_VALUE", `Refusing zip ${label}: '${d}' is both a file and a folder.`);
  // Folders sort with a trailing "/" so each one's contents follow it as one contiguous range.
  const paths = await sortInSlices([...files.keys(), ...[...dirs].map((d) => d + "/")]);
  const index = new Int32Array(paths.length).fill(-1);
  for (let i = 0; i < paths.length; i++) {
    if ((i & 2047) === 2047) await pause();
    if (!paths[i]!.endsWith("/")) index[i] = files.get(paths[i]!)!;
  }
  await pause();
  // The entries as columns; an entry object is made again only to read it.
  const n = entries.length;
  const names: string[] = new Array<string>(n);
  const sizes = new Float64Array(n);
  const compressed = new Float64Array(n);
  const offsets = new Float64Array(n);
  const crcs = new Uint32Array(n);
  const methods = new Uint8Array(n);
  const nameBytes = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    if ((i & 4095) === 4095) await pause();
    const e = entries[i]!;
    names[i] = e.name;
    sizes[i] = e.size;
    compressed[i] = e.compressedSize;
    offsets[i] = e.localOffset;
    crcs[i] = e.crc;
    methods[i] = e.method;
    nameBytes[i] = e.nameBytes;
  }
  entries.length = 0;
  files.clear();
  dirs.clear();
  const entry = (i: number): ZipEntry => ({
    name: names[i]!,
    isDir: false,
    method: methods[i]!,
    crc: crcs[i]!,
    compressedSize: compressed[i]!,
    size: sizes[i]!,
    localOffset: offsets[i]!,
    nameBytes: nameBytes[i]!,
  });
  const find = (path: string): number => {
    const i = lowerBound(paths, path);
    return i < paths.length && paths[i] === path ? index[i]! : -1;
  };
  return {
    label: `zip ${label}`,
    async list(dir) {
      const prefix = dir === "" ? "" : dir + "/";
      const out: SourceEntry[] = [];
      let i = lowerBound(paths, prefix);
      while (i < paths.length && paths[i]!.startsWith(prefix)) {
        const rest = paths[i]!.slice(prefix.length);
        const slash = rest.indexOf("/");
        if (rest === "") i++;
        else if (slash < 0) {
          out.push({ name: rest, kind: "file", size: sizes[index[i]!]! });
          i++;
        } else {
          const name = rest.slice(0, slash);
          out.push({ name, kind: "dir", size: 0 });
          // Skip everything inside that folder: its range ends before the first path > "name/\uffff".
          i = lowerBound(paths, prefix + name + "/\uffff");
        }
      }
      return out.sort((a, b) => byName(a.name, b.name));
    },
    async read(path, maxBytes) {
      const at = find(path);
      if (at < 0) throw new TrackerError("RESOURCE_DOES_NOT_EXIST", `zip ${label} has no file '${path}'.`);
      const e = entry(at);
      if (e.size > maxBytes) throw new TrackerError("RESOURCE_EXHAUSTED", `'${path}' in zip ${label} has ${e.size} bytes; the limit for this file is ${maxBytes}.`);
      return readZipEntry(access, label, e, crc32);
    },
    ...(access.readInto
      ? {
          readNow(path: string, maxBytes: number, scratch: { bytes: Uint8Array }) {
            const at = find(path);
            if (at < 0 || sizes[at]! > maxBytes || sizes[at]! > NOW_BYTES) return undefined; // read() says why
            return readStoredEntryNow(access, label, entry(at), scratch, crc32);
          },
        }
      : {}),
    async close() {
      await access.close?.();
    },
  };
}
