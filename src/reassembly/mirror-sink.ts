/** Where a connection found to be another's copy sends its bytes: counted, never delivered. */
import type { ReassemblyCounters } from './reassembly-counters';
import type { StreamSink } from './stream-sink';

export class MirrorSink implements StreamSink {
  constructor(private readonly counters: ReassemblyCounters) {}

  onData(_dir: unknown, bytes: Buffer): void {
    this.counters.mirroredBytes += bytes.length;
  }

  onDataRange(_dir: unknown, _buf: Buffer, start: number, end: number): void {
    this.counters.mirroredBytes += end - start;
  }

  onGap(): void {}

  onClose(): void {}
}
