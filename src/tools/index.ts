/** The tools of one opened video, wired to the workers that run them. */
import type { SpeechTranscriber, ToolRegistry, VlmGenerator } from '../core/contracts';
import { extractPartsTool, type FrameExtractor } from './extract-parts';
import { VlmYesNoScorer, type FrameEventScorer } from './frame-event-scorer';
import type { FrameStore } from './frame-store';
import { identifyTimestampsTool } from './identify-timestamps';
import { performReasoningTool } from './perform-reasoning';
import type { TranscriptCache } from './transcript-cache';
import type { AudioProvider } from './verbal-transcript';
import { verbalTranscriptTool } from './verbal-transcript-tool';
import { webSearchTools, type WebSearchProvider } from './web-search';

export interface ToolDeps {
  /** The opened video (a `MediaFile`): frames for the visual tools, audio for the transcript. */
  media: FrameExtractor & AudioProvider;
  whisper: SpeechTranscriber;
  /** Runs `perform_reasoning`, and scores frames for grounding unless `scorer` is given. */
  vlm: VlmGenerator;
  /** Where extracted frames are kept for `media_paths`. */
  frameStore: FrameStore;
  /** Without it the web tools do not exist and are not offered to the model. */
  webSearch?: WebSearchProvider;
  /** Replaces the VLM's yes/no frame scoring (e.g. an image-text embedding model). */
  scorer?: FrameEventScorer;
  /** Transcripts already made for this video; a fresh cache otherwise. */
  transcriptCache?: TranscriptCache;
  /** Spoken language for Whisper; detected when left out. */
  language?: string;
  /** Reply length of `perform_reasoning` (default 256 tokens). */
  reasoningMaxNewTokens?: number;
}

export function createToolRegistry(deps: ToolDeps): ToolRegistry {
  const tools: ToolRegistry = {
    verbal_transcript: verbalTranscriptTool(deps.media, deps.whisper, {
      ...(deps.transcriptCache ? { cache: deps.transcriptCache } : {}),
      ...(deps.language ? { language: deps.language } : {}),
    }),
    identify_timestamps_visually: identifyTimestampsTool(deps.media, deps.scorer ?? new VlmYesNoScorer(deps.vlm)),
    extract_parts_from_timestamp: extractPartsTool(deps.media, deps.frameStore),
    perform_reasoning: performReasoningTool(
      deps.vlm,
      deps.frameStore,
      deps.reasoningMaxNewTokens === undefined ? {} : { maxNewTokens: deps.reasoningMaxNewTokens },
    ),
  };
  return deps.webSearch ? { ...tools, ...webSearchTools(deps.webSearch) } : tools;
}

export { FrameStore } from './frame-store';
export type { FrameEventScorer } from './frame-event-scorer';
export type { WebSearchProvider } from './web-search';
