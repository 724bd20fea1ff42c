/**
 * File-system errors as TrackerErrors a user can act on: what was being done, where, and why.
 *
 * @module
 */
import { TrackerError, type ErrorCode } from "../../errors.js";

const CODES: Record<string, ErrorCode> = {
  ENOSPC: "RESOURCE_EXHAUSTED",
  EDQUOT: "RESOURCE_EXHAUSTED",
  EACCES: "PERMISSION_DENIED",
  EPERM: "PERMISSION_DENIED",
  EROFS: "PERMISSION_DENIED",
  ENOENT: "RESOURCE_DOES_NOT_EXIST",
  EEXIST: "RESOURCE_ALREADY_EXISTS",
  ENAMETOOLONG: "INVALID_PARAMETER_VALUE",
};

/** Wraps a Node fs error raised while doing `action`. */
export function fsError(e: unknown, action: string): TrackerError {
  const code = (e as { code?: string })?.code ?? "";
  const why = code === "ENAMETOOLONG" ? "a file name is too long for this file system (a key of many multibyte characters?)" : (e as Error)?.message ?? String(e);
  return new TrackerError(CODES[code] ?? "INTERNAL_ERROR", `Could not ${action}: ${why}`, { cause: e });
}
