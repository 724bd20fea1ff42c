/**
 * The one error class of trackbook, carrying MLflow's error codes so an error means the same
 * thing whether it came from the memory store, a worker, or a real MLflow server.
 *
 * @module
 */

/** MLflow's error codes (the subset trackbook raises or receives). */
export type ErrorCode =
  | "INVALID_PARAMETER_VALUE"
  | "RESOURCE_DOES_NOT_EXIST"
  | "RESOURCE_ALREADY_EXISTS"
  | "INVALID_STATE"
  | "RESOURCE_EXHAUSTED"
  | "NOT_IMPLEMENTED"
  | "PERMISSION_DENIED"
  | "BAD_REQUEST"
  | "INTERNAL_ERROR";

const KNOWN_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  "INVALID_PARAMETER_VALUE",
  "RESOURCE_DOES_NOT_EXIST",
  "RESOURCE_ALREADY_EXISTS",
  "INVALID_STATE",
  "RESOURCE_EXHAUSTED",
  "NOT_IMPLEMENTED",
  "PERMISSION_DENIED",
  "BAD_REQUEST",
  "INTERNAL_ERROR",
]);

/** MLflow's wire shape of an error. */
export type ErrorJson = { error_code: string; message: string };

/** HTTP status MLflow's server answers with for each code. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  NOT_IMPLEMENTED: 501,
  INVALID_STATE: 500,
  INTERNAL_ERROR: 500,
};

/**
 * An error with one of MLflow's error codes.
 *
 * @example
 * ```ts
 * try { run.logMetric("bad key!", 1); }
 * catch (e) { if (isTrackerError(e) && e.code === "INVALID_PARAMETER_VALUE") console.log(e.message); }
 * ```
 */
export class TrackerError extends Error {
  override readonly name = "TrackerError" as const;
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** MLflow's `{error_code, message}`. */
  toJSON(): ErrorJson {
    return { error_code: this.code, message: this.message };
  }

  /**
   * Rebuilds an error from MLflow's `{error_code, message}` (a server body or a worker message).
   * An unknown or missing code becomes `INTERNAL_ERROR`, keeping the original code in the message.
   */
  static fromJSON(json: unknown): TrackerError {
    const obj = (typeof json === "object" && json !== null ? json : {}) as Record<string, unknown>;
    const rawCode = typeof obj.error_code === "string" ? obj.error_code : undefined;
    const message = typeof obj.message === "string" ? obj.message : JSON.stringify(json);
    if (rawCode !== undefined && KNOWN_CODES.has(rawCode)) return new TrackerError(rawCode as ErrorCode, message);
    return new TrackerError("INTERNAL_ERROR", rawCode === undefined ? message : `${rawCode}: ${message}`);
  }
}

/**
 * True for a {@link TrackerError}, including one made in another realm (a worker, an iframe,
 * a second copy of this library), where `instanceof` fails.
 *
 * @example
 * ```ts
 * catch (e) { if (isTrackerError(e, "RESOURCE_DOES_NOT_EXIST")) return undefined; throw e; }
 * ```
 */
export function isTrackerError(value: unknown, code?: ErrorCode): value is TrackerError {
  if (value instanceof TrackerError) return code === undefined || value.code === code;
  if (typeof value !== "object" || value === null) return false;
  const v = value as { name?: unknown; code?: unknown };
  if (v.name !== "TrackerError" || typeof v.code !== "string" || !KNOWN_CODES.has(v.code)) return false;
  return code === undefined || v.code === code;
}

/** Shorthand for the most common error. */
export function invalidParameter(message: string): TrackerError {
  return new TrackerError("INVALID_PARAMETER_VALUE", message);
}
