/**
 * A zip export into a `WritableStream` (a file picked with `showSaveFilePicker()`, or the
 * writable side of a `TransformStream` whose readable side becomes a Blob or a download). The zip
 * is streamed: memory holds one 1 MiB block and the central directory, never the archive.
 *
 * @module
 */
import type { BundleSink } from "../io.js";
import { zipSink } from "../zip/zip-sink.js";
import type { WritableStreamLike } from "./types.js";

/** A sink writing the bundle as a zip into `stream`; an abort aborts the stream. */
export function streamSink(stream: WritableStreamLike, artifactRoot?: string): BundleSink {
  const writer = stream.getWriter();
  return zipSink(
    {
      write: (chunk) => writer.write(chunk),
      commit: async () => {
        await writer.close();
      },
      abort: async () => {
        await writer.abort(new Error("export cancelled")).catch(() => undefined);
      },
    },
    "zip stream",
    artifactRoot,
  );
}
