// Generated from src/telemetry/metadata.yaml by `npm run gen`. Do not edit: CI fails when it drifts.
import { ValueType, type Meter, type ObservableCounter, type ObservableGauge } from '@opentelemetry/api';
import { SummedCounter } from '../summed-counter';
import type { HistogramFactory, HistogramRecorder } from '../summed-histogram';

/** Instrumentation scope of every span and metric. */
export const INSTRUMENTATION_SCOPE = "smpp-otel-agent";

// Attribute keys.
/** HTTP request method (GET, POST, ...); `_OTHER` when not a known method. (string) */
export const ATTR_HTTP_REQUEST_METHOD = "http.request.method";
/** Final HTTP response status code. (int) */
export const ATTR_HTTP_RESPONSE_STATUS_CODE = "http.response.status_code";
/** Low-cardinality route template of the request path (`/vote/{id}`). (string) */
export const ATTR_HTTP_ROUTE = "http.route";
/** Path of the request target (no query string); a segment that is a phone number is written as the privacy policy says (`{phone}` when dropped). (string) */
export const ATTR_URL_PATH = "url.path";
/** Address of the server side of the TCP connection (as captured). (string) */
export const ATTR_SERVER_ADDRESS = "server.address";
/** Port of the server side of the TCP connection. (int) */
export const ATTR_SERVER_PORT = "server.port";
/** Address of the client side of the TCP connection. (string) */
export const ATTR_CLIENT_ADDRESS = "client.address";
/** Port of the client side of the TCP connection. (int) */
export const ATTR_CLIENT_PORT = "client.port";
/** HTTP version of the request (`1.1`). (string) */
export const ATTR_NETWORK_PROTOCOL_VERSION = "network.protocol.version";
/** User-Agent header of the request. (string) */
export const ATTR_USER_AGENT_ORIGINAL = "user_agent.original";
/** Why the operation failed; an HTTP status code, an SMPP status name or one of the enum values. (string) */
export const ATTR_ERROR_TYPE = "error.type";
/** Always `smpp`. (string) */
export const ATTR_MESSAGING_SYSTEM = "messaging.system";
/** Messaging operation of a message PDU. (string) */
export const ATTR_MESSAGING_OPERATION_TYPE = "messaging.operation.type";
/** SMPP request command name (`submit_sm`). (string) */
export const ATTR_MESSAGING_OPERATION_NAME = "messaging.operation.name";
/** SMPP message_id (from the response, or the request for query_sm/cancel_sm). (string) */
export const ATTR_MESSAGING_MESSAGE_ID = "messaging.message.id";
/** system_id the ESME bound with. (string) */
export const ATTR_MESSAGING_CLIENT_ID = "messaging.client.id";
/** SMPP command name (`submit_sm`, `submit_sm_resp`, `generic_nack`). (string) */
export const ATTR_SMPP_COMMAND = "smpp.command";
/** Numeric command_status of the response. (int) */
export const ATTR_SMPP_COMMAND_STATUS = "smpp.command_status";
/** Name of the response's command_status (`ESME_ROK`); `none` for a request PDU. (string) */
export const ATTR_SMPP_COMMAND_STATUS_NAME = "smpp.command_status.name";
/** sequence_number of the request. (int) */
export const ATTR_SMPP_SEQUENCE_NUMBER = "smpp.sequence_number";
/** esm_class of the message PDU. (int) */
export const ATTR_SMPP_ESM_CLASS = "smpp.esm_class";
/** data_coding of the message PDU. (int) */
export const ATTR_SMPP_DATA_CODING = "smpp.data_coding";
/** Id of the SMPP session (one per TCP connection). (string) */
export const ATTR_SMPP_SESSION_ID = "smpp.session.id";
/** The short code side of a message (destination of an MO, source of an MT). (string) */
export const ATTR_SMPP_SHORTCODE = "smpp.shortcode";
/** Direction a PDU travelled. (string) */
export const ATTR_SMPP_DIRECTION = "smpp.direction";
/** How the session is bound. (string) */
export const ATTR_SMPP_BIND_TYPE = "smpp.bind_type";
/** What became of the request. (string) */
export const ATTR_SMPP_OUTCOME = "smpp.outcome";
/** source_addr of a message PDU after the phone privacy policy (hash by default). Spans only. (string) */
export const ATTR_SMPP_SOURCE_ADDR = "smpp.source_addr";
/** destination_addr of a message PDU after the phone privacy policy (hash by default). Spans only. (string) */
export const ATTR_SMPP_DESTINATION_ADDR = "smpp.destination_addr";
/** Decoded message text. Off unless `telemetry.spans.includeText` is set. Spans only. (string) */
export const ATTR_SMPP_MESSAGE_TEXT = "smpp.message.text";
/** Delivery receipt state (`DELIVRD`, `UNDELIV`, ...); `other` for anything non-standard. (string) */
export const ATTR_SMPP_RECEIPT_STATE = "smpp.receipt.state";
/** message_id the delivery receipt reports on. (string) */
export const ATTR_SMPP_RECEIPT_MESSAGE_ID = "smpp.receipt.message_id";
/** Id of the vote (the acked MO's content-derived id). (string) */
export const ATTR_SMS_VOTE_ID = "sms.vote.id";
/** Campaign name (`other` beyond the campaign cap). (string) */
export const ATTR_SMS_VOTE_CAMPAIGN = "sms.vote.campaign";
/** Shortcode the vote was sent to (`other` beyond the shortcode cap). (string) */
export const ATTR_SMS_VOTE_SHORTCODE = "sms.vote.shortcode";
/** Canonical choice; `none` for an invalid or unmatched vote, `other` beyond the campaign's choices or the cap. (string) */
export const ATTR_SMS_VOTE_CHOICE = "sms.vote.choice";
/** Vote state. (string) */
export const ATTR_SMS_VOTE_STATE = "sms.vote.state";
/** Vote state before a change. (string) */
export const ATTR_SMS_VOTE_PREVIOUS_STATE = "sms.vote.previous_state";
/** Why a vote was lost (`http-500`, `timeout`, `no-callback`, ...; `other` beyond the cap). (string) */
export const ATTR_SMS_VOTE_REASON = "sms.vote.reason";
/** Reason a packet, byte, span or data point was dropped or skipped. (string) */
export const ATTR_SMPP_AGENT_REASON = "smpp_agent.reason";
/** Protocol stage that skipped bytes. (string) */
export const ATTR_SMPP_AGENT_PROTOCOL = "smpp_agent.protocol";

// Attribute enums.
export const ERROR_TYPE_VALUES = ["timeout","reset","aborted","refused","gap","orphan","nack","evicted","unanswered","_OTHER"] as const;
export type ErrorType = (typeof ERROR_TYPE_VALUES)[number];
export const MESSAGING_SYSTEM_VALUES = ["smpp"] as const;
export type MessagingSystem = (typeof MESSAGING_SYSTEM_VALUES)[number];
export const MESSAGING_OPERATION_TYPE_VALUES = ["send","receive"] as const;
export type MessagingOperationType = (typeof MESSAGING_OPERATION_TYPE_VALUES)[number];
export const SMPP_DIRECTION_VALUES = ["esme_to_smsc","smsc_to_esme"] as const;
export type SmppDirection = (typeof SMPP_DIRECTION_VALUES)[number];
export const SMPP_BIND_TYPE_VALUES = ["transmitter","receiver","transceiver","outbind","unknown"] as const;
export type SmppBindType = (typeof SMPP_BIND_TYPE_VALUES)[number];
export const SMPP_OUTCOME_VALUES = ["ok","error","nack","timeout","orphan","unanswered","superseded","evicted","no_response"] as const;
export type SmppOutcome = (typeof SMPP_OUTCOME_VALUES)[number];
export const SMPP_RECEIPT_STATE_VALUES = ["DELIVRD","EXPIRED","DELETED","UNDELIV","ACCEPTD","UNKNOWN","REJECTD","ENROUTE","SKIPPED","other"] as const;
export type SmppReceiptState = (typeof SMPP_RECEIPT_STATE_VALUES)[number];
export const SMS_VOTE_STATE_VALUES = ["pending","accepted","lost"] as const;
export type SmsVoteState = (typeof SMS_VOTE_STATE_VALUES)[number];
export const SMS_VOTE_PREVIOUS_STATE_VALUES = ["pending","accepted","lost"] as const;
export type SmsVotePreviousState = (typeof SMS_VOTE_PREVIOUS_STATE_VALUES)[number];
export const SMPP_AGENT_PROTOCOL_VALUES = ["smpp","http","tcp"] as const;
export type SmppAgentProtocol = (typeof SMPP_AGENT_PROTOCOL_VALUES)[number];

// Metric names.
/** SMPP PDUs seen, by command, response status and direction. Unit `{pdu}`; Prometheus `smpp_pdus_total`. */
export const METRIC_SMPP_PDUS = "smpp.pdus";
/** Time from an SMPP request to its response, by request command. Unit `s`; Prometheus `smpp_operation_duration_seconds`. */
export const METRIC_SMPP_OPERATION_DURATION = "smpp.operation.duration";
/** SMPP transactions by request command and outcome. Unit `{operation}`; Prometheus `smpp_operations_total`. */
export const METRIC_SMPP_OPERATIONS = "smpp.operations";
/** Responses with ESME_RTHROTTLED or ESME_RMSGQFUL, by request command. Unit `{response}`; Prometheus `smpp_responses_throttled_total`. */
export const METRIC_SMPP_RESPONSES_THROTTLED = "smpp.responses.throttled";
/** Delivery receipts seen, by state. Unit `{receipt}`; Prometheus `smpp_delivery_receipts_total`. */
export const METRIC_SMPP_DELIVERY_RECEIPTS = "smpp.delivery_receipts";
/** Requests waiting for their response now, by bind type of the session. Unit `{request}`; Prometheus `smpp_requests_outstanding`. */
export const METRIC_SMPP_REQUESTS_OUTSTANDING = "smpp.requests.outstanding";
/** SMPP sessions bound now, by bind type. Unit `{session}`; Prometheus `smpp_sessions_bound`. */
export const METRIC_SMPP_SESSIONS_BOUND = "smpp.sessions.bound";
/** Duration of HTTP callbacks from the gateway to the vote app (first request byte to last response byte, or to the failure). Unit `s`; Prometheus `http_client_request_duration_seconds`. */
export const METRIC_HTTP_CLIENT_REQUEST_DURATION = "http.client.request.duration";
/** Votes received (acked MOs), by campaign, shortcode and choice. Unit `{vote}`; Prometheus `sms_votes_total`. */
export const METRIC_SMS_VOTES = "sms.votes";
/** Votes now in each state, by campaign, shortcode, choice and state. Unit `{vote}`; Prometheus `sms_votes_by_state`. */
export const METRIC_SMS_VOTES_BY_STATE = "sms.votes.by_state";
/** Votes that became lost, by campaign, shortcode and reason (a later recovery is counted in sms.votes.recovered). Unit `{vote}`; Prometheus `sms_votes_lost_total`. */
export const METRIC_SMS_VOTES_LOST = "sms.votes.lost";
/** Lost votes that a later callback turned into accepted ones. Unit `{vote}`; Prometheus `sms_votes_recovered_total`. */
export const METRIC_SMS_VOTES_RECOVERED = "sms.votes.recovered";
/** Packets captured. Unit `{packet}`; Prometheus `smpp_agent_capture_packets_total`. */
export const METRIC_SMPP_AGENT_CAPTURE_PACKETS = "smpp_agent.capture.packets";
/** Bytes captured. Unit `By`; Prometheus `smpp_agent_capture_bytes_total`. */
export const METRIC_SMPP_AGENT_CAPTURE_BYTES = "smpp_agent.capture.bytes";
/** Packets that could not be decoded, by reason. Unit `{packet}`; Prometheus `smpp_agent_capture_malformed_total`. */
export const METRIC_SMPP_AGENT_CAPTURE_MALFORMED = "smpp_agent.capture.malformed";
/** Capture-loss estimate, bytes the peers acknowledged that the capture never saw. Unit `By`; Prometheus `smpp_agent_capture_lost_bytes_total`. */
export const METRIC_SMPP_AGENT_CAPTURE_LOST = "smpp_agent.capture.lost";
/** Bytes skipped as TCP gaps (missing data). Unit `By`; Prometheus `smpp_agent_tcp_gap_bytes_total`. */
export const METRIC_SMPP_AGENT_TCP_GAP = "smpp_agent.tcp.gap";
/** Connections that were another connection captured again under other addresses (tcpdump -i any on a host that NATs); not delivered, so nothing is counted twice. Unit `{connection}`; Prometheus `smpp_agent_tcp_connections_mirrored_total`. */
export const METRIC_SMPP_AGENT_TCP_CONNECTIONS_MIRRORED = "smpp_agent.tcp.connections.mirrored";
/** Packets stamped earlier than a packet before them (a clock stepped back while capturing); they took the latest time seen. Unit `{packet}`; Prometheus `smpp_agent_capture_timestamps_backward_total`. */
export const METRIC_SMPP_AGENT_CAPTURE_TIMESTAMPS_BACKWARD = "smpp_agent.capture.timestamps_backward";
/** The largest lead of a response over its request seen so far, i.e. how far the clocks of the capture points disagree (a TAP's two feeds on two NICs); vote matching allows that much. 0 on a capture from one clock. Unit `ms`; Prometheus `smpp_agent_capture_direction_skew_milliseconds`. */
export const METRIC_SMPP_AGENT_CAPTURE_DIRECTION_SKEW = "smpp_agent.capture.direction_skew";
/** Connections evicted by the connection table bound. Unit `{connection}`; Prometheus `smpp_agent_tcp_connections_evicted_total`. */
export const METRIC_SMPP_AGENT_TCP_CONNECTIONS_EVICTED = "smpp_agent.tcp.connections.evicted";
/** Bytes the protocol decoders skipped, by protocol and reason. Unit `By`; Prometheus `smpp_agent_decode_skipped_bytes_total`. */
export const METRIC_SMPP_AGENT_DECODE_SKIPPED = "smpp_agent.decode.skipped";
/** Spans the OTLP exporter delivered. Unit `{span}`; Prometheus `smpp_agent_telemetry_spans_exported_total`. */
export const METRIC_SMPP_AGENT_TELEMETRY_SPANS_EXPORTED = "smpp_agent.telemetry.spans.exported";
/** Spans not delivered, by reason (queue_full, sampled_out, shutdown, encode_error, export_<failure> such as export_timeout or export_http_503). Unit `{span}`; Prometheus `smpp_agent_telemetry_spans_dropped_total`. */
export const METRIC_SMPP_AGENT_TELEMETRY_SPANS_DROPPED = "smpp_agent.telemetry.spans.dropped";
/** Metric data points not delivered, by reason (encode_error, export_<failure> such as export_connection_refused). Unit `{point}`; Prometheus `smpp_agent_telemetry_metric_points_dropped_total`. */
export const METRIC_SMPP_AGENT_TELEMETRY_METRIC_POINTS_DROPPED = "smpp_agent.telemetry.metric_points.dropped";
/** How far the durable vote store is behind the capture clock. Unit `s`; Prometheus `smpp_agent_store_lag_seconds`. */
export const METRIC_SMPP_AGENT_STORE_LAG = "smpp_agent.store.lag";

/** Every metric: unit, instrument and the name Prometheus shows (Collector translation). */
export const METRICS: ReadonlyArray<{ name: string; unit: string; instrument: string; prometheus: string; attributes: readonly string[] }> = [
  { name: "smpp.pdus", unit: "{pdu}", instrument: "counter", prometheus: "smpp_pdus_total", attributes: ["smpp.command","smpp.command_status.name","smpp.direction"] },
  { name: "smpp.operation.duration", unit: "s", instrument: "histogram", prometheus: "smpp_operation_duration_seconds", attributes: ["smpp.command"] },
  { name: "smpp.operations", unit: "{operation}", instrument: "counter", prometheus: "smpp_operations_total", attributes: ["smpp.command","smpp.outcome"] },
  { name: "smpp.responses.throttled", unit: "{response}", instrument: "counter", prometheus: "smpp_responses_throttled_total", attributes: ["smpp.command"] },
  { name: "smpp.delivery_receipts", unit: "{receipt}", instrument: "counter", prometheus: "smpp_delivery_receipts_total", attributes: ["smpp.receipt.state"] },
  { name: "smpp.requests.outstanding", unit: "{request}", instrument: "observable_gauge", prometheus: "smpp_requests_outstanding", attributes: ["smpp.bind_type"] },
  { name: "smpp.sessions.bound", unit: "{session}", instrument: "observable_gauge", prometheus: "smpp_sessions_bound", attributes: ["smpp.bind_type"] },
  { name: "http.client.request.duration", unit: "s", instrument: "histogram", prometheus: "http_client_request_duration_seconds", attributes: ["http.request.method","http.route","http.response.status_code","error.type","server.address","server.port"] },
  { name: "sms.votes", unit: "{vote}", instrument: "counter", prometheus: "sms_votes_total", attributes: ["sms.vote.campaign","sms.vote.shortcode","sms.vote.choice"] },
  { name: "sms.votes.by_state", unit: "{vote}", instrument: "updowncounter", prometheus: "sms_votes_by_state", attributes: ["sms.vote.campaign","sms.vote.shortcode","sms.vote.choice","sms.vote.state"] },
  { name: "sms.votes.lost", unit: "{vote}", instrument: "counter", prometheus: "sms_votes_lost_total", attributes: ["sms.vote.campaign","sms.vote.shortcode","sms.vote.reason"] },
  { name: "sms.votes.recovered", unit: "{vote}", instrument: "counter", prometheus: "sms_votes_recovered_total", attributes: ["sms.vote.campaign","sms.vote.shortcode"] },
  { name: "smpp_agent.capture.packets", unit: "{packet}", instrument: "observable_counter", prometheus: "smpp_agent_capture_packets_total", attributes: [] },
  { name: "smpp_agent.capture.bytes", unit: "By", instrument: "observable_counter", prometheus: "smpp_agent_capture_bytes_total", attributes: [] },
  { name: "smpp_agent.capture.malformed", unit: "{packet}", instrument: "observable_counter", prometheus: "smpp_agent_capture_malformed_total", attributes: ["smpp_agent.reason"] },
  { name: "smpp_agent.capture.lost", unit: "By", instrument: "observable_counter", prometheus: "smpp_agent_capture_lost_bytes_total", attributes: [] },
  { name: "smpp_agent.tcp.gap", unit: "By", instrument: "observable_counter", prometheus: "smpp_agent_tcp_gap_bytes_total", attributes: [] },
  { name: "smpp_agent.tcp.connections.mirrored", unit: "{connection}", instrument: "observable_counter", prometheus: "smpp_agent_tcp_connections_mirrored_total", attributes: [] },
  { name: "smpp_agent.capture.timestamps_backward", unit: "{packet}", instrument: "observable_counter", prometheus: "smpp_agent_capture_timestamps_backward_total", attributes: [] },
  { name: "smpp_agent.capture.direction_skew", unit: "ms", instrument: "observable_gauge", prometheus: "smpp_agent_capture_direction_skew_milliseconds", attributes: [] },
  { name: "smpp_agent.tcp.connections.evicted", unit: "{connection}", instrument: "observable_counter", prometheus: "smpp_agent_tcp_connections_evicted_total", attributes: [] },
  { name: "smpp_agent.decode.skipped", unit: "By", instrument: "observable_counter", prometheus: "smpp_agent_decode_skipped_bytes_total", attributes: ["smpp_agent.protocol","smpp_agent.reason"] },
  { name: "smpp_agent.telemetry.spans.exported", unit: "{span}", instrument: "observable_counter", prometheus: "smpp_agent_telemetry_spans_exported_total", attributes: [] },
  { name: "smpp_agent.telemetry.spans.dropped", unit: "{span}", instrument: "observable_counter", prometheus: "smpp_agent_telemetry_spans_dropped_total", attributes: ["smpp_agent.reason"] },
  { name: "smpp_agent.telemetry.metric_points.dropped", unit: "{point}", instrument: "observable_counter", prometheus: "smpp_agent_telemetry_metric_points_dropped_total", attributes: ["smpp_agent.reason"] },
  { name: "smpp_agent.store.lag", unit: "s", instrument: "observable_gauge", prometheus: "smpp_agent_store_lag_seconds", attributes: [] },
];

export type HistogramMetric = "smpp.operation.duration" | "http.client.request.duration";
/** Default explicit bucket boundaries (seconds), overridable per histogram. */
export const DEFAULT_BUCKETS: Record<HistogramMetric, readonly number[]> = {
  "smpp.operation.duration": [0.001,0.0025,0.005,0.01,0.025,0.05,0.1,0.25,0.5,1,2.5,5,10,30],
  "http.client.request.duration": [0.005,0.01,0.025,0.05,0.075,0.1,0.25,0.5,0.75,1,2.5,5,7.5,10],
};

/** Instruments fed from transaction records and vote events. */
export interface Instruments {
  smppPdus: SummedCounter;
  smppOperationDuration: HistogramRecorder;
  smppOperations: SummedCounter;
  smppResponsesThrottled: SummedCounter;
  smppDeliveryReceipts: SummedCounter;
  httpClientRequestDuration: HistogramRecorder;
  smsVotes: SummedCounter;
  smsVotesByState: SummedCounter;
  smsVotesLost: SummedCounter;
  smsVotesRecovered: SummedCounter;
}

export function createInstruments(meter: Meter, buckets: Partial<Record<HistogramMetric, readonly number[]>> = {}, histograms: HistogramFactory = meter): Instruments {
  return {
    smppPdus: new SummedCounter(meter.createObservableCounter("smpp.pdus", { description: "SMPP PDUs seen, by command, response status and direction.", unit: "{pdu}", valueType: ValueType.INT })),
    smppOperationDuration: histograms.createHistogram("smpp.operation.duration", { description: "Time from an SMPP request to its response, by request command.", unit: "s", valueType: ValueType.DOUBLE, advice: { explicitBucketBoundaries: [...(buckets["smpp.operation.duration"] ?? DEFAULT_BUCKETS["smpp.operation.duration"])] } }),
    smppOperations: new SummedCounter(meter.createObservableCounter("smpp.operations", { description: "SMPP transactions by request command and outcome.", unit: "{operation}", valueType: ValueType.INT })),
    smppResponsesThrottled: new SummedCounter(meter.createObservableCounter("smpp.responses.throttled", { description: "Responses with ESME_RTHROTTLED or ESME_RMSGQFUL, by request command.", unit: "{response}", valueType: ValueType.INT })),
    smppDeliveryReceipts: new SummedCounter(meter.createObservableCounter("smpp.delivery_receipts", { description: "Delivery receipts seen, by state.", unit: "{receipt}", valueType: ValueType.INT })),
    httpClientRequestDuration: histograms.createHistogram("http.client.request.duration", { description: "Duration of HTTP callbacks from the gateway to the vote app (first request byte to last response byte, or to the failure).", unit: "s", valueType: ValueType.DOUBLE, advice: { explicitBucketBoundaries: [...(buckets["http.client.request.duration"] ?? DEFAULT_BUCKETS["http.client.request.duration"])] } }),
    smsVotes: new SummedCounter(meter.createObservableCounter("sms.votes", { description: "Votes received (acked MOs), by campaign, shortcode and choice.", unit: "{vote}", valueType: ValueType.INT })),
    smsVotesByState: new SummedCounter(meter.createObservableUpDownCounter("sms.votes.by_state", { description: "Votes now in each state, by campaign, shortcode, choice and state.", unit: "{vote}", valueType: ValueType.INT })),
    smsVotesLost: new SummedCounter(meter.createObservableCounter("sms.votes.lost", { description: "Votes that became lost, by campaign, shortcode and reason (a later recovery is counted in sms.votes.recovered).", unit: "{vote}", valueType: ValueType.INT })),
    smsVotesRecovered: new SummedCounter(meter.createObservableCounter("sms.votes.recovered", { description: "Lost votes that a later callback turned into accepted ones.", unit: "{vote}", valueType: ValueType.INT })),
  };
}

/** Instruments observed at collection time (agent health, live SMPP state). */
export interface ObservableInstruments {
  smppRequestsOutstanding: ObservableGauge;
  smppSessionsBound: ObservableGauge;
  smppAgentCapturePackets: ObservableCounter;
  smppAgentCaptureBytes: ObservableCounter;
  smppAgentCaptureMalformed: ObservableCounter;
  smppAgentCaptureLost: ObservableCounter;
  smppAgentTcpGap: ObservableCounter;
  smppAgentTcpConnectionsMirrored: ObservableCounter;
  smppAgentCaptureTimestampsBackward: ObservableCounter;
  smppAgentCaptureDirectionSkew: ObservableGauge;
  smppAgentTcpConnectionsEvicted: ObservableCounter;
  smppAgentDecodeSkipped: ObservableCounter;
  smppAgentTelemetrySpansExported: ObservableCounter;
  smppAgentTelemetrySpansDropped: ObservableCounter;
  smppAgentTelemetryMetricPointsDropped: ObservableCounter;
  smppAgentStoreLag: ObservableGauge;
}

export function createObservableInstruments(meter: Meter): ObservableInstruments {
  return {
    smppRequestsOutstanding: meter.createObservableGauge("smpp.requests.outstanding", { description: "Requests waiting for their response now, by bind type of the session.", unit: "{request}", valueType: ValueType.INT }),
    smppSessionsBound: meter.createObservableGauge("smpp.sessions.bound", { description: "SMPP sessions bound now, by bind type.", unit: "{session}", valueType: ValueType.INT }),
    smppAgentCapturePackets: meter.createObservableCounter("smpp_agent.capture.packets", { description: "Packets captured.", unit: "{packet}", valueType: ValueType.INT }),
    smppAgentCaptureBytes: meter.createObservableCounter("smpp_agent.capture.bytes", { description: "Bytes captured.", unit: "By", valueType: ValueType.INT }),
    smppAgentCaptureMalformed: meter.createObservableCounter("smpp_agent.capture.malformed", { description: "Packets that could not be decoded, by reason.", unit: "{packet}", valueType: ValueType.INT }),
    smppAgentCaptureLost: meter.createObservableCounter("smpp_agent.capture.lost", { description: "Capture-loss estimate, bytes the peers acknowledged that the capture never saw.", unit: "By", valueType: ValueType.INT }),
    smppAgentTcpGap: meter.createObservableCounter("smpp_agent.tcp.gap", { description: "Bytes skipped as TCP gaps (missing data).", unit: "By", valueType: ValueType.INT }),
    smppAgentTcpConnectionsMirrored: meter.createObservableCounter("smpp_agent.tcp.connections.mirrored", { description: "Connections that were another connection captured again under other addresses (tcpdump -i any on a host that NATs); not delivered, so nothing is counted twice.", unit: "{connection}", valueType: ValueType.INT }),
    smppAgentCaptureTimestampsBackward: meter.createObservableCounter("smpp_agent.capture.timestamps_backward", { description: "Packets stamped earlier than a packet before them (a clock stepped back while capturing); they took the latest time seen.", unit: "{packet}", valueType: ValueType.INT }),
    smppAgentCaptureDirectionSkew: meter.createObservableGauge("smpp_agent.capture.direction_skew", { description: "The largest lead of a response over its request seen so far, i.e. how far the clocks of the capture points disagree (a TAP's two feeds on two NICs); vote matching allows that much. 0 on a capture from one clock.", unit: "ms", valueType: ValueType.DOUBLE }),
    smppAgentTcpConnectionsEvicted: meter.createObservableCounter("smpp_agent.tcp.connections.evicted", { description: "Connections evicted by the connection table bound.", unit: "{connection}", valueType: ValueType.INT }),
    smppAgentDecodeSkipped: meter.createObservableCounter("smpp_agent.decode.skipped", { description: "Bytes the protocol decoders skipped, by protocol and reason.", unit: "By", valueType: ValueType.INT }),
    smppAgentTelemetrySpansExported: meter.createObservableCounter("smpp_agent.telemetry.spans.exported", { description: "Spans the OTLP exporter delivered.", unit: "{span}", valueType: ValueType.INT }),
    smppAgentTelemetrySpansDropped: meter.createObservableCounter("smpp_agent.telemetry.spans.dropped", { description: "Spans not delivered, by reason (queue_full, sampled_out, shutdown, encode_error, export_<failure> such as export_timeout or export_http_503).", unit: "{span}", valueType: ValueType.INT }),
    smppAgentTelemetryMetricPointsDropped: meter.createObservableCounter("smpp_agent.telemetry.metric_points.dropped", { description: "Metric data points not delivered, by reason (encode_error, export_<failure> such as export_connection_refused).", unit: "{point}", valueType: ValueType.INT }),
    smppAgentStoreLag: meter.createObservableGauge("smpp_agent.store.lag", { description: "How far the durable vote store is behind the capture clock.", unit: "s", valueType: ValueType.DOUBLE }),
  };
}
