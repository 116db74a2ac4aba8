/**
 * Multiple-choice questions as SAGE-Bench writes them: the options inside the question, one a line
 * as "(A) text", and the reference as the right option's text. A prediction that names an option
 * is judged by that letter alone; one that names none (or several) goes to the judge.
 */

export type Options = ReadonlyMap<string, string>;

/** The "(A) text" lines of a question, by letter. */
export function parseOptions(question: string): Options {
  const options = new Map<string, string>();
  for (const match of question.matchAll(/^[ \t]*\(([A-Z])\)[ \t]*(.+?)[ \t]*$/gm)) {
    options.set(match[1]!, match[2]!);
  }
  return options;
}

function normalized(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

/** The letter of the reference: given as a letter ("B", "(B)"), or the option whose text it is. */
export function referenceOption(options: Options, reference: string): string | null {
  const letter = /^\s*\(?([A-Z])\)?\s*$/.exec(reference)?.[1];
  if (letter && options.has(letter)) return letter;
  const wanted = normalized(reference);
  const matches = [...options].filter(([, text]) => normalized(text) === wanted);
  return matches.length === 1 ? matches[0]![0] : null;
}

/**
 * Where a prediction names an option: the whole reply is a letter ("B", "(B).") or starts with
 * one ("B) rabbit", "B: rabbit", "(B) rabbit"), a parenthesised letter anywhere, or "option B" /
 * "answer is B" at the end of a clause. A bare capital "A" inside a sentence is an article, not a
 * choice, so it counts only in these forms.
 */
const NAMING = [
  /^\s*\(?([A-Z])\)?[.:]?\s*$/g,
  /^\s*\(?([A-Z])[).:]\s/g,
  /\(([A-Z])\)/g,
  /\b(?:option|choice|answer(?: is)?)\s*:?\s*\(?([A-Z])\)?(?=\s*(?:$|[.,;:!]))/gi,
];

/** The one option letter the prediction names, or null when it names none or several. */
export function namedOption(prediction: string, options: Options): string | null {
  const named = new Set<string>();
  for (const pattern of NAMING) {
    for (const match of prediction.matchAll(pattern)) {
      const letter = match[1]!.toUpperCase();
      if (options.has(letter)) named.add(letter);
    }
  }
  return named.size === 1 ? [...named][0]! : null;
}
