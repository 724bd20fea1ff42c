/**
 * Little-endian field writing and reading for zip records, with 64-bit fields as JS numbers
 * (exact to 2^53 bytes, far beyond any archive).
 *
 * @module
 */

/** A growable little-endian record builder. */
export class Fields {
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  u16(v: number): this {
    this.view.setUint16(this.length, v, true);
    this.length += 2;
    return this;
  }

  u32(v: number): this {
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
    return this;
  }

  u64(v: number): this {
    this.view.setUint32(this.length, v % 2 ** 32, true);
    this.view.setUint32(this.length + 4, Math.floor(v / 2 ** 32), true);
    this.length += 8;
    return this;
  }

  raw(b: Uint8Array): this {
    this.bytes.set(b, this.length);
    this.length += b.length;
    return this;
  }

  done(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** Reads little-endian fields from a byte range. */
export class Reader {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u16(at: number): number {
    return this.view.getUint16(at, true);
  }

  u32(at: number): number {
    return this.view.getUint32(at, true);
  }

  u64(at: number): number {
    return this.view.getUint32(at, true) + this.view.getUint32(at + 4, true) * 2 ** 32;
  }
}
