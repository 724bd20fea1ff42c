/**
 * Id generation, matching MLflow: run ids are `uuid4().hex` (32 lowercase hex), experiment ids
 * are random 18-digit strings as MLflow ≥ 2.0 makes them, so ids from two machines do not collide
 * when bundles are merged.
 *
 * @module
 */

const HEX = "0123456789abcdef";

function randomBytes(n: number): Uint8Array {
  // Web Crypto is global in Node ≥ 19 and every browser; no `node:crypto` import needed.
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

/** A fresh run id: a random (version 4) UUID as 32 lowercase hex characters. */
export function newRunId(): string {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  let s = "";
  for (const x of b) s += HEX[x >> 4]! + HEX[x & 15]!;
  return s;
}

/** A fresh experiment id: 18 random digits, no leading zero. */
export function newExperimentId(): string {
  const b = randomBytes(18);
  let s = String(1 + (b[0]! % 9));
  for (let i = 1; i < 18; i++) s += String(b[i]! % 10);
  return s;
}
