/**
 * Issue 5's choice rule, written independently of the agent so the test checks it:
 * NFKC, upper-case, split on whitespace, skip a leading keyword, take the next word and keep only
 * letters and digits. Empty result → '' (no choice).
 */
export function expectedChoice(text: string, keyword = 'VOTE'): string {
  const words = text.normalize('NFKC').toUpperCase().split(/\s+/u).filter((w) => w.length > 0);
  let i = 0;
  if (words[0] === keyword) i = 1;
  const w = words[i] ?? '';
  return w.replace(/[^\p{L}\p{N}]/gu, '');
}
