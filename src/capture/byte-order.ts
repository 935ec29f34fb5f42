/**
 * Unsigned reads from a byte array by plain index arithmetic. Buffer#readUInt32LE checks bounds
 * and is too large for V8 to inline into the record loop; these small functions inline, and the
 * callers have already made sure the bytes are there (an index past the end would read as 0).
 */

export function u16le(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8);
}

export function u16be(b: Uint8Array, p: number): number {
  return (b[p] << 8) | b[p + 1];
}

export function u32le(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

export function u32be(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

/** 16-bit unsigned in the given byte order. */
export function u16(b: Uint8Array, p: number, littleEndian: boolean): number {
  return littleEndian ? u16le(b, p) : u16be(b, p);
}

/** 32-bit unsigned in the given byte order. */
export function u32(b: Uint8Array, p: number, littleEndian: boolean): number {
  return littleEndian ? u32le(b, p) : u32be(b, p);
}
