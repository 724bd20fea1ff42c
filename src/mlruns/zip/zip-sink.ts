/**
 * A {@link BundleSink} writing a zip: the bundle goes under `mlruns/` inside the archive (what
 * `zip -r bundle.zip mlruns` gives), folders as explicit entries so empty ones survive (§8.7).
 *
 * @module
 */
import { assertSafePath, type BundleSink } from "../io.js";
import { MLRUNS } from "../layout.js";
import { ZipWriter, type ByteSink } from "./zip-writer.js";

/** What a zip sink needs from its medium: bytes in order, then commit or abort. */
export type ZipOutput = ByteSink & { commit(): Promise<void>; abort(): Promise<void> };

/** A sink writing the bundle as a zip to `out`. `rootUri` is where the `mlruns/` folder will be once unpacked. */
export function zipSink(out: ZipOutput, label: string, rootUri: string | undefined): BundleSink {
  const zip = new ZipWriter(out);
  const dirs = new Set<string>();
  const mkdir = async (path: string): Promise<void> => {
    if (path === "" || dirs.has(path)) return;
    const at = path.lastIndexOf("/");
    if (at > 0) await mkdir(path.slice(0, at));
    dirs.add(path);
    await zip.addDirectory(path);
  };
  return {
    label,
    rootUri,
    async mkdir(path) {
      assertSafePath(path);
      await mkdir(`${MLRUNS}/${path}`);
    },
    async writeFile(path, data) {
      assertSafePath(path);
      const full = `${MLRUNS}/${path}`;
      await mkdir(full.slice(0, full.lastIndexOf("/")));
      await zip.addFile(full, data);
    },
    async commit() {
      await zip.finish();
      await out.commit();
    },
    abort: () => out.abort(),
  };
}
