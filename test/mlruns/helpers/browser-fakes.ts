/**
 * Browser objects over Node: a FileSystemDirectoryHandle backed by a real folder (the API's shape,
 * as the File System Access spec defines it), and a dropped folder's File list with
 * webkitRelativePath. Node 20's own Blob, File, WritableStream and Response are the real thing.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { DirectoryHandleLike, FileHandleLike, FileLike } from "../../../src/mlruns/index.js";

const notFound = () => Object.assign(new Error("A requested file or directory could not be found."), { name: "NotFoundError" });

function fileHandle(path: string, name: string): FileHandleLike {
  return {
    kind: "file",
    name,
    getFile: async () => new File([readFileSync(path)], name),
    createWritable: async () => {
      const parts: Uint8Array[] = [];
      return { write: async (d: Uint8Array) => void parts.push(d.slice()), close: async () => writeFileSync(path, Buffer.concat(parts)) };
    },
  };
}

export function directoryHandle(path: string, name = path.split("/").pop() ?? ""): DirectoryHandleLike {
  return {
    kind: "directory",
    name,
    async *values() {
      for (const n of readdirSync(path)) yield statSync(join(path, n)).isDirectory() ? directoryHandle(join(path, n), n) : fileHandle(join(path, n), n);
    },
    async getDirectoryHandle(n, o) {
      const p = join(path, n);
      const s = statSync(p, { throwIfNoEntry: false });
      if (!s) {
        if (!o?.create) throw notFound();
        mkdirSync(p);
      } else if (!s.isDirectory()) throw Object.assign(new Error("type mismatch"), { name: "TypeMismatchError" });
      return directoryHandle(p, n);
    },
    async getFileHandle(n, o) {
      const p = join(path, n);
      const s = statSync(p, { throwIfNoEntry: false });
      if (!s && !o?.create) throw notFound();
      if (!s) writeFileSync(p, "");
      return fileHandle(p, n);
    },
    async removeEntry(n, o) {
      rmSync(join(path, n), { recursive: o?.recursive ?? false });
    },
  };
}

/** The Files a browser hands over for a dropped (or webkitdirectory-picked) folder. */
export function droppedFolder(path: string): FileLike[] {
  const out: FileLike[] = [];
  const top = path.split("/").pop()!;
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else {
        const f = new File([readFileSync(p)], n);
        Object.defineProperty(f, "webkitRelativePath", { value: `${top}/${relative(path, p)}` });
        out.push(f as unknown as FileLike);
      }
    }
  };
  walk(path);
  return out;
}
