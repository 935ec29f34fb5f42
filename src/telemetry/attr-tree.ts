/**
 * Attribute objects for metrics, found by their values without building a string key: a tree of Maps,
 * one level per value. The values are capped upstream (LabelCap), so the tree stays small; `max` only
 * guards against a cap misconfiguration (the tree starts over, counted in `resets`).
 *
 * Per call this is up to six Map lookups of strings the stages already hold (their hashes are cached in
 * the strings), where a template key costs a new string, its hash and its garbage on every transaction.
 */
import type { Attributes } from '@opentelemetry/api';

export type AttrValue = string | number;
type Node = Map<AttrValue, unknown>;

export class AttrTree {
  private root: Node = new Map();
  private leaves = 0;
  /** Times the tree was cleared because it reached `max` leaves. */
  resets = 0;

  constructor(private readonly max = 100_000) {}

  get size(): number {
    return this.leaves;
  }

  /** The attributes stored under the path, or undefined. Unused trailing levels are ''. */
  get(a: AttrValue, b: AttrValue = '', c: AttrValue = '', d: AttrValue = '', e: AttrValue = '', f: AttrValue = ''): Attributes | undefined {
    const n1 = this.root.get(a) as Node | undefined;
    if (n1 === undefined) return undefined;
    const n2 = n1.get(b) as Node | undefined;
    if (n2 === undefined) return undefined;
    const n3 = n2.get(c) as Node | undefined;
    if (n3 === undefined) return undefined;
    const n4 = n3.get(d) as Node | undefined;
    if (n4 === undefined) return undefined;
    const n5 = n4.get(e) as Node | undefined;
    if (n5 === undefined) return undefined;
    return n5.get(f) as Attributes | undefined;
  }

  /** Stores `attrs` under the path (same path convention as `get`) and returns it. */
  set(attrs: Attributes, a: AttrValue, b: AttrValue = '', c: AttrValue = '', d: AttrValue = '', e: AttrValue = '', f: AttrValue = ''): Attributes {
    if (this.leaves >= this.max) {
      this.root = new Map();
      this.leaves = 0;
      this.resets++;
    }
    const n5 = child(child(child(child(child(this.root, a), b), c), d), e);
    if (!n5.has(f)) this.leaves++;
    n5.set(f, attrs);
    return attrs;
  }
}

function child(n: Node, k: AttrValue): Node {
  let c = n.get(k) as Node | undefined;
  if (c === undefined) {
    c = new Map();
    n.set(k, c);
  }
  return c;
}
