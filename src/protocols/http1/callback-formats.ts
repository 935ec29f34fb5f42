/**
 * Inbound-SMS callback formats as data: the vote fields a callback carries, the source keys each
 * field is read from, and the defaults that cover the common gateways (Kannel get-url/post-url/
 * post-xml, Jasmin, Twilio, Plivo, Vonage, Infobip, AWS, Bird, Sinch; see
 * shared/corpus/http-callback-formats.md). CallbackExtractor compiles them.
 */
import type { TextDecodeOptions } from '../smpp/text';

export interface CallbackFields {
  /** Vendor format that matched, or 'generic'. */
  format: string;
  sender: string | null;
  recipient: string | null;
  text: string | null;
  messageId: string | null;
  smsc: string | null;
  /** The part of a concatenated message this callback carries alone; null for a whole message. */
  part: CallbackPart | null;
  /** When the gateway says it received the message (epoch ns, to the second: Kannel's X-Kannel-Time); null when not said. */
  gatewayTimeNs: number | null;
  /** The further messages of a callback that carries several (Infobip's `results[]`), in order; null for one. */
  more: CallbackMessage[] | null;
  /** Messages the callback says it carries (Infobip's `messageCount`) beyond those read. */
  unread: number;
  /** The request's distinct parameter names reached `maxParams`: any beyond the bound (fields, messages) were not read. */
  paramsCut: boolean;
}

/** One message of a callback that carries several: the first is the callback's own fields, these the rest. */
export interface CallbackMessage {
  sender: string | null;
  recipient: string | null;
  text: string | null;
  messageId: string | null;
}

/**
 * A gateway that does not reassemble long messages forwards each part in its own callback: Vonage
 * with `concat-ref`/`concat-total`/`concat-part`, Kannel with `sms-combine-concatenated-mo = false`
 * with the part's UDH (X-Kannel-UDH, `%u`). The votes stage joins them again.
 */
export interface CallbackPart {
  ref: number;
  total: number;
  /** 1-based. */
  part: number;
}

/** Field → candidate source keys, first present wins. */
export interface CallbackMapping {
  sender: string[];
  recipient: string[];
  text: string[];
  messageId: string[];
  smsc: string[];
  /** The part's user data header: hex (X-Kannel-UDH) or its octets (Kannel `%u`). Default none. */
  udh?: string[];
  /** Decimal part reference, total and number (Vonage). Default none. */
  concatRef?: string[];
  concatTotal?: string[];
  concatPart?: string[];
  /** When the gateway received the message, UTC `YYYY-MM-DD HH:MM:SS` (Kannel's X-Kannel-Time). Default none. */
  time?: string[];
  /**
   * The charset of a url-encoded text parameter's octets when the request names it in a parameter
   * (Kannel get-url `charset=%C`: `UTF-16BE` for a UCS-2 message). Default none.
   */
  charset?: string[];
}

export interface CallbackVendor extends CallbackMapping {
  name: string;
  /** The format applies when any of these keys is present. */
  detect: string[];
  /**
   * The text is the SMS payload octets under a data_coding (Jasmin): decoded from the hex in `hex`,
   * else from the raw octets of parameter `raw`, when `coding` names a text coding.
   */
  payload?: { hex: string; raw: string; coding: string };
  /**
   * The text parameter is written by Kannel's %a (playSMS behind Kannel): a UCS-2 message's UTF-16BE
   * octets, decoded as an operator-named get-url's are (see the `charset` field). Default false.
   */
  kannelText?: boolean;
  /**
   * The array whose elements are messages, when one callback can carry several (Infobip: `results`).
   * The mapping's keys name the first element (`results.0.from`); element N's fields are read from
   * the same keys with N in place of 0.
   */
  each?: string;
  /** With `each`: the key saying how many messages the callback carries (Infobip: `messageCount`). */
  count?: string;
}

export interface CallbackFieldOptions {
  /** Vendor formats, tried in order. Default DEFAULT_CALLBACK_VENDORS. */
  vendors?: CallbackVendor[];
  /** Mapping when no vendor is detected (Kannel get-url names are chosen by the operator). Default DEFAULT_GENERIC_MAPPING. */
  generic?: CallbackMapping;
  /** Most parameters read from one request. Default 256. */
  maxParams?: number;
  /** Deepest JSON nesting walked. Default 8. */
  maxJsonDepth?: number;
  /** How payload octets decode (data_coding 0), as on the SMPP side. Default GSM 03.38 unpacked. */
  text?: TextDecodeOptions;
  /** Request shapes (parameter names in order, headers, body) whose field sources are memoised. Default 16. */
  plans?: number;
}

const none: string[] = [];

/** Common operator-chosen names (Kannel get-url `...?sender=%p&to=%P&text=%a`) and generic JSON. */
export const DEFAULT_GENERIC_MAPPING: CallbackMapping = {
  sender: ['from', 'sender', 'msisdn', 'phone', 'source', 'src', 'originator', 'oa', 'mobile', 'number', 'source_addr'],
  recipient: ['to', 'receiver', 'recipient', 'shortcode', 'short_code', 'shortCode', 'dest', 'destination', 'da', 'destination_addr', 'service'],
  // A vote service may pass only the word after the keyword (Kannel `?from=%p&choice=%s`). Not
  // `answer`: operators name Kannel's DLR reply (`%A`) so.
  text: ['text', 'msg', 'message', 'content', 'body', 'sms', 'txt', 'choice', 'vote'],
  messageId: ['messageId', 'message_id', 'msgid', 'msg_id', 'smsid', 'sms_id', 'id', 'uuid'],
  smsc: ['smsc', 'smsc-id', 'smsc_id', 'smscid'],
  udh: ['udh'],
  concatRef: ['concat-ref'],
  concatTotal: ['concat-total'],
  concatPart: ['concat-part'],
  charset: ['charset'],
};

export const DEFAULT_CALLBACK_VENDORS: CallbackVendor[] = [
  // Kannel fills escape codes into the post-url too: without send-sender, `post-url = ".../vote?from=%p"`
  // still names the sender (under the names a get-url would use).
  { name: 'kannel-post', detect: ['header:x-kannel-from', 'header:x-kannel-to'], sender: ['header:x-kannel-from', ...DEFAULT_GENERIC_MAPPING.sender!],
    recipient: ['header:x-kannel-to'], text: ['@body'], messageId: none, smsc: ['header:x-kannel-smsc'], udh: ['header:x-kannel-udh'],
    time: ['header:x-kannel-time'] },
  // <oa> only with send-sender; <da> always (Kannel's smsbox.c).
  { name: 'kannel-xml', detect: ['oa.number', 'da.number'], sender: ['oa.number'], recipient: ['da.number'], text: ['ud'], messageId: none, smsc: ['from'],
    udh: ['udh'], time: ['at'] },
  { name: 'twilio', detect: ['MessageSid', 'SmsSid', 'SmsMessageSid'], sender: ['From'], recipient: ['To'], text: ['Body'],
    messageId: ['MessageSid', 'SmsSid', 'SmsMessageSid'], smsc: none },
  { name: 'plivo', detect: ['MessageUUID'], sender: ['From'], recipient: ['To'], text: ['Text', 'Body'], messageId: ['MessageUUID'], smsc: none },
  // `messageId` names the part when the message came in parts: not the message's id then. Told by
  // `message-timestamp`: `msisdn` is a common name in operators' own get-urls too.
  { name: 'vonage', detect: ['message-timestamp'], sender: ['msisdn'], recipient: ['to'], text: ['text'], messageId: ['messageId'], smsc: none,
    udh: ['udh'], concatRef: ['concat-ref'], concatTotal: ['concat-total'], concatPart: ['concat-part'] },
  // `content` is the raw short_message octets; `binary` their hex; `coding` the data_coding.
  { name: 'jasmin', detect: ['origin-connector'], sender: ['from'], recipient: ['to'], text: ['content'], messageId: ['id'], smsc: ['origin-connector'],
    payload: { hex: 'binary', raw: 'content', coding: 'coding' } },
  // One request can carry several messages.
  { name: 'infobip', detect: ['results.0.messageId'], sender: ['results.0.from'], recipient: ['results.0.to'], text: ['results.0.text'],
    messageId: ['results.0.messageId'], smsc: none, each: 'results', count: 'messageCount' },
  { name: 'aws-sns', detect: ['Message.originationNumber'], sender: ['Message.originationNumber'], recipient: ['Message.destinationNumber'],
    text: ['Message.messageBody'], messageId: ['Message.inboundMessageId'], smsc: none },
  { name: 'aws', detect: ['originationNumber'], sender: ['originationNumber'], recipient: ['destinationNumber'], text: ['messageBody'],
    messageId: ['inboundMessageId'], smsc: none },
  { name: 'bird', detect: ['sender.contact.identifierValue'], sender: ['sender.contact.identifierValue'], recipient: ['receiver.connector.id', 'channelId'],
    text: ['body.text.text'], messageId: ['id'], smsc: none },
  // Told by operator_id: `received_at` is a common name in other JSON callbacks (with `text`, not `body`).
  { name: 'sinch', detect: ['operator_id'], sender: ['from'], recipient: ['to'], text: ['body'], messageId: ['id'], smsc: ['operator_id'] },
  // playSMS behind Kannel, its documented get-url: `index.php?app=call&cat=gateway&plugin=kannel&access=geturl&t=%t&q=%q&a=%a&Q=%Q&smsc=%i`
  // (`q` the sender, `Q` the receiver — case matters — `a` the text; some setups leave `Q` out).
  { name: 'playsms', detect: ['plugin'], sender: ['q'], recipient: ['Q'], text: ['a'], messageId: none, smsc: ['smsc'], kannelText: true },
];

