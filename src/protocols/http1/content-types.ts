/**
 * What a callback's Content-Type says about its body: its kind (form, XML, JSON, other) and charset.
 * Content types repeat (a few gateways, a few types): the last few are read once each, in a small ring.
 */
import { charsetOf, type Charset } from './params';

export const B_NONE = 0, B_FORM = 1, B_XML = 2, B_JSON = 3;

export class ContentTypes {
  /** Of the content type learnt last. */
  charset: Charset | null = null;
  kind = B_NONE;
  private readonly types: (string | null)[] = [null, null, null, null];
  private readonly charsets: (Charset | null)[] = [null, null, null, null];
  private readonly kinds: number[] = [B_NONE, B_NONE, B_NONE, B_NONE];
  private next = 0;

  learn(contentType: string | null): void {
    if (contentType === null) {
      this.charset = null;
      this.kind = B_NONE;
      return;
    }
    let k = 0;
    while (k < 4 && this.types[k] !== contentType) k++;
    if (k === 4) {
      k = this.next;
      this.next = (k + 1) & 3;
      const ct = contentType.toLowerCase();
      this.types[k] = contentType;
      this.charsets[k] = charsetOf(contentType);
      this.kinds[k] = ct.includes('x-www-form-urlencoded') ? B_FORM : ct.includes('xml') ? B_XML : ct.includes('json') ? B_JSON : B_NONE;
    }
    this.charset = this.charsets[k];
    this.kind = this.kinds[k];
  }
}

/** The body starts, after whitespace, like a JSON object or array (SNS posts JSON as text/plain). */
export function looksLikeJson(b: Buffer, s: number, e: number): boolean {
  let i = s;
  while (i < e && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  return i < e && (b[i] === 0x7b || b[i] === 0x5b);
}
