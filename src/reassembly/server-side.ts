/**
 * Which endpoint of a new connection is the server, judged from its first segment:
 * a configured server port first, then the SYN (SYN alone = client, SYN-ACK = server), else the
 * lower port (well-known ports are low). Ties go to the destination.
 */
import { TCP_ACK, TCP_SYN, type TcpSegment } from '../decode/tcp-segment';
import type { ConnectionInfo } from './stream-sink';

export type ServerBy = ConnectionInfo['serverBy'];

/** Result of chooseServer: whether the segment's sender is the client, and why. */
export interface ServerChoice {
  senderIsClient: boolean;
  serverBy: ServerBy;
}

export function chooseServer(seg: TcpSegment, serverPorts: ReadonlySet<number>, into: ServerChoice): ServerChoice {
  if (serverPorts.has(seg.dstPort)) { into.senderIsClient = true; into.serverBy = 'port'; return into; }
  if (serverPorts.has(seg.srcPort)) { into.senderIsClient = false; into.serverBy = 'port'; return into; }
  if (seg.flags & TCP_SYN) {
    into.senderIsClient = (seg.flags & TCP_ACK) === 0;
    into.serverBy = 'syn';
    return into;
  }
  into.senderIsClient = seg.dstPort <= seg.srcPort;
  into.serverBy = 'lower-port';
  return into;
}
