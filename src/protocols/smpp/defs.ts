/**
 * SMPP 3.3 / 3.4 / 5.0 described as data: commands and their mandatory body fields, command_status
 * names, TLV tags. The decoder and the encoder both walk these tables, so a field is declared once.
 */

/** How one mandatory body field is laid out. */
export type FieldType =
  | 'u8'
  | 'cstr'
  /** sm_length (u8) followed by short_message (sm_length octets). */
  | 'sm'
  /** number_of_dests (u8) followed by that many dest_address entries (submit_multi). */
  | 'dest_list'
  /** no_unsuccess (u8) followed by that many unsuccess_sme entries (submit_multi_resp). */
  | 'unsuccess_list';

export interface FieldDef {
  name: string;
  type: FieldType;
  /** cstr: maximum size including the NUL, per the spec (advisory: longer values are decoded and counted). */
  max?: number;
}

export interface CommandDef {
  id: number;
  /** Spec name, lower case (e.g. 'deliver_sm_resp'). */
  name: string;
  fields: readonly FieldDef[];
  /** Whether TLVs may follow the mandatory fields (3.4+). Unexpected TLVs are still decoded. */
  tlvs: boolean;
}

const u8 = (name: string): FieldDef => ({ name, type: 'u8' });
const cs = (name: string, max: number): FieldDef => ({ name, type: 'cstr', max });

const SOURCE21 = [u8('source_addr_ton'), u8('source_addr_npi'), cs('source_addr', 21)];
const DEST21 = [u8('dest_addr_ton'), u8('dest_addr_npi'), cs('destination_addr', 21)];
const BIND = [
  cs('system_id', 16), cs('password', 9), cs('system_type', 13), u8('interface_version'),
  u8('addr_ton'), u8('addr_npi'), cs('address_range', 41),
];
const SM_TAIL = [
  u8('esm_class'), u8('protocol_id'), u8('priority_flag'), cs('schedule_delivery_time', 17),
  cs('validity_period', 17), u8('registered_delivery'), u8('replace_if_present_flag'),
  u8('data_coding'), u8('sm_default_msg_id'), { name: 'short_message', type: 'sm' } as FieldDef,
];
const MSG_ID = cs('message_id', 65);

function def(id: number, name: string, fields: FieldDef[], tlvs = true): CommandDef {
  return { id, name, fields, tlvs };
}

/** Every command known, requests and responses. */
export const COMMANDS: readonly CommandDef[] = [
  def(0x80000000, 'generic_nack', [], false),
  def(0x00000001, 'bind_receiver', BIND, false),
  def(0x80000001, 'bind_receiver_resp', [cs('system_id', 16)]),
  def(0x00000002, 'bind_transmitter', BIND, false),
  def(0x80000002, 'bind_transmitter_resp', [cs('system_id', 16)]),
  def(0x00000003, 'query_sm', [MSG_ID, ...SOURCE21], false),
  def(0x80000003, 'query_sm_resp', [MSG_ID, cs('final_date', 17), u8('message_state'), u8('error_code')], false),
  def(0x00000004, 'submit_sm', [cs('service_type', 6), ...SOURCE21, ...DEST21, ...SM_TAIL]),
  def(0x80000004, 'submit_sm_resp', [MSG_ID]),
  def(0x00000005, 'deliver_sm', [cs('service_type', 6), ...SOURCE21, ...DEST21, ...SM_TAIL]),
  def(0x80000005, 'deliver_sm_resp', [MSG_ID]),
  def(0x00000006, 'unbind', [], false),
  def(0x80000006, 'unbind_resp', [], false),
  def(0x00000007, 'replace_sm', [
    MSG_ID, ...SOURCE21, cs('schedule_delivery_time', 17), cs('validity_period', 17),
    u8('registered_delivery'), u8('sm_default_msg_id'), { name: 'short_message', type: 'sm' },
  ]),
  def(0x80000007, 'replace_sm_resp', [], false),
  def(0x00000008, 'cancel_sm', [cs('service_type', 6), MSG_ID, ...SOURCE21, ...DEST21], false),
  def(0x80000008, 'cancel_sm_resp', [], false),
  def(0x00000009, 'bind_transceiver', BIND, false),
  def(0x80000009, 'bind_transceiver_resp', [cs('system_id', 16)]),
  def(0x0000000b, 'outbind', [cs('system_id', 16), cs('password', 9)], false),
  def(0x00000015, 'enquire_link', [], false),
  def(0x80000015, 'enquire_link_resp', [], false),
  def(0x00000021, 'submit_multi', [
    cs('service_type', 6), ...SOURCE21, { name: 'dest_address', type: 'dest_list' }, ...SM_TAIL,
  ]),
  def(0x80000021, 'submit_multi_resp', [MSG_ID, { name: 'unsuccess_sme', type: 'unsuccess_list' }]),
  def(0x00000102, 'alert_notification', [
    u8('source_addr_ton'), u8('source_addr_npi'), cs('source_addr', 65),
    u8('esme_addr_ton'), u8('esme_addr_npi'), cs('esme_addr', 65),
  ]),
  def(0x00000103, 'data_sm', [
    cs('service_type', 6), u8('source_addr_ton'), u8('source_addr_npi'), cs('source_addr', 65),
    u8('dest_addr_ton'), u8('dest_addr_npi'), cs('destination_addr', 65),
    u8('esm_class'), u8('registered_delivery'), u8('data_coding'),
  ]),
  def(0x80000103, 'data_sm_resp', [MSG_ID]),
  def(0x00000111, 'broadcast_sm', [
    cs('service_type', 6), ...SOURCE21, MSG_ID, u8('priority_flag'), cs('schedule_delivery_time', 17),
    cs('validity_period', 17), u8('replace_if_present_flag'), u8('data_coding'), u8('sm_default_msg_id'),
  ]),
  def(0x80000111, 'broadcast_sm_resp', [MSG_ID]),
  def(0x00000112, 'query_broadcast_sm', [MSG_ID, ...SOURCE21]),
  def(0x80000112, 'query_broadcast_sm_resp', [MSG_ID]),
  def(0x00000113, 'cancel_broadcast_sm', [cs('service_type', 6), MSG_ID, ...SOURCE21]),
  def(0x80000113, 'cancel_broadcast_sm_resp', [], false),
];

export const GENERIC_NACK = 0x80000000;
export const RESPONSE_BIT = 0x80000000;

export const CMD = {
  generic_nack: 0x80000000, bind_receiver: 0x01, bind_transmitter: 0x02, query_sm: 0x03, submit_sm: 0x04,
  deliver_sm: 0x05, unbind: 0x06, replace_sm: 0x07, cancel_sm: 0x08, bind_transceiver: 0x09, outbind: 0x0b,
  enquire_link: 0x15, submit_multi: 0x21, alert_notification: 0x102, data_sm: 0x103, broadcast_sm: 0x111,
  query_broadcast_sm: 0x112, cancel_broadcast_sm: 0x113,
} as const;

const byId = new Map<number, CommandDef>();
/**
 * Names of the defined command ids below 0x200 by id without bit 31 (every command but a few
 * broadcast ones): an array read per PDU instead of a Map lookup keyed by a number that is not a
 * small integer for responses.
 */
const NAME_TABLE = 0x200;
const REQ_NAMES: string[] = new Array<string>(NAME_TABLE).fill('');
const RESP_NAMES: string[] = new Array<string>(NAME_TABLE).fill('');
const byName = new Map<string, CommandDef>();
for (const c of COMMANDS) {
  byId.set(c.id, c);
  byName.set(c.name, c);
  const low = c.id & 0x7fffffff;
  if (low < NAME_TABLE) ((c.id & 0x80000000) !== 0 ? RESP_NAMES : REQ_NAMES)[low] = c.name;
}

/** Command definition by command_id (unsigned), or undefined when unknown. */
export function commandById(id: number): CommandDef | undefined { return byId.get(id >>> 0); }
export function commandByName(name: string): CommandDef | undefined { return byName.get(name); }
/** Spec name lower case, or 0x%08x when unknown. */
export function commandName(id: number): string {
  const low = id & 0x7fffffff;
  if (low < NAME_TABLE) {
    const n = (id & 0x80000000) !== 0 ? RESP_NAMES[low] : REQ_NAMES[low];
    if (n !== '') return n;
  }
  return byId.get(id >>> 0)?.name ?? hex32(id);
}
export function isResponseId(id: number): boolean { return (id & RESPONSE_BIT) !== 0; }

export function hex32(v: number): string { return '0x' + (v >>> 0).toString(16).padStart(8, '0'); }

/** command_status names (SMPP 3.4 table 5-2 and SMPP 5.0 additions). */
export const STATUSES: Readonly<Record<number, string>> = {
  0x00: 'ESME_ROK', 0x01: 'ESME_RINVMSGLEN', 0x02: 'ESME_RINVCMDLEN', 0x03: 'ESME_RINVCMDID',
  0x04: 'ESME_RINVBNDSTS', 0x05: 'ESME_RALYBND', 0x06: 'ESME_RINVPRTFLG', 0x07: 'ESME_RINVREGDLVFLG',
  0x08: 'ESME_RSYSERR', 0x0a: 'ESME_RINVSRCADR', 0x0b: 'ESME_RINVDSTADR', 0x0c: 'ESME_RINVMSGID',
  0x0d: 'ESME_RBINDFAIL', 0x0e: 'ESME_RINVPASWD', 0x0f: 'ESME_RINVSYSID', 0x11: 'ESME_RCANCELFAIL',
  0x13: 'ESME_RREPLACEFAIL', 0x14: 'ESME_RMSGQFUL', 0x15: 'ESME_RINVSERTYP', 0x33: 'ESME_RINVNUMDESTS',
  0x34: 'ESME_RINVDLNAME', 0x40: 'ESME_RINVDESTFLAG', 0x42: 'ESME_RINVSUBREP', 0x43: 'ESME_RINVESMCLASS',
  0x44: 'ESME_RCNTSUBDL', 0x45: 'ESME_RSUBMITFAIL', 0x48: 'ESME_RINVSRCTON', 0x49: 'ESME_RINVSRCNPI',
  0x50: 'ESME_RINVDSTTON', 0x51: 'ESME_RINVDSTNPI', 0x53: 'ESME_RINVSYSTYP', 0x54: 'ESME_RINVREPFLAG',
  0x55: 'ESME_RINVNUMMSGS', 0x58: 'ESME_RTHROTTLED', 0x61: 'ESME_RINVSCHED', 0x62: 'ESME_RINVEXPIRY',
  0x63: 'ESME_RINVDFTMSGID', 0x64: 'ESME_RX_T_APPN', 0x65: 'ESME_RX_P_APPN', 0x66: 'ESME_RX_R_APPN',
  0x67: 'ESME_RQUERYFAIL', 0xc0: 'ESME_RINVOPTPARSTREAM', 0xc1: 'ESME_ROPTPARNOTALLWD',
  0xc2: 'ESME_RINVPARLEN', 0xc3: 'ESME_RMISSINGOPTPARAM', 0xc4: 'ESME_RINVOPTPARAMVAL',
  0xfe: 'ESME_RDELIVERYFAILURE', 0xff: 'ESME_RUNKNOWNERR',
  0x100: 'ESME_RSERTYPUNAUTH', 0x101: 'ESME_RPROHIBITED', 0x102: 'ESME_RSERTYPUNAVAIL',
  0x103: 'ESME_RSERTYPDENIED', 0x104: 'ESME_RINVDCS', 0x105: 'ESME_RINVSRCADDRSUBUNIT',
  0x106: 'ESME_RINVDSTADDRSUBUNIT', 0x107: 'ESME_RINVBCASTFREQINT', 0x108: 'ESME_RINVBCASTALIAS_NAME',
  0x109: 'ESME_RINVBCASTAREAFMT', 0x10a: 'ESME_RINVNUMBCAST_AREAS', 0x10b: 'ESME_RINVBCASTCNTTYPE',
  0x10c: 'ESME_RINVBCASTMSGCLASS', 0x10d: 'ESME_RBCASTFAIL', 0x10e: 'ESME_RBCASTQUERYFAIL',
  0x10f: 'ESME_RBCASTCANCELFAIL', 0x110: 'ESME_RINVBCAST_REP', 0x111: 'ESME_RINVBCASTSRVGRP',
  0x112: 'ESME_RINVBCASTCHANIND',
};

export const ESME_ROK = 0x00;
export const ESME_RMSGQFUL = 0x14;
export const ESME_RTHROTTLED = 0x58;

/** STATUSES as a dense array ('' where undefined): an indexed read instead of a dictionary lookup. */
const STATUS_TABLE = 0x200;
const STATUS_NAMES: string[] = Array.from({ length: STATUS_TABLE }, (_, i) => STATUSES[i] ?? '');
/** ESME_* name, or 0x%08x when not in the spec tables. */
export function statusName(status: number): string {
  if (status >= 0 && status < STATUS_TABLE) {
    const n = STATUS_NAMES[status];
    if (n !== '') return n;
  }
  return STATUSES[status >>> 0] ?? hex32(status);
}

/** How a TLV value is interpreted when decoded to a field value; the raw bytes are always kept. */
export type TlvType = 'u8' | 'u16' | 'u32' | 'cstr' | 'octets';

export interface TlvDef { tag: number; name: string; type: TlvType }

/** TLV tags of SMPP 3.4 (5.3.2) and 5.0 (4.8.4). */
export const TLVS: readonly TlvDef[] = ([
  [0x0005, 'dest_addr_subunit', 'u8'], [0x0006, 'dest_network_type', 'u8'], [0x0007, 'dest_bearer_type', 'u8'],
  [0x0008, 'dest_telematics_id', 'u16'], [0x000d, 'source_addr_subunit', 'u8'],
  [0x000e, 'source_network_type', 'u8'], [0x000f, 'source_bearer_type', 'u8'],
  [0x0010, 'source_telematics_id', 'u8'], [0x0017, 'qos_time_to_live', 'u32'], [0x0019, 'payload_type', 'u8'],
  [0x001d, 'additional_status_info_text', 'cstr'], [0x001e, 'receipted_message_id', 'cstr'],
  [0x0030, 'ms_msg_wait_facilities', 'u8'], [0x0201, 'privacy_indicator', 'u8'],
  [0x0202, 'source_subaddress', 'octets'], [0x0203, 'dest_subaddress', 'octets'],
  [0x0204, 'user_message_reference', 'u16'], [0x0205, 'user_response_code', 'u8'],
  [0x020a, 'source_port', 'u16'], [0x020b, 'destination_port', 'u16'], [0x020c, 'sar_msg_ref_num', 'u16'],
  [0x020d, 'language_indicator', 'u8'], [0x020e, 'sar_total_segments', 'u8'],
  [0x020f, 'sar_segment_seqnum', 'u8'], [0x0210, 'sc_interface_version', 'u8'],
  [0x0302, 'callback_num_pres_ind', 'u8'], [0x0303, 'callback_num_atag', 'octets'],
  [0x0304, 'number_of_messages', 'u8'], [0x0381, 'callback_num', 'octets'], [0x0420, 'dpf_result', 'u8'],
  [0x0421, 'set_dpf', 'u8'], [0x0422, 'ms_availability_status', 'u8'], [0x0423, 'network_error_code', 'octets'],
  [0x0424, 'message_payload', 'octets'], [0x0425, 'delivery_failure_reason', 'u8'],
  [0x0426, 'more_messages_to_send', 'u8'], [0x0427, 'message_state', 'u8'], [0x0428, 'congestion_state', 'u8'],
  [0x0501, 'ussd_service_op', 'u8'], [0x0600, 'broadcast_channel_indicator', 'u8'],
  [0x0601, 'broadcast_content_type', 'octets'], [0x0602, 'broadcast_content_type_info', 'octets'],
  [0x0603, 'broadcast_message_class', 'u8'], [0x0604, 'broadcast_rep_num', 'u16'],
  [0x0605, 'broadcast_frequency_interval', 'octets'], [0x0606, 'broadcast_area_identifier', 'octets'],
  [0x0607, 'broadcast_error_status', 'u32'], [0x0608, 'broadcast_area_success', 'u8'],
  [0x0609, 'broadcast_end_time', 'cstr'], [0x060a, 'broadcast_service_group', 'octets'],
  [0x060b, 'billing_identification', 'octets'], [0x060d, 'source_network_id', 'cstr'],
  [0x060e, 'dest_network_id', 'cstr'], [0x060f, 'source_node_id', 'octets'], [0x0610, 'dest_node_id', 'octets'],
  [0x0611, 'dest_addr_np_resolution', 'u8'], [0x0612, 'dest_addr_np_information', 'octets'],
  [0x0613, 'dest_addr_np_country', 'octets'], [0x1201, 'display_time', 'u8'], [0x1203, 'sms_signal', 'u16'],
  [0x1204, 'ms_validity', 'octets'], [0x130c, 'alert_on_message_delivery', 'octets'],
  [0x1380, 'its_reply_type', 'u8'], [0x1383, 'its_session_info', 'octets'],
] as Array<[number, string, TlvType]>).map(([tag, name, type]) => ({ tag, name, type }));

export const TLV = {
  receipted_message_id: 0x001e, message_state: 0x0427, network_error_code: 0x0423, message_payload: 0x0424,
  sar_msg_ref_num: 0x020c, sar_total_segments: 0x020e, sar_segment_seqnum: 0x020f,
  additional_status_info_text: 0x001d, sc_interface_version: 0x0210, source_port: 0x020a,
  destination_port: 0x020b,
} as const;

const tlvByTag = new Map<number, TlvDef>();
const tlvByName = new Map<string, TlvDef>();
for (const t of TLVS) { tlvByTag.set(t.tag, t); tlvByName.set(t.name, t); }
export function tlvByTagId(tag: number): TlvDef | undefined { return tlvByTag.get(tag); }
export function tlvDefByName(name: string): TlvDef | undefined { return tlvByName.get(name); }
/** Spec name; vendor-specific tags (0x1400–0x3FFF) as vendor_0x%04x, others unknown_0x%04x. */
export function tlvName(tag: number): string {
  const d = tlvByTag.get(tag);
  if (d) return d.name;
  const h = '0x' + tag.toString(16).padStart(4, '0');
  return tag >= 0x1400 && tag <= 0x3fff ? 'vendor_' + h : 'unknown_' + h;
}

/** message_state values (3.4 5.2.28; SKIPPED from 5.0). */
export const MESSAGE_STATES: Readonly<Record<number, string>> = {
  0: 'SCHEDULED', 1: 'ENROUTE', 2: 'DELIVERED', 3: 'EXPIRED', 4: 'DELETED', 5: 'UNDELIVERABLE',
  6: 'ACCEPTED', 7: 'UNKNOWN', 8: 'REJECTED', 9: 'SKIPPED',
};

/** esm_class bits. */
export const ESM_UDHI = 0x40;
export const ESM_TYPE_MASK = 0x3c;
