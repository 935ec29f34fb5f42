/**
 * Encoded pieces the protobuf span writers share: the attribute keys (KeyValue.key, encoded once), a
 * span status field.
 */
import * as N from './generated/telemetry-names';
import { keyField, ProtoWriter, WIRE_LDELIM, WIRE_VARINT } from './protobuf-writer';
import { spanStatusCode } from './span-attributes';

export const K = {
  msgSystem: keyField(N.ATTR_MESSAGING_SYSTEM), opType: keyField(N.ATTR_MESSAGING_OPERATION_TYPE), opName: keyField(N.ATTR_MESSAGING_OPERATION_NAME),
  msgId: keyField(N.ATTR_MESSAGING_MESSAGE_ID), clientId: keyField(N.ATTR_MESSAGING_CLIENT_ID), command: keyField(N.ATTR_SMPP_COMMAND),
  status: keyField(N.ATTR_SMPP_COMMAND_STATUS), statusName: keyField(N.ATTR_SMPP_COMMAND_STATUS_NAME), seq: keyField(N.ATTR_SMPP_SEQUENCE_NUMBER),
  esm: keyField(N.ATTR_SMPP_ESM_CLASS), dcs: keyField(N.ATTR_SMPP_DATA_CODING), session: keyField(N.ATTR_SMPP_SESSION_ID),
  shortcode: keyField(N.ATTR_SMPP_SHORTCODE), bindType: keyField(N.ATTR_SMPP_BIND_TYPE), outcome: keyField(N.ATTR_SMPP_OUTCOME),
  src: keyField(N.ATTR_SMPP_SOURCE_ADDR), dst: keyField(N.ATTR_SMPP_DESTINATION_ADDR), text: keyField(N.ATTR_SMPP_MESSAGE_TEXT),
  rcptState: keyField(N.ATTR_SMPP_RECEIPT_STATE), rcptId: keyField(N.ATTR_SMPP_RECEIPT_MESSAGE_ID), serverAddr: keyField(N.ATTR_SERVER_ADDRESS),
  serverPort: keyField(N.ATTR_SERVER_PORT), clientAddr: keyField(N.ATTR_CLIENT_ADDRESS), clientPort: keyField(N.ATTR_CLIENT_PORT),
  errorType: keyField(N.ATTR_ERROR_TYPE), method: keyField(N.ATTR_HTTP_REQUEST_METHOD), route: keyField(N.ATTR_HTTP_ROUTE),
  path: keyField(N.ATTR_URL_PATH), httpStatus: keyField(N.ATTR_HTTP_RESPONSE_STATUS_CODE), protoVersion: keyField(N.ATTR_NETWORK_PROTOCOL_VERSION),
  ua: keyField(N.ATTR_USER_AGENT_ORIGINAL), voteId: keyField(N.ATTR_SMS_VOTE_ID), campaign: keyField(N.ATTR_SMS_VOTE_CAMPAIGN),
  voteShortcode: keyField(N.ATTR_SMS_VOTE_SHORTCODE), choice: keyField(N.ATTR_SMS_VOTE_CHOICE), state: keyField(N.ATTR_SMS_VOTE_STATE),
  prevState: keyField(N.ATTR_SMS_VOTE_PREVIOUS_STATE), reason: keyField(N.ATTR_SMS_VOTE_REASON),
};

export const EMPTY = Buffer.alloc(0);
const SPAN_STATUS = 15, ST_MESSAGE = 2, ST_CODE = 3;

/** Span.status { message, code } of an error type ('' = none: no field). */
export function statusField(errorType: string): Buffer {
  const code = spanStatusCode(errorType);
  if (code === 0) return EMPTY;
  const w = new ProtoWriter(64);
  w.tag(SPAN_STATUS, WIRE_LDELIM); w.fork();
  w.tag(ST_MESSAGE, WIRE_LDELIM); w.string(errorType);
  w.tag(ST_CODE, WIRE_VARINT); w.varint(code);
  w.ldelim();
  return w.finish();
}
