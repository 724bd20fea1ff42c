/**
 * Store contract, artifacts: files under a run's artifact root, path rules, listing, and that a
 * rejected write changes nothing.
 *
 * @module
 */
import { describe, expect, it } from "vitest";
import { expectTrackerError, type ContractContext } from "./contract-helpers.js";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

export function artifactContract(ctx: ContractContext): void {
  describe("artifacts", () => {
    async function newRunId(): Promise<string> {
      return (await ctx.store.createRun({ experimentId: "0" })).info.runId;
    }

    it("stores an artifact and reads back the same bytes", async () => {
      const runId = await newRunId();
      const data = new Uint8Array([0, 1, 2, 255, 128]);
      await ctx.store.logArtifact(runId, "model/weights.bin", data);
      expect(Array.from(await ctx.store.readArtifact(runId, "model/weights.bin"))).toEqual([0, 1, 2, 255, 128]);
    });

    it("keeps its own copy: changing the caller's buffer or the returned one changes nothing", async () => {
      const runId = await newRunId();
      const data = bytes("abc");
      await ctx.store.logArtifact(runId, "a.txt", data);
      data[0] = 120;
      const read = await ctx.store.readArtifact(runId, "a.txt");
      read[1] = 120;
      expect(text(await ctx.store.readArtifact(runId, "a.txt"))).toBe("abc");
    });

    it("replaces a file logged again at the same path", async () => {
      const runId = await newRunId();
      await ctx.store.logArtifact(runId, "notes.md", bytes("v1"));
      await ctx.store.logArtifact(runId, "notes.md", bytes("v2"));
      expect(text(await ctx.store.readArtifact(runId, "notes.md"))).toBe("v2");
    });

    it("lists the direct children of a folder, folders included, sorted", async () => {
      const runId = await newRunId();
      await ctx.store.logArtifact(runId, "z.txt", bytes("zz"));
      await ctx.store.logArtifact(runId, "model/MLmodel", bytes("flavors: {}"));
      await ctx.store.logArtifact(runId, "model/data/w.bin", bytes("1234"));
      expect(await ctx.store.listArtifacts(runId)).toEqual([
        { path: "model", isDir: true },
        { path: "z.txt", isDir: false, fileSize: 2 },
      ]);
      expect(await ctx.store.listArtifacts(runId, "model")).toEqual([
        { path: "model/MLmodel", isDir: false, fileSize: 11 },
        { path: "model/data", isDir: true },
      ]);
      expect(await ctx.store.listArtifacts(runId, "missing")).toEqual([]);
    });

    it("lists nothing for a run without artifacts", async () => {
      expect(await ctx.store.listArtifacts(await newRunId())).toEqual([]);
    });

    it.each(["", "/abs", "../escape", "a/../../b", "a//b", "./a", "a/.", "C:/x", "a\\b", "a/"])(
      "rejects the artifact path %j and stores nothing",
      async (path) => {
        const runId = await newRunId();
        await expectTrackerError(ctx.store.logArtifact(runId, path, bytes("x")), "INVALID_PARAMETER_VALUE");
        expect(await ctx.store.listArtifacts(runId)).toEqual([]);
      },
    );

    it("refuses a file where a folder is, and a folder where a file is", async () => {
      const runId = await newRunId();
      await ctx.store.logArtifact(runId, "a/b.txt", bytes("1"));
      await expectTrackerError(ctx.store.logArtifact(runId, "a", bytes("2")), "INVALID_PARAMETER_VALUE");
      await ctx.store.logArtifact(runId, "f", bytes("3"));
      await expectTrackerError(ctx.store.logArtifact(runId, "f/g", bytes("4")), "INVALID_PARAMETER_VALUE");
      expect((await ctx.store.listArtifacts(runId)).map((a) => a.path)).toEqual(["a", "f"]);
    });

    it("reports a missing artifact as RESOURCE_DOES_NOT_EXIST", async () => {
      const runId = await newRunId();
      await expectTrackerError(ctx.store.readArtifact(runId, "nope.txt"), "RESOURCE_DOES_NOT_EXIST");
    });

    it("refuses artifacts for an unknown or deleted run", async () => {
      await expectTrackerError(ctx.store.logArtifact("0123456789abcdef0123456789abcdef", "a", bytes("x")), "RESOURCE_DOES_NOT_EXIST");
      const runId = await newRunId();
      await ctx.store.deleteRun(runId);
      await expectTrackerError(ctx.store.logArtifact(runId, "a", bytes("x")), "INVALID_PARAMETER_VALUE");
    });
  });
}
