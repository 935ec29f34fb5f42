/** File → decode → TCP reassembly into the given sinks, nothing else: the floor the stage benches build on. */
import { FileSource } from '../src/capture/file-source';
import { PacketDecoder } from '../src/decode/packet-decoder';
import { Assembler } from '../src/reassembly/assembler';
import type { StreamSinkFactory } from '../src/reassembly/stream-sink';

/** Replays `file` into `sinks` (servers on `serverPorts`); returns the packets read. */
export async function reassembleFile(file: string, sinks: StreamSinkFactory, serverPorts: number[]): Promise<number> {
  const source = new FileSource([file], { yieldEvery: 1 << 30 });
  const decoder = new PacketDecoder();
  const asm = new Assembler(sinks, { serverPorts });
  let last = 0;
  await source.run((p) => {
    last = p.tsNs;
    const s = decoder.decode(p);
    if (s !== null) asm.onSegment(s);
    asm.tick(last);
  });
  asm.flushAll(last);
  return source.stats().packets;
}
