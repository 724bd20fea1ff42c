import { transferHandlers } from "comlink";
import { describe, expect, it } from "vitest";
import { isTrackerError, TrackerError } from "../../src/errors.js";
import { MemoryStore } from "../../src/store/memory/memory-store.js";
import { installTransferHandlers } from "../../worker/protocol.js";
import { cols, pt } from "../store/contract-helpers.js";
import { loadBuilt, openRealWorkerStore } from "./built.js";
import { openChannelStore } from "./channel.js";

/** What a call rejected with (fails the test if it resolved). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (v) => expect.fail(`expected a rejection, got ${JSON.stringify(v)}`),
    (e: unknown) => e,
  );
}

/** The error the same call gives on a store in this thread: the message to expect across. */
async function inThreadError(): Promise<TrackerError> {
  const local = new MemoryStore();
  await local.createExperiment({ name: "dup" });
  return (await rejection(local.createExperiment({ name: "dup" }))) as TrackerError;
}

describe("worker/protocol: TrackerError across the boundary", () => {
  it("keeps class, code, name and message over a MessageChannel", async () => {
    const store = await openChannelStore();
    await store.createExperiment({ name: "dup" });
    const e = await rejection(store.createExperiment({ name: "dup" }));
    const expected = await inThreadError();
    expect(e).toBeInstanceOf(TrackerError);
    expect(isTrackerError(e, "RESOURCE_ALREADY_EXISTS")).toBe(true);
    expect(e).toMatchObject({ name: "TrackerError", code: expected.code, message: expected.message });
    // The stack is the thrower's: it names the store method that failed, not comlink internals.
    expect((e as Error).stack).toContain("createExperiment");
    await store.close();
  });

  it("keeps class, code, name and message from a real worker thread, as the caller's own class", async () => {
    const { errors } = await loadBuilt();
    const store = await openRealWorkerStore();
    await store.createExperiment({ name: "dup" });
    const e = await rejection(store.createExperiment({ name: "dup" }));
    const expected = await inThreadError();
    // dist's TrackerError is the class the built client's caller holds.
    expect(e).toBeInstanceOf(errors.TrackerError);
    expect(errors.isTrackerError(e, "RESOURCE_ALREADY_EXISTS")).toBe(true);
    expect(e).toMatchObject({ name: "TrackerError", code: expected.code, message: expected.message });
    await store.close();
  });

  it("rejects opening an unknown URI scheme with the store's own error", async () => {
    const { client, errors } = await loadBuilt();
    const e = await rejection(client.openWorkerStore("nope:somewhere"));
    expect(e).toBeInstanceOf(errors.TrackerError);
    expect((e as TrackerError).code).toBe("INVALID_PARAMETER_VALUE");
    expect((e as TrackerError).message).toContain("nope:somewhere");
  });

  it("keeps every failure of a logBatches call in the cause, as TrackerErrors", async () => {
    const store = await openChannelStore();
    const bad = (runId: string) => ({ runId, batch: { metrics: cols(pt("loss", 1)) } });
    const e = (await rejection(store.logBatches([bad("x"), bad("y")]))) as TrackerError;
    expect(e).toBeInstanceOf(TrackerError);
    expect(e.code).toBe("INVALID_PARAMETER_VALUE");
    expect(e.message).toContain("and 1 more");
    const causes = e.cause as unknown[];
    expect(causes).toHaveLength(2);
    for (const c of causes) expect(c).toBeInstanceOf(TrackerError);
    expect((causes[1] as TrackerError).message).toContain('"y"');
    await store.close();
  });

  it("leaves other errors to comlink: a plain Error with the message and name", async () => {
    const store = await openChannelStore("memory:", (host) => ({
      ...host,
      getRun: async () => {
        throw new RangeError("a store bug");
      },
      getExperiment: async () => {
        throw "not an error";
      },
    }));
    const e = await rejection(store.getRun("0".repeat(32)));
    expect(e).toBeInstanceOf(Error);
    expect(isTrackerError(e)).toBe(false);
    expect(e).toMatchObject({ name: "RangeError", message: "a store bug" });
    expect(await rejection(store.getExperiment("0"))).toBe("not an error");
    await store.close();
  });

  it("turns an argument that cannot be cloned into INVALID_PARAMETER_VALUE", async () => {
    const store = await openChannelStore();
    const e = await rejection(store.setExperimentTag("0", "k", (() => "v") as unknown as string));
    expect(isTrackerError(e, "INVALID_PARAMETER_VALUE")).toBe(true);
    expect((e as Error).message).toContain("cannot be sent to its worker");
    await store.close();
  });

  it("encodes a TrackerError so that even comlink's own decoder yields something isTrackerError accepts", () => {
    installTransferHandlers();
    const handler = transferHandlers.get("throw")!;
    const [wire] = handler.serialize({ value: new TrackerError("INVALID_STATE", "closed") });
    // What comlink's built-in "throw" deserializer does with it (comlink.ts, throwTransferHandler).
    const w = wire as { value: Record<string, unknown> };
    const plain = Object.assign(new Error(String(w.value.message)), w.value);
    expect(isTrackerError(plain, "INVALID_STATE")).toBe(true);
    expect(plain.message).toBe("closed");
  });

  it("installs its handler once, however often it is asked to", () => {
    installTransferHandlers();
    const first = transferHandlers.get("throw");
    installTransferHandlers();
    expect(transferHandlers.get("throw")).toBe(first);
  });
});
