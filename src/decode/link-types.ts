/**
 * LINKTYPE_* numbers (https://www.tcpdump.org/linktypes.html) the decoder understands, and the
 * names the report uses for them.
 */
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** DLT_RAW on most systems; some files carry the DLT value instead of LINKTYPE_RAW. */
export const LINKTYPE_RAW_12 = 12;
/** DLT_RAW on OpenBSD. */
export const LINKTYPE_RAW_14 = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const NAMES: ReadonlyMap<number, string> = new Map([
  [LINKTYPE_NULL, 'null'],
  [LINKTYPE_ETHERNET, 'ethernet'],
  [LINKTYPE_RAW_12, 'raw'],
  [LINKTYPE_RAW_14, 'raw'],
  [LINKTYPE_RAW, 'raw'],
  [LINKTYPE_LOOP, 'loop'],
  [LINKTYPE_LINUX_SLL, 'linux_sll'],
  [LINKTYPE_IPV4, 'ipv4'],
  [LINKTYPE_IPV6, 'ipv6'],
  [LINKTYPE_LINUX_SLL2, 'linux_sll2'],
]);

/** True when the decoder has a link layer for this LINKTYPE. */
export function isSupportedLinkType(linkType: number): boolean {
  return NAMES.has(linkType);
}

/** Report name of a link type: 'ethernet', 'linux_sll2', … or 'linktype-N' for unknown ones. */
export function linkTypeName(linkType: number): string {
  return NAMES.get(linkType) ?? `linktype-${linkType}`;
}
