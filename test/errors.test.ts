import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { HTTP_STATUS, isTrackerError, TrackerError } from "../src/errors.js";
import { ensureBuilt, ROOT } from "./helpers/build.js";

describe("errors", () => {
  it("serialises to MLflow's {error_code, message} and back", () => {
    const e = new TrackerError("RESOURCE_DOES_NOT_EXIST", "Run 'x' not found.");
    expect(e.toJSON()).toEqual({ error_code: "RESOURCE_DOES_NOT_EXIST", message: "Run 'x' not found." });
    expect(JSON.parse(JSON.stringify(e))).toEqual(e.toJSON());
    const back = TrackerError.fromJSON(e.toJSON());
    expect(back).toBeInstanceOf(TrackerError);
    expect(back.code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect(back.message).toBe(e.message);
    expect(back.name).toBe("TrackerError");
  });

  it("turns an unknown or missing code into INTERNAL_ERROR without losing it", () => {
    const a = TrackerError.fromJSON({ error_code: "CUSTOMER_UNAUTHORIZED", message: "nope" });
    expect(a.code).toBe("INTERNAL_ERROR");
    expect(a.message).toContain("CUSTOMER_UNAUTHORIZED");
    expect(TrackerError.fromJSON("garbage").code).toBe("INTERNAL_ERROR");
    expect(TrackerError.fromJSON(null).code).toBe("INTERNAL_ERROR");
  });

  it("maps codes to the HTTP statuses MLflow's server uses", () => {
    expect(HTTP_STATUS.INVALID_PARAMETER_VALUE).toBe(400);
    expect(HTTP_STATUS.RESOURCE_DOES_NOT_EXIST).toBe(404);
    expect(HTTP_STATUS.RESOURCE_ALREADY_EXISTS).toBe(400);
  });

  it("guards by code as well as by class", () => {
    const e = new TrackerError("INVALID_STATE", "closed");
    expect(isTrackerError(e)).toBe(true);
    expect(isTrackerError(e, "INVALID_STATE")).toBe(true);
    expect(isTrackerError(e, "INTERNAL_ERROR")).toBe(false);
    expect(isTrackerError(new Error("x"))).toBe(false);
    expect(isTrackerError({ name: "TrackerError", code: "NOT_A_CODE" })).toBe(false);
    expect(isTrackerError(undefined)).toBe(false);
  });

  it("recognises a TrackerError made in another realm, where instanceof fails", () => {
    ensureBuilt();
    const code = readFileSync(resolve(ROOT, "dist/cjs/index.cjs"), "utf8");
    const sandbox: Record<string, unknown> = { module: { exports: {} }, console };
    sandbox.exports = (sandbox.module as { exports: unknown }).exports;
    vm.runInNewContext(code, sandbox);
    const other = (sandbox.module as { exports: { TrackerError: typeof TrackerError } }).exports;
    const foreign = new other.TrackerError("RESOURCE_ALREADY_EXISTS", "taken");
    expect(foreign instanceof TrackerError).toBe(false);
    expect(foreign instanceof Error).toBe(false);
    expect(isTrackerError(foreign, "RESOURCE_ALREADY_EXISTS")).toBe(true);
  });

  it("survives structured cloning as a plain object with name and code", () => {
    const e = new TrackerError("INVALID_PARAMETER_VALUE", "bad");
    const clone = structuredClone({ name: e.name, code: e.code, message: e.message });
    expect(isTrackerError(clone, "INVALID_PARAMETER_VALUE")).toBe(true);
  });
});
