/** Growth of the append-only encoders' buffers (store blocks, OTLP protobuf). */

/** A buffer of at least `need` bytes (doubling `buf`), holding a copy of its first `used` bytes. */
export function grownBuffer(buf: Buffer, used: number, need: number): Buffer {
  let size = Math.max(buf.length * 2, 64);
  while (size < need) size *= 2;
  const next = Buffer.allocUnsafe(size);
  buf.copy(next, 0, 0, used);
  return next;
}
