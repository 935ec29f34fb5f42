/**
 * What Kannel does to a text it writes with `%a`, `%r` or `%s` (the words it splits for keywords): the
 * octets are split at ASCII whitespace bytes and joined with one space, ends trimmed — also inside
 * UTF-16BE code units (😍 is D83D DE0D: its 0x0D becomes 0x20). The harness compares texts in this
 * form to tell which of a fan's MOs a callback carries, independently of the agent's own matching.
 */
const WS = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]);

/** Which of the words a get-url escape writes: all (`%a`), all but the first (`%r`), the second (`%s`). */
export type KannelText = '%a' | '%r' | '%s';

export function kannelWords(octets: Buffer, form: KannelText = '%a'): string {
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i <= octets.length; i++) {
    const ws = i === octets.length || WS.has(octets[i] as number);
    if (!ws && start < 0) start = i;
    else if (ws && start >= 0) {
      words.push(octets.subarray(start, i).toString('hex'));
      start = -1;
    }
  }
  return (form === '%a' ? words : form === '%r' ? words.slice(1) : words.slice(1, 2)).join('20');
}
