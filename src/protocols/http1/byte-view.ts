/**
 * Reading message bytes four at a time (DataView int32 reads are inlined by the JIT): comparing and
 * scanning a word per step is about twice as fast as a byte per step on header blocks, targets and
 * bodies. The capture reader and reassembly hand over a few long-lived buffers, so the view of the
 * last one seen is nearly always the one needed (checked by identity: reading Buffer#buffer is a call).
 */
let viewed: Buffer | null = null;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/** A DataView with the same offsets as `b`. */
export function viewOf(b: Buffer): DataView<ArrayBufferLike> {
  if (b !== viewed) { viewed = b; view = new DataView(b.buffer, b.byteOffset, b.length); }
  return view;
}

/** Some byte of the 32-bit word w is zero (exact). */
export function zeroByte(w: number): boolean {
  return ((w - 0x01010101) & ~w & 0x80808080) !== 0;
}

/** Some byte of w is below n (n ≤ 128; exact). */
export function byteBelow(w: number, n: number): boolean {
  return ((w - Math.imul(n, 0x01010101)) & ~w & 0x80808080) !== 0;
}

/** Some byte of w is ≥ 0x80. */
export function highByte(w: number): boolean {
  return (w & 0x80808080) !== 0;
}
