/** Reading a yes/no verdict out of a model's free-text reply. */

/**
 * true for yes, false for no, null when the reply commits to neither (or to both). Looks at the
 * first word that is a verdict, so "Yes, the man ..." and "**No**." read as meant, and a reply
 * that starts with "The answer is yes" still counts.
 */
export function parseYesNo(reply: string): boolean | null {
  const words = reply.toLowerCase().match(/[a-z]+/g) ?? [];
  for (const word of words) {
    if (YES.has(word)) return true;
    if (NO.has(word)) return false;
  }
  return null;
}

const YES = new Set(['yes', 'yeah', 'yep', 'true', 'correct']);
const NO = new Set(['no', 'nope', 'false', 'incorrect']);
