/**
 * `verbal_transcript` as the agent calls it: audio from the opened video, Whisper through its
 * client, and one transcript cache for this video so no span is transcribed twice.
 */
import type { SpeechTranscriber, ToolArguments, ToolOutput, ToolRunContext, ToolRunner } from '../core/contracts';
import { TranscriptCache } from './transcript-cache';
import { verbalTranscript, type AudioProvider } from './verbal-transcript';

export interface VerbalTranscriptToolOptions {
  /** Spoken language; detected by Whisper when left out. */
  language?: string;
  /** Transcripts of this video with this model; a new one is made when absent. */
  cache?: TranscriptCache;
}

export function verbalTranscriptTool(
  audio: AudioProvider,
  transcriber: SpeechTranscriber,
  options: VerbalTranscriptToolOptions = {},
): ToolRunner<ToolArguments['verbal_transcript']> {
  const cache = options.cache ?? new TranscriptCache();
  return {
    async run(args, context: ToolRunContext): Promise<ToolOutput> {
      const window = { start: args.timestamp_start, end: args.timestamp_end };
      const result = await verbalTranscript({ audio, transcriber, cache }, window, {
        signal: context.signal,
        ...(options.language ? { language: options.language } : {}),
      });
      return {
        text: result.text,
        spans: result.segments.map(({ start, end }) => ({ start, end })),
      };
    },
  };
}
