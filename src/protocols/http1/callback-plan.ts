/**
 * Which source gives each vote field, memoised by the shape of a request. The choice (vendor
 * detection, first present key, case-insensitive fallback) depends only on the parameter names in
 * order, which extractor headers are present and whether there is a body — and a gateway sends the
 * same shape request after request. So it is worked out once per shape; every request of that shape
 * then reads its fields straight from the chosen parameters.
 */

import type { CallbackBatch } from './callback-batch';

/** A field with no source. */
export const SRC_NONE = -1;
/** The whole body as text (Kannel post-url). */
export const SRC_BODY = -2;
/** Source codes: ≥ 0 a parameter index, SRC_NONE, SRC_BODY, or headerSource(h) for extractor header h. */
export function headerSource(h: number): number { return -3 - h; }
export function sourceHeader(code: number): number { return -3 - code; }

export interface CallbackPlan {
  /** The shape: parameter names in order, present-header bits, a body or not. */
  readonly keys: readonly string[];
  readonly headerMask: number;
  readonly hasBody: boolean;
  readonly format: string;
  readonly sender: number;
  readonly recipient: number;
  /** No vendor and no known name for the sender: each request's values tell (value-shapes.ts). */
  readonly byValue: boolean;
  readonly text: number;
  readonly messageId: number;
  readonly smsc: number;
  readonly udh: number;
  readonly concatRef: number;
  readonly concatTotal: number;
  readonly concatPart: number;
  readonly time: number;
  /** The parameter naming the text parameter's charset (Kannel's %C). */
  readonly charset: number;
  /** The text is Kannel's %a (no vendor, or one that says so): decoded by `charset`, else as its octets look. */
  readonly kannelText: boolean;
  /** The vendor's payload (its raw parameter name), null when it has none. */
  readonly payloadRaw: string | null;
  /** Sources of the payload's hex octets and its data_coding. */
  readonly payloadHex: number;
  readonly payloadCoding: number;
  /** The vendor's reader of further messages (a callback that can carry several), null when it has none. */
  readonly batch: CallbackBatch | null;
}

/** The plans of the last few shapes seen (a ring; a shape not in it is worked out again). */
export class CallbackPlans {
  /** Plans worked out (shapes not found in the ring). */
  built = 0;
  private readonly ring: (CallbackPlan | null)[];
  private next = 0;

  constructor(readonly size: number) {
    this.ring = new Array<CallbackPlan | null>(Math.max(1, size)).fill(null);
  }

  /** The plan for this shape, or null. */
  find(keys: readonly string[], count: number, headerMask: number, hasBody: boolean): CallbackPlan | null {
    const ring = this.ring;
    for (let r = 0; r < ring.length; r++) {
      const p = ring[r];
      if (p === null || p.keys.length !== count || p.headerMask !== headerMask || p.hasBody !== hasBody) continue;
      const k = p.keys;
      let i = 0;
      // Names are usually the very same strings (ParamList reuses them): === is a pointer compare then.
      while (i < count && k[i] === keys[i]) i++;
      if (i === count) return p;
    }
    return null;
  }

  add(plan: CallbackPlan): void {
    this.built++;
    this.ring[this.next] = plan;
    this.next = (this.next + 1) % this.ring.length;
  }
}
