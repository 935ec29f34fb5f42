/**
 * The agent's configuration, declared once: convict validates it and `scripts/gen-config-docs.ts`
 * turns it into docs/config.md (CI fails when that file drifts). Durations are integers in the unit
 * their key names, so a value reads the same in YAML, env and flags.
 */
import convict from 'convict';
import { validateCampaignConfig } from '../votes/campaign-config';
import { telemetryConfigFormats, telemetryConfigSchema, type TelemetryConfigShape } from '../telemetry/config-schema';

const portList = {
  name: 'port-list',
  validate(val: unknown) {
    if (!Array.isArray(val) || !val.every((p) => Number.isInteger(p) && p > 0 && p < 65536)) {
      throw new Error('must be a list of TCP ports (1-65535)');
    }
  },
  coerce(val: unknown) {
    return typeof val === 'string' ? val.split(',').filter(Boolean).map((s) => Number(s.trim())) : val;
  },
};
const stringList = {
  name: 'string-list',
  validate(val: unknown) {
    if (!Array.isArray(val) || !val.every((s) => typeof s === 'string')) throw new Error('must be a list of strings');
  },
  coerce(val: unknown) {
    return typeof val === 'string' ? val.split(',').map((s) => s.trim()).filter(Boolean) : val;
  },
};
const positive = {
  name: 'positive-int',
  validate(val: unknown) {
    if (!Number.isInteger(val) || (val as number) <= 0) throw new Error('must be a positive integer');
  },
  coerce: (v: unknown) => (typeof v === 'string' ? Number(v) : v),
};
const campaigns = {
  name: 'campaigns',
  validate(val: unknown) {
    const { errors } = validateCampaignConfig({ campaigns: val }, 'votes');
    if (errors.length) throw new Error(errors.map((e) => `${e.key}: ${e.reason}`).join('; '));
  },
};
const nonNegative = {
  name: 'non-negative-int',
  validate(val: unknown) {
    if (!Number.isInteger(val) || (val as number) < 0) throw new Error('must be an integer >= 0');
  },
  coerce: (v: unknown) => (typeof v === 'string' ? Number(v) : v),
};
convict.addFormats({ 'port-list': portList, 'string-list': stringList, 'positive-int': positive, 'non-negative-int': nonNegative, campaigns, ...telemetryConfigFormats });

export const configSchema = {
  capture: {
    interface: { doc: 'Network interface for live capture (`any` for all).', format: String, default: 'any', env: 'SMPP_AGENT_INTERFACE', arg: 'interface' },
    filter: { doc: 'BPF capture filter. Empty: built from the SMPP and HTTP ports.', format: String, default: '', env: 'SMPP_AGENT_FILTER', arg: 'filter' },
    bufferSizeBytes: { doc: 'Kernel capture buffer size in bytes.', format: 'positive-int', default: 16 * 1024 * 1024, env: 'SMPP_AGENT_CAPTURE_BUFFER_BYTES' },
    snapLength: { doc: 'Bytes captured per packet.', format: 'positive-int', default: 65535, env: 'SMPP_AGENT_SNAPLEN' },
  },
  ports: {
    smpp: { doc: 'TCP ports that carry SMPP (server side). Streams on other ports are detected by their first bytes.', format: 'port-list', default: [2775, 2776, 2777], env: 'SMPP_AGENT_SMPP_PORTS', arg: 'smpp-ports' },
    http: { doc: 'TCP ports that carry HTTP callbacks (server side). Other ports are detected by a request line.', format: 'port-list', default: [80, 8080, 8000, 13013], env: 'SMPP_AGENT_HTTP_PORTS', arg: 'http-ports' },
    maxLearnedServices: { doc: 'Servers on other ports remembered with the protocol detected on them, so later refused or unanswered connections to them count as failed SMPP binds or callbacks (oldest forgotten first; 0: off).', format: 'nat', default: 4096, env: 'SMPP_AGENT_MAX_LEARNED_SERVICES' },
  },
  reassembly: {
    gapTimeoutMs: { doc: 'Missing TCP bytes that do not arrive within this capture-clock time are skipped and reported as a gap (bytes the peer has acknowledged are skipped at once: the capture missed them).', format: 'positive-int', default: 2000, env: 'SMPP_AGENT_GAP_TIMEOUT_MS' },
    idleTimeoutMs: { doc: 'Connections idle this long (capture clock) are closed.', format: 'positive-int', default: 600000, env: 'SMPP_AGENT_IDLE_TIMEOUT_MS' },
    maxConnections: { doc: 'Connections tracked at once; beyond it the idlest is evicted (counted).', format: 'positive-int', default: 100000, env: 'SMPP_AGENT_MAX_CONNECTIONS' },
    maxBufferedBytes: { doc: 'Out-of-order bytes held across all connections.', format: 'positive-int', default: 64 * 1024 * 1024, env: 'SMPP_AGENT_MAX_BUFFERED_BYTES' },
    maxBufferedBytesPerHalf: { doc: 'Out-of-order bytes held for one direction of one connection.', format: 'positive-int', default: 1024 * 1024 },
  },
  smpp: {
    maxPduLength: { doc: 'Largest command_length accepted; longer headers are treated as garbage and resynced.', format: 'positive-int', default: 65536, env: 'SMPP_AGENT_SMPP_MAX_PDU' },
    defaultAlphabet: { doc: 'What data_coding 0 (SMSC default alphabet) means on these links.', format: ['gsm7', 'gsm7-packed', 'latin1', 'ascii'], default: 'gsm7', env: 'SMPP_AGENT_SMPP_DEFAULT_ALPHABET' },
    responseTimeoutMs: { doc: 'A request without a response this long (capture clock) is a timeout.', format: 'positive-int', default: 30000, env: 'SMPP_AGENT_SMPP_RESPONSE_TIMEOUT_MS' },
  },
  http: {
    callbackPaths: { doc: 'Path prefixes of vote callbacks (bodies captured, vote fields extracted). Empty: every request.', format: 'string-list', default: [] as string[], env: 'SMPP_AGENT_CALLBACK_PATHS' },
    maxBodyCaptureBytes: { doc: 'Request body bytes kept for vote-field extraction.', format: 'positive-int', default: 16384 },
    responseTimeoutMs: { doc: 'A callback without a response this long (capture clock) is a timeout.', format: 'positive-int', default: 30000, env: 'SMPP_AGENT_HTTP_RESPONSE_TIMEOUT_MS' },
  },
  votes: {
    strict: { doc: 'Only configured campaigns count; votes to other shortcodes are reported as unmatched.', format: Boolean, default: false, env: 'SMPP_AGENT_VOTES_STRICT' },
    campaigns: { doc: 'Campaigns: `{name, shortcodes, keywords?, choices?, window?, policy?, maxPerMsisdn?}` (see README). Empty: every MO to any shortcode is a vote.', format: 'campaigns', default: [] as unknown[] },
    matchWindowMs: { doc: 'How long after the gateway acked a vote its callback may arrive before the vote counts as lost.', format: 'positive-int', default: 60000, env: 'SMPP_AGENT_MATCH_WINDOW_MS' },
    redeliveryWindowMs: { doc: 'An SMSC redelivery of a rejected MO within this window is the same vote.', format: 'positive-int', default: 600000 },
  },
  privacy: {
    phoneNumbers: { doc: 'How phone numbers appear in spans, logs and lost-vote lists (never in metrics).', format: ['hash', 'drop', 'clear'], default: 'hash', env: 'SMPP_AGENT_PHONE_NUMBERS' },
    hashKey: { doc: 'HMAC key for hashed phone numbers. Empty: a random key per run (hashes then differ between runs).', format: String, default: '', env: 'SMPP_AGENT_HASH_KEY', sensitive: true },
  },
  store: {
    path: { doc: 'SQLite file of the durable buffer. Empty for `replay`: a temporary store.', format: String, default: '', env: 'SMPP_AGENT_STORE', arg: 'store' },
    maxAgeHours: { doc: 'Rows older than this (capture clock) are dropped, oldest first (counted). 0 keeps them.', format: 'non-negative-int', default: 168 },
    maxTransactions: { doc: 'Transactions kept; the oldest are dropped first (counted).', format: 'positive-int', default: 5000000 },
    commitIntervalMs: { doc: 'Store commits are at most this far apart (wall clock), also inside a long replay. A forensic replay may raise it: each commit rewrites the vote blocks that changed (100 ms costs a 200k-vote replay 5–8% against commits once a second).', format: 'positive-int', default: 100 },
  },
  telemetry: telemetryConfigSchema,
} as const;

/** Plain shape of the validated config (convict's getProperties()). */
export interface ConfigShape {
  capture: { interface: string; filter: string; bufferSizeBytes: number; snapLength: number };
  ports: { smpp: number[]; http: number[]; maxLearnedServices: number };
  reassembly: { gapTimeoutMs: number; idleTimeoutMs: number; maxConnections: number; maxBufferedBytes: number; maxBufferedBytesPerHalf: number };
  smpp: { maxPduLength: number; defaultAlphabet: 'gsm7' | 'gsm7-packed' | 'latin1' | 'ascii'; responseTimeoutMs: number };
  http: { callbackPaths: string[]; maxBodyCaptureBytes: number; responseTimeoutMs: number };
  votes: { strict: boolean; campaigns: unknown[]; matchWindowMs: number; redeliveryWindowMs: number };
  privacy: { phoneNumbers: 'hash' | 'drop' | 'clear'; hashKey: string };
  store: { path: string; maxAgeHours: number; maxTransactions: number; commitIntervalMs: number };
  telemetry: TelemetryConfigShape;
}

/** A convict instance over the schema; env and command-line args come from the caller, never implicitly. */
export function createConfig(env: NodeJS.ProcessEnv = {}, args: string[] = []) {
  return convict(configSchema as unknown as convict.Schema<ConfigShape>, { env, args });
}
