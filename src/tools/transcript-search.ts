/**
 * Finds the passages of a transcript that best match a question, for answers from the speech alone.
 * Ranking is Orama's BM25 (@orama/orama), with its English stemmer ("oxygen"/"oxygens",
 * "release"/"released" match) and English stop words, so "what is the pigment called" ranks on
 * "pigment" and "call", not on "what" and "the". Orama was chosen over MiniSearch (no stemmer of
 * its own) and wink-bm25-text-search (needs a separate NLP package for stemming) because it ships
 * both, with types and no dependencies. Nothing here scores text by hand: the only count of our
 * own is how many of the question's terms a passage holds, which decides whether to search on.
 */
import { create, insertMultiple, search } from '@orama/orama';
import { stopwords as englishStopwords } from '@orama/stopwords/english';
import type { TranscriptSegment } from '../core/contracts';

/** A stretch of the transcript that matched, with its place in the video. */
export interface Passage {
  start: number;
  end: number;
  text: string;
  /** Orama's BM25 score: comparable only within one search. */
  score: number;
  /** Share of the question's terms (stemmed, stop words left out) the passage contains, 0 to 1. */
  coverage: number;
}

export interface TranscriptSearch {
  passages: Passage[];
  /** The question's terms as the index sees them (stemmed); empty when it has none but stop words. */
  terms: string[];
}

/** Passages up to this long in seconds; Whisper's segments are often pieces of one sentence. */
const PASSAGE_SECONDS = 12;

const SCHEMA = { text: 'string', index: 'number' } as const;

function newIndex() {
  return create({
    schema: SCHEMA,
    components: { tokenizer: { language: 'english', stemming: true, stopWords: englishStopwords } },
  });
}

/**
 * The best `limit` passages of `segments` for `query`, best first. A passage is a segment joined
 * with the following ones while they fit in `PASSAGE_SECONDS`, so a sentence cut across segments is
 * found whole; overlapping passages are returned once (the better one).
 */
export async function searchTranscript(segments: readonly TranscriptSegment[], query: string, limit = 3): Promise<TranscriptSearch> {
  const db = newIndex();
  const terms = [...new Set(db.tokenizer.tokenize(query, 'english'))];
  const passages = passagesOf(segments);
  if (terms.length === 0 || passages.length === 0) return { passages: [], terms };
  await insertMultiple(db, passages.map(({ index, text }) => ({ index, text })));
  // Any term may match (threshold 1); BM25 ranks those holding more of the rare ones first.
  const results = await search(db, { term: query, properties: ['text'], threshold: 1, limit: passages.length });
  const found: Passage[] = [];
  for (const hit of results.hits) {
    const pieces = passages[Number(hit.document.index)]!.pieces;
    // The passage starts at its first piece that holds a term, so its timestamp is where the match is spoken.
    const held = pieces.map((piece) => new Set(db.tokenizer.tokenize(piece.text, 'english')));
    const first = held.findIndex((own) => terms.some((term) => own.has(term)));
    const kept = pieces.slice(Math.max(0, first));
    const start = kept[0]!.start;
    const end = kept[kept.length - 1]!.end;
    if (found.some((p) => start < p.end && p.start < end)) continue;
    const own = new Set(held.slice(Math.max(0, first)).flatMap((set) => [...set]));
    const coverage = terms.filter((term) => own.has(term)).length / terms.length;
    found.push({ start, end, text: kept.map((piece) => piece.text).join(' '), score: hit.score, coverage });
    if (found.length === limit) break;
  }
  return { passages: found, terms };
}

interface IndexedPassage {
  index: number;
  text: string;
  pieces: { start: number; end: number; text: string }[];
}

function passagesOf(segments: readonly TranscriptSegment[]): IndexedPassage[] {
  const spoken = segments
    .map((segment) => ({ start: segment.start, end: segment.end, text: segment.text.trim() }))
    .filter((segment) => segment.text !== '');
  return spoken.map((first, index) => {
    const pieces = [first];
    for (const next of spoken.slice(index + 1)) {
      if (next.end - first.start > PASSAGE_SECONDS) break;
      pieces.push(next);
    }
    return { index, text: pieces.map((piece) => piece.text).join(' '), pieces };
  });
}
