/** Maps what `cap`'s open() returns to a LINKTYPE_* number. */

const BY_NAME: Readonly<Record<string, number>> = {
  NULL: 0,
  ETHERNET: 1,
  // cap reports DLT_RAW as "RAW"; the pcap file value for raw IP is LINKTYPE_RAW (101).
  RAW: 101,
  IEEE802_11_RADIO: 127,
  LINUX_SLL: 113,
  LINKTYPE_LINUX_SLL: 113,
};

/**
 * LINKTYPE_* for a cap link-type string, or -1 when unknown. cap spells other link types as
 * "Unknown linktype N" with the DLT number, which equals the LINKTYPE number for the types we
 * decode (e.g. 276 = Linux cooked v2).
 */
export function capLinkType(name: string): number {
  const known = BY_NAME[name];
  if (known !== undefined) return known;
  const m = /^Unknown linktype (\d+)$/.exec(name);
  return m ? Number(m[1]) : -1;
}
