/** Shapes shared by the vote-counting app (child process) and the harness. */

/** How the app treats every callback carrying one vote (chosen per vote from the seed). */
export type Behaviour = 'ok' | 'fail-once-500' | 'fail-once-503' | 'slow-once' | 'drop-once' | 'always-500' | 'always-503' | 'always-slow' | 'always-drop';

export interface VoteAppConfig {
  host: string;
  port: number;
  /** Seed for the per-vote behaviour. */
  seed: number;
  /** Share of votes per non-ok behaviour; the rest are 'ok'. */
  shares: Partial<Record<Exclude<Behaviour, 'ok'>, number>>;
  /** Delay of a slow answer (longer than Kannel's http-timeout). */
  slowMs: number;
  /** The app stops listening this long after its first request… */
  outageStartMs: number;
  /** …for this long (connections refused). 0: no outage. */
  outageMs: number;
  /** Behaviour and attempts per message (sender, shortcode and text) rather than per sender and shortcode: fans send several. */
  perMessage?: boolean;
  /** Where the request log goes (JSON, VoteAppLog). */
  logPath: string;
  /**
   * Thank every voter whose callback it answered 200: an MT through Kannel's sendsms interface, with a
   * delivery report requested (dlr-mask 1) to `dlrUrl` — Kannel then calls the app's `/dlr` path. Default none.
   */
  confirm?: { host: string; port: number; user: string; password: string; dlrUrl: string };
}

/** A sendsms request the app made to thank a voter. */
export interface AppConfirmation {
  atMs: number;
  /** The voter (the MT's receiver) and the shortcode it comes from. */
  to: string;
  from: string;
  /** Kannel's answer: HTTP status, or the error. */
  status: number | string;
}

/** A delivery-report callback Kannel made to the app's `/dlr` path. */
export interface AppDlr {
  receivedAtMs: number;
  url: string;
  remotePort: number;
}

/** One callback the app received, and what it did with it. */
export interface AppRequest {
  index: number;
  receivedAtMs: number;
  method: string;
  url: string;
  /** Sender as the gateway sent it (may carry '+'). */
  from: string;
  to: string;
  /** The text decoded with `charset`. */
  text: string;
  /** The text bytes as received (after percent-decoding), hex. */
  rawTextHex: string;
  /** Charset the gateway declared (`charset` parameter or Content-Type). */
  charset: string;
  /** Which callback for this (from, to) this is, 0-based (for a part callback: for this part). */
  attempt: number;
  /** The part of a long message this callback carries (from its UDH; Kannel with combine off), 1-based. */
  part?: number;
  behaviour: Behaviour;
  /** What the app decided: an HTTP status, or 'drop' (socket destroyed without an answer). */
  decision: number | 'drop';
  /** When the answer was handed to the socket. */
  answeredAtMs?: number;
  /** The response was fully written to the socket ('finish'). */
  written: boolean;
  /** The gateway closed its side before the answer was written (it gave up). */
  peerClosedBeforeAnswer: boolean;
  /** Answered while the outage had started (kept-alive connection, Connection: close). */
  duringOutage: boolean;
  /** Local port of the gateway's connection, to find it in the capture. */
  remotePort: number;
}

export interface VoteAppLog {
  requests: AppRequest[];
  /** Only with `confirm`. */
  confirmations?: AppConfirmation[];
  dlrs?: AppDlr[];
  outage?: { startedAtMs: number; endedAtMs?: number };
}

export type VoteAppMessage = { type: 'listening' } | { type: 'stats'; requests: number; pending: number; lastRequestAtMs: number; listening: boolean };
