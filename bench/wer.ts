/**
 * Word error rate: the fewest word substitutions, deletions and insertions that turn the reference
 * into the hypothesis, over the reference's word count. Both are compared as lower-case words with
 * punctuation removed, so Whisper's capitals and full stops are not counted as errors.
 */

export interface WordErrors {
  /** (substitutions + deletions + insertions) / referenceWords; 0 for an empty reference and hypothesis. */
  wer: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  referenceWords: number;
}

export function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s']+/gu, ' ')
    .split(/\s+/)
    .map((word) => word.replace(/^'+|'+$/g, ''))
    .filter(Boolean);
}

export function wordErrors(reference: string, hypothesis: string): WordErrors {
  const ref = words(reference);
  const hyp = words(hypothesis);
  // Levenshtein over words, two rows at a time (an hour's transcript is ~10^4 words a side), with
  // each cell's substitutions and insertions kept so the kinds of error can be reported, not just
  // their sum (deletions are the rest).
  const width = hyp.length + 1;
  let cost = Int32Array.from({ length: width }, (_, h) => h);
  let subs = new Int32Array(width);
  let ins = Int32Array.from({ length: width }, (_, h) => h);
  let rowCost = new Int32Array(width);
  let rowSubs = new Int32Array(width);
  let rowIns = new Int32Array(width);
  for (let r = 1; r <= ref.length; r++) {
    rowCost[0] = r;
    rowSubs[0] = 0;
    rowIns[0] = 0;
    for (let h = 1; h < width; h++) {
      const miss = ref[r - 1] === hyp[h - 1] ? 0 : 1;
      const substitute = cost[h - 1]! + miss;
      const remove = cost[h]! + 1;
      const insert = rowCost[h - 1]! + 1;
      if (substitute <= remove && substitute <= insert) {
        rowCost[h] = substitute;
        rowSubs[h] = subs[h - 1]! + miss;
        rowIns[h] = ins[h - 1]!;
      } else if (remove <= insert) {
        rowCost[h] = remove;
        rowSubs[h] = subs[h]!;
        rowIns[h] = ins[h]!;
      } else {
        rowCost[h] = insert;
        rowSubs[h] = rowSubs[h - 1]!;
        rowIns[h] = rowIns[h - 1]! + 1;
      }
    }
    [cost, rowCost] = [rowCost, cost];
    [subs, rowSubs] = [rowSubs, subs];
    [ins, rowIns] = [rowIns, ins];
  }
  const total = cost[hyp.length]!;
  const substitutions = subs[hyp.length]!;
  const insertions = ins[hyp.length]!;
  return {
    wer: ref.length === 0 ? (hyp.length === 0 ? 0 : 1) : total / ref.length,
    substitutions,
    deletions: total - substitutions - insertions,
    insertions,
    referenceWords: ref.length,
  };
}

interface Timed {
  start: number;
  end: number;
  text: string;
}

export interface BorderErrors {
  /** Sentences that cross a border, and the words Whisper gave for them. */
  near: WordErrors & { sentences: number };
  /** All other sentences. */
  elsewhere: WordErrors & { sentences: number };
}

/**
 * Word errors of the sentences that cross one of `borders` (seconds), against those of the rest.
 * Each transcript segment counts for the sentence it overlaps most (the nearest when it overlaps
 * none), so a segment is scored once and words lost or invented at a border land on its side.
 */
export function errorsByBorder(sentences: readonly Timed[], segments: readonly Timed[], borders: readonly number[]): BorderErrors {
  const heard = sentences.map(() => [] as string[]);
  for (const segment of segments) {
    let best = -1;
    let bestScore = -Infinity;
    sentences.forEach((sentence, i) => {
      const overlap = Math.min(sentence.end, segment.end) - Math.max(sentence.start, segment.start);
      // Overlap when there is one; otherwise minus the distance between the two.
      if (overlap > bestScore) {
        best = i;
        bestScore = overlap;
      }
    });
    if (best >= 0) heard[best]!.push(segment.text);
  }
  const crosses = (s: Timed) => borders.some((b) => s.start < b && s.end > b);
  const group = (near: boolean) => {
    const picked = sentences.map((s, i) => ({ s, i })).filter(({ s }) => crosses(s) === near);
    const errors = wordErrors(picked.map(({ s }) => s.text).join(' '), picked.map(({ i }) => heard[i]!.join(' ')).join(' '));
    return { ...errors, sentences: picked.length };
  };
  return { near: group(true), elsewhere: group(false) };
}
