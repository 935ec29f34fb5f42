/** What tshark (the reference dissector) sees in the e2e capture: the independent check of the harness. */
import { execFileSync } from 'node:child_process';

function fields(tshark: string, capture: string, decodeAs: string[], filter: string, names: string[]): string[][] {
  const args = ['-n', '-r', capture];
  for (const d of decodeAs) args.push('-d', d);
  args.push('-Y', filter, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=\u0001');
  for (const n of names) args.push('-e', n);
  const out = execFileSync(tshark, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}

const each = (cell: string | undefined): string[] => (cell ? cell.split('\u0001') : []);

/** sequence_number of every deliver_sm (several PDUs in one frame are all counted). */
export function deliverSmSequences(tshark: string, capture: string, smscPort: number): number[] {
  const rows = fields(tshark, capture, [`tcp.port==${smscPort},smpp`], 'smpp.command_id==0x00000005', ['smpp.command_id', 'smpp.sequence_number']);
  const out: number[] = [];
  for (const [ids, seqs] of rows) {
    const i = each(ids);
    const s = each(seqs);
    i.forEach((id, k) => {
      if (Number(id) === 5) out.push(Number(s[k]));
    });
  }
  return out;
}

/** Frames in the capture. */
export function frameCount(tshark: string, capture: string): number {
  return execFileSync(tshark, ['-n', '-r', capture, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter((l) => l.length > 0).length;
}

/** Every deliver_sm as `port:sequence_number`, the port the ESME's (sequence numbers are unique per session only). */
export function deliverSmKeys(tshark: string, capture: string, smscPort: number): string[] {
  const rows = fields(tshark, capture, [`tcp.port==${smscPort},smpp`], 'smpp.command_id==0x00000005', ['tcp.dstport', 'smpp.command_id', 'smpp.sequence_number']);
  const out: string[] = [];
  for (const [port, ids, seqs] of rows) {
    const s = each(seqs);
    each(ids).forEach((id, k) => {
      if (Number(id) === 5) out.push(`${port}:${s[k]}`);
    });
  }
  return out;
}

/**
 * command_status of every deliver_sm_resp. tshark shows command_status for responses only, so in a
 * frame that also holds requests (Kannel's MT submit_sm beside its deliver_sm_resp) the n-th status
 * belongs to the n-th response.
 */
export function deliverSmRespStatuses(tshark: string, capture: string, smscPort: number): number[] {
  const rows = fields(tshark, capture, [`tcp.port==${smscPort},smpp`], 'smpp.command_id==0x80000005', ['smpp.command_id', 'smpp.command_status']);
  const out: number[] = [];
  for (const [ids, sts] of rows) {
    const s = each(sts);
    let responses = 0;
    for (const id of each(ids)) {
      if (Number(id) < 0x80000000) continue;
      const status = s[responses++];
      if (Number(id) === 0x80000005) out.push(Number(status));
    }
  }
  return out;
}

export interface WireRequest {
  frame: number;
  method: string;
  uri: string;
  /** Sender of a POST callback: X-Kannel-From (post-url) or <oa><number> (post-xml). */
  kannelFrom?: string;
  /** Status of the response tshark paired with it; undefined when none. */
  status?: number;
}

/** Every HTTP request to the app, with the status of its response when one was on the wire. */
export function httpExchanges(tshark: string, capture: string, appPort: number): WireRequest[] {
  const dec = [`tcp.port==${appPort},http`];
  // Only the app's port: other HTTP on the capture (the app's own sendsms calls to Kannel) is not its.
  const reqs = fields(tshark, capture, dec, `http.request && tcp.port==${appPort}`, ['frame.number', 'http.request.method', 'http.request.uri', 'http.request.line', 'http.file_data']);
  const resps = fields(tshark, capture, dec, `http.response && tcp.port==${appPort}`, ['http.request_in', 'http.response.code']);
  const statusByReq = new Map<number, number>();
  for (const [reqIn, code] of resps) for (const r of each(reqIn)) statusByReq.set(Number(r), Number(each(code)[0]));
  return reqs.map(([frame, method, uri, lines, body]) => {
    // tshark escapes the body's whitespace (a literal `\t`), hence [^<]* between the tags.
    const oa = /<oa>[^<]*<number>([^<]*)</.exec(body ?? '')?.[1];
    const from = each(lines).find((l) => /^x-kannel-from:/i.test(l)) ?? (oa === undefined ? undefined : `x-kannel-from:${oa}`);
    return {
      frame: Number(frame),
      method: each(method)[0] ?? '',
      uri: each(uri)[0] ?? '',
      // tshark prints header lines with a literal `\r\n` at the end.
      kannelFrom: from ? from.slice(from.indexOf(':') + 1).replace(/\\r\\n$/, '').trim() : undefined,
      status: statusByReq.get(Number(frame)),
    };
  });
}

/** Connection attempts to the app that were refused (SYN answered by RST, no SYN-ACK). */
export function refusedConnections(tshark: string, capture: string, appPort: number): number {
  const syn = new Set(fields(tshark, capture, [], `tcp.dstport==${appPort} && tcp.flags.syn==1 && tcp.flags.ack==0`, ['tcp.stream']).map((r) => r[0]));
  const synAck = new Set(fields(tshark, capture, [], `tcp.srcport==${appPort} && tcp.flags.syn==1 && tcp.flags.ack==1`, ['tcp.stream']).map((r) => r[0]));
  let n = 0;
  for (const s of syn) if (!synAck.has(s)) n++;
  return n;
}
