/**
 * One SMPP session of the scenario over a TcpConversation: the gateway (ESME) is the TCP client,
 * the SMSC the server. Numbers PDUs per side, encodes them, optionally splits them on the wire,
 * and records every PDU in the truth.
 */
import type { Direction } from '../reassembly/stream-sink';
import { commandByName } from '../protocols/smpp/defs';
import { encodePdu, type PduSpec } from './smpp-encoder';
import type { TcpConversation } from './tcp-conversation';
import type { TruthRecorder } from './scenario-truth';
import type { Rng } from './rng';

export interface SmppSessionOptions {
  conv: TcpConversation;
  /** tshark stream index of the connection. */
  stream: number;
  truth: TruthRecorder;
  rng: Rng;
  /**
   * Cut each send at random points: true = anywhere, half of the cuts inside 16-byte PDU headers;
   * 'body' = never inside a header (tshark 4.0 loses a PDU whose first segment is shorter than its
   * header, so tshark-checked captures use this). Default false.
   */
  split?: boolean | 'body';
}

/** A PDU to send; `sequence` is assigned by the session when absent (requests). */
export type OutPdu = Omit<PduSpec, 'sequence'> & {
  sequence?: number;
  /**
   * This PDU equals an earlier one with the same key and variant except for sequence number and
   * source_addr (same length): reuse that encoding and patch both in.
   */
  reuse?: { key: object; variant: string };
};

interface Template {
  bytes: Buffer;
  /** Offset and length of source_addr in bytes. */
  addrAt: number;
  addrLen: number;
}

export class SmppSession {
  readonly conv: TcpConversation;
  readonly stream: number;
  private readonly truth: TruthRecorder;
  private readonly rng: Rng;
  private readonly split: boolean | 'body';
  /** Next request sequence number of the gateway (c2s) and of the SMSC (s2c). */
  private seqC = 1;
  private seqS = 1;
  private readonly points: number[] = [];
  private readonly fixed = new Map<string, Buffer>();
  private readonly reused = new WeakMap<object, Map<string, Template>>();

  constructor(options: SmppSessionOptions) {
    this.conv = options.conv;
    this.stream = options.stream;
    this.truth = options.truth;
    this.rng = options.rng;
    this.split = options.split ?? false;
  }

  /** Allocates the next request sequence number of one side (1 .. 0x7FFFFFFF, wrapping). */
  nextSequence(dir: Direction): number {
    if (dir === 'c2s') {
      const s = this.seqC;
      this.seqC = s >= 0x7fffffff ? 1 : s + 1;
      return s;
    }
    const s = this.seqS;
    this.seqS = s >= 0x7fffffff ? 1 : s + 1;
    return s;
  }

  /** Starts a side's numbering elsewhere (a mid-stream capture joins a session that has been running). */
  startSequencesAt(c2s: number, s2c: number): void {
    this.seqC = c2s;
    this.seqS = s2c;
  }

  /**
   * Sends one or more PDUs from `dir` in a single send (several PDUs may share a segment).
   * Returns [time of the last frame, the sequence numbers used].
   */
  send(dir: Direction, pdus: OutPdu[], tsNs: number): [number, number[]] {
    const bufs: Buffer[] = [];
    const seqs: number[] = [];
    for (const p of pdus) {
      const sequence = p.sequence ?? this.nextSequence(dir);
      const b = this.encode(p, sequence);
      bufs.push(b);
      seqs.push(sequence);
      const def = commandByName(p.command)!;
      this.truth.pdu({ tsNs, stream: this.stream, dir, command: p.command, commandId: def.id, status: p.status ?? 0, sequence });
    }
    const bytes = bufs.length === 1 ? bufs[0] : Buffer.concat(bufs);
    const t = this.conv.send(dir, bytes, tsNs, this.split ? this.splitPoints(bufs) : undefined);
    return [t, seqs];
  }

  /**
   * Encodes one PDU. Bodies that never vary (responses with an empty message_id, enquire_link, unbind)
   * are encoded once and copied with the sequence number patched in.
   */
  private encode(p: OutPdu, sequence: number): Buffer {
    const f = p.fields;
    const fixed = p.tlvs === undefined && (f === undefined || (Object.keys(f).length === 1 && f.message_id === ''));
    if (!fixed) return p.reuse !== undefined ? this.encodeReused(p, sequence) : encodePdu({ ...p, sequence });
    const key = `${p.command}:${p.status ?? 0}`;
    let t = this.fixed.get(key);
    if (t === undefined) {
      t = encodePdu({ ...p, sequence: 0 });
      if (this.fixed.size < 256) this.fixed.set(key, t);
    }
    const b = Buffer.allocUnsafe(t.length);
    t.copy(b);
    b.writeUInt32BE(sequence >>> 0, 12);
    return b;
  }

  private encodeReused(p: OutPdu, sequence: number): Buffer {
    const r = p.reuse!;
    const addr = String(p.fields?.source_addr ?? '');
    let byVariant = this.reused.get(r.key);
    if (byVariant === undefined) this.reused.set(r.key, (byVariant = new Map()));
    const t = byVariant.get(r.variant);
    if (t === undefined || t.addrLen !== addr.length) {
      const bytes = encodePdu({ ...p, sequence });
      // source_addr follows service_type, ton and npi: its first NUL-terminated match after the header.
      const at = bytes.indexOf(Buffer.from(`${addr}\0`, 'latin1'), 16);
      if (at > 0 && byVariant.size < 64) byVariant.set(r.variant, { bytes, addrAt: at, addrLen: addr.length });
      return bytes;
    }
    const b = Buffer.allocUnsafe(t.bytes.length);
    t.bytes.copy(b);
    b.write(addr, t.addrAt, 'latin1');
    b.writeUInt32BE(sequence >>> 0, 12);
    return b;
  }

  /** One or two cuts per PDU, half of them inside its 16-byte header. */
  private splitPoints(bufs: Buffer[]): number[] {
    const pts = this.points;
    pts.length = 0;
    let off = 0;
    for (const b of bufs) {
      const n = this.rng.range(1, 2);
      for (let i = 0; i < n; i++) {
        if (this.split === 'body') {
          if (b.length > 17) pts.push(off + this.rng.range(16, b.length - 1));
        } else {
          pts.push(off + (this.rng.chance(0.5) ? this.rng.range(1, 15) : this.rng.range(1, b.length - 1)));
        }
      }
      off += b.length;
    }
    return pts;
  }
}
