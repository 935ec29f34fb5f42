/**
 * Live votes by shortcode and match text, for callbacks that name no sender (Kannel post-url without
 * `send-sender`): the reconciler builds it only once such a callback is seen.
 */
import type { Vote } from './vote';

const NONE: readonly Vote[] = Object.freeze([]);

export class ContentIndex {
  private readonly byContent = new Map<string, Vote[]>();

  /** Key of a vote's content; also names early callbacks waiting for such a vote. */
  static key(shortcode: string, matchText: string): string {
    return shortcode + '\u0000' + matchText;
  }

  add(v: Vote): void {
    const key = ContentIndex.key(v.shortcode, v.matchText);
    const list = this.byContent.get(key);
    if (list) list.push(v);
    else this.byContent.set(key, [v]);
  }

  remove(v: Vote): void {
    const key = ContentIndex.key(v.shortcode, v.matchText);
    const list = this.byContent.get(key);
    const i = list === undefined ? -1 : list.indexOf(v);
    if (i < 0) return;
    list!.splice(i, 1);
    if (list!.length === 0) this.byContent.delete(key);
  }

  /** Live votes with this content key, in the order they were added. */
  votes(key: string): readonly Vote[] {
    return this.byContent.get(key) ?? NONE;
  }
}
