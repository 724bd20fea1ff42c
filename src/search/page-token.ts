/**
 * Opaque page tokens: base64url of `{"offset":N,"fingerprint":"…"}`.
 *
 * MLflow's token is only an offset, so a token reused with another filter silently returns the
 * wrong page. Here the token also carries a fingerprint of the query (experiment ids, filter,
 * orderBy, view type — not maxResults, which may change between pages), and a token from a
 * different query is rejected. Tokens are not signed: a forged offset only skips results.
 *
 * @module
 */
import type { SearchExperimentsQuery, SearchRunsQuery } from "../entities.js";
import { invalidParameter } from "../errors.js";
import { decodeBase64UrlText, encodeBase64UrlText } from "./base64url.js";
import { searchMessages } from "./messages.js";

/** What a page token holds once decoded. */
export type PageTokenPayload = { offset: number; fingerprint: string };

/**
 * Makes a token for the page starting at `offset` of the query with `fingerprint`.
 *
 * @example
 * ```ts
 * const token = encodePageToken(100, runsQueryFingerprint(query));
 * decodePageToken(token, runsQueryFingerprint(query)); // 100
 * ```
 */
export function encodePageToken(offset: number, fingerprint: string): string {
  const payload: PageTokenPayload = { offset, fingerprint };
  return encodeBase64UrlText(JSON.stringify(payload));
}

function parsePayload(token: string): PageTokenPayload | undefined {
  const json = decodeBase64UrlText(token);
  if (json === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { offset, fingerprint } = value as Record<string, unknown>;
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) return undefined;
  if (typeof fingerprint !== "string") return undefined;
  return { offset, fingerprint };
}

/**
 * Returns the offset a token points at, checking it was made for the query with `fingerprint`.
 *
 * @example
 * ```ts
 * const offset = query.pageToken ? decodePageToken(query.pageToken, runsQueryFingerprint(query)) : 0;
 * ```
 * @throws TrackerError INVALID_PARAMETER_VALUE for a malformed token or one from another query.
 */
export function decodePageToken(token: string, fingerprint: string): number {
  const payload = typeof token === "string" ? parsePayload(token) : undefined;
  if (payload === undefined) throw invalidParameter(searchMessages.pageTokenMalformed(String(token)));
  if (payload.fingerprint !== fingerprint) throw invalidParameter(searchMessages.pageTokenMismatch());
  return payload.offset;
}

// Two independent 32-bit FNV-1a lanes: 64 bits make an accidental match between two queries
// negligible, and stay in 32-bit integer arithmetic (no BigInt).
function hash64(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}

// Queries that must return the same results share a fingerprint: the id list is a set, a
// missing filter is the empty filter, and a missing view type is the default.
function normalizedFilter(filter: string | undefined): string {
  return typeof filter === "string" ? filter.trim() : "";
}

/** The fingerprint of a run search, as stored in its page tokens. */
export function runsQueryFingerprint(query: SearchRunsQuery): string {
  const ids = Array.isArray(query.experimentIds) ? [...new Set(query.experimentIds.map(String))].sort() : [];
  return hash64(
    JSON.stringify(["runs", ids, normalizedFilter(query.filter), query.orderBy ?? [], query.runViewType ?? "ACTIVE_ONLY"]),
  );
}

/** The fingerprint of an experiment search, as stored in its page tokens. */
export function experimentsQueryFingerprint(query: SearchExperimentsQuery): string {
  return hash64(
    JSON.stringify(["experiments", normalizedFilter(query.filter), query.orderBy ?? [], query.viewType ?? "ACTIVE_ONLY"]),
  );
}

/**
 * Cuts one page out of fully sorted results. An empty `pageToken` means the first page, as in
 * MLflow; an offset past the end gives an empty last page.
 */
export function paginate<T>(
  sorted: readonly T[],
  pageToken: string | undefined,
  maxResults: number,
  fingerprint: string,
): { items: T[]; nextPageToken?: string } {
  const start = pageToken === undefined || pageToken === "" ? 0 : decodePageToken(pageToken, fingerprint);
  const end = start + maxResults;
  const items = sorted.slice(start, end);
  return end < sorted.length ? { items, nextPageToken: encodePageToken(end, fingerprint) } : { items };
}
