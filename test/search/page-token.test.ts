import { describe, expect, it } from "vitest";
import { base64UrlToBytes, bytesToBase64Url, decodeBase64UrlText, encodeBase64UrlText } from "../../src/search/base64url.js";
import {
  decodePageToken,
  encodePageToken,
  experimentsQueryFingerprint,
  runsQueryFingerprint,
  searchMessages,
} from "../../src/search/index.js";
import { catchTrackerError } from "./fixtures.js";

const QUERY = { experimentIds: ["1", "2"], filter: "metrics.loss < 1", orderBy: ["metrics.loss"] };

describe("search/page-token", () => {
  it("round-trips an offset for the same query", () => {
    const fp = runsQueryFingerprint(QUERY);
    expect(decodePageToken(encodePageToken(1234, fp), fp)).toBe(1234);
  });

  it("makes URL-safe tokens holding base64url JSON", () => {
    const token = encodePageToken(7, runsQueryFingerprint(QUERY));
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(decodeBase64UrlText(token)!)).toEqual({ offset: 7, fingerprint: runsQueryFingerprint(QUERY) });
  });

  it("gives equivalent queries the same fingerprint", () => {
    const fp = runsQueryFingerprint(QUERY);
    expect(runsQueryFingerprint({ ...QUERY, experimentIds: ["2", "1", "2"] })).toBe(fp);
    expect(runsQueryFingerprint({ ...QUERY, filter: "  metrics.loss < 1 " })).toBe(fp);
    expect(runsQueryFingerprint({ ...QUERY, runViewType: "ACTIVE_ONLY" })).toBe(fp);
    expect(runsQueryFingerprint({ ...QUERY, maxResults: 3 })).toBe(fp);
    expect(runsQueryFingerprint({ experimentIds: ["1"] })).toBe(runsQueryFingerprint({ experimentIds: ["1"], filter: "", orderBy: [] }));
  });

  it("gives different queries different fingerprints", () => {
    const fps = new Set([
      runsQueryFingerprint(QUERY),
      runsQueryFingerprint({ ...QUERY, experimentIds: ["1"] }),
      runsQueryFingerprint({ ...QUERY, filter: "metrics.loss < 2" }),
      runsQueryFingerprint({ ...QUERY, orderBy: ["metrics.loss DESC"] }),
      runsQueryFingerprint({ ...QUERY, runViewType: "ALL" }),
      experimentsQueryFingerprint({ filter: QUERY.filter, orderBy: QUERY.orderBy }),
    ]);
    expect(fps.size).toBe(6);
  });

  it("rejects a token from a different query with an actionable message", () => {
    const token = encodePageToken(10, runsQueryFingerprint(QUERY));
    const err = catchTrackerError(() => decodePageToken(token, runsQueryFingerprint({ ...QUERY, filter: "metrics.loss < 2" })));
    expect(err.code).toBe("INVALID_PARAMETER_VALUE");
    expect(err.message).toBe(searchMessages.pageTokenMismatch());
    expect(err.message).toContain("Omit pageToken");
  });

  it.each([
    ["not base64", "not a token!"],
    ["padding", encodeBase64UrlText('{"offset":1,"fingerprint":"x"}') + "="],
    ["impossible length", "abcde"],
    ["non-JSON", encodeBase64UrlText("hello")],
    ["a JSON array", encodeBase64UrlText("[1,2]")],
    ["JSON null", encodeBase64UrlText("null")],
    ["no offset", encodeBase64UrlText('{"fingerprint":"x"}')],
    ["a negative offset", encodeBase64UrlText('{"offset":-1,"fingerprint":"x"}')],
    ["a fractional offset", encodeBase64UrlText('{"offset":1.5,"fingerprint":"x"}')],
    ["a string offset", encodeBase64UrlText('{"offset":"1","fingerprint":"x"}')],
    ["no fingerprint", encodeBase64UrlText('{"offset":1}')],
    ["MLflow's own token", btoa('{"offset": 10}')],
  ])("rejects a malformed token (%s)", (_label, token) => {
    const err = catchTrackerError(() => decodePageToken(token, "x"));
    expect(err.code).toBe("INVALID_PARAMETER_VALUE");
    expect(err.message).toContain("Invalid page token");
    expect(err.message).toContain("omit pageToken");
  });

  describe("base64url", () => {
    it("round-trips every byte length and value", () => {
      for (let n = 0; n < 40; n++) {
        const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n * 11) & 255);
        expect(base64UrlToBytes(bytesToBase64Url(bytes))).toEqual(bytes);
      }
    });

    it("agrees with the standard encoding, minus padding and with the URL alphabet", () => {
      const text = "any carnal pleas\u00ff\u00fe?>";
      const bytes = new TextEncoder().encode(text);
      const standard = btoa(String.fromCharCode(...bytes)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
      expect(bytesToBase64Url(bytes)).toBe(standard);
      expect(decodeBase64UrlText(standard)).toBe(text);
    });

    it("rejects non-canonical trailing bits and invalid UTF-8", () => {
      expect(base64UrlToBytes("AB")).toBeUndefined();
      expect(base64UrlToBytes("AA")).toEqual(new Uint8Array([0]));
      expect(decodeBase64UrlText(bytesToBase64Url(new Uint8Array([0xff, 0xfe])))).toBeUndefined();
    });
  });
});
