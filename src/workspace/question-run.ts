/**
 * One question's run for the workspace: with vision when the vision model can be used, from the
 * speech when it cannot (the person chose speech only, no tier fits, its load failed now or in an
 * earlier question). Also the line the status adds at "Ready" about the vision model: what asking
 * will download, or that questions use the speech.
 */
import type { AgentEvent } from '../agent/events';
import type { AgentSession } from '../agent/session';
import { answerFromSpeech } from '../agent/speech-answer';
import { withSpeechFallback } from '../agent/speech-fallback';
import type { TextGenerator } from '../core/contracts';
import type { AgentEngines } from '../runtime/engines';
import { downloadNote, failureReason, visionModelName, visionVerdict, type VisionModelFacts } from '../runtime/vision-plan';
import type { AudioProvider } from '../tools/verbal-transcript';
import type { TranscriptCache } from '../tools/transcript-cache';

export interface QuestionRun {
  question: string;
  session: AgentSession;
  engines: Pick<AgentEngines, 'visionFacts' | 'vlmState' | 'speech'>;
  audio: AudioProvider;
  transcriptCache: TranscriptCache;
  /** A host's own orchestrator is in place: it is asked as it is, with no vision model of ours. */
  hostOrchestrator: boolean;
  /** The person chose to answer from the speech only. */
  speechOnly: boolean;
  /** A text model that writes speech-only answers, when one runs here without a download. */
  writer: () => Promise<{ label: string; model: TextGenerator } | undefined>;
  signal: AbortSignal;
}

export async function* questionEvents(run: QuestionRun): AsyncGenerator<AgentEvent, void, undefined> {
  const { question, session, engines, signal } = run;
  const withVision = () => session.ask(question, { signal });
  if (run.hostOrchestrator) {
    yield* withVision();
    return;
  }
  const facts = await engines.visionFacts(run.speechOnly);
  const verdict = visionVerdict(facts);
  yield* withSpeechFallback({
    speechOnlyReason: verdict.usable ? null : verdict.reason,
    withVision,
    // Only the vision model's own failed load moves the question to the speech; any other error stands.
    visionFailure: (error) => {
      const state = engines.vlmState();
      return state.state === 'failed' && state.error === error ? failureReason(error, facts.model) : null;
    },
    fromSpeech: async function* (reason) {
      yield* answerFromSpeech({
        question,
        videoName: session.video.name,
        duration: session.video.durationSeconds,
        reason,
        speech: { audio: run.audio, transcriber: engines.speech, cache: run.transcriptCache },
        writer: await run.writer(),
        signal,
      });
    },
  });
}

/**
 * What the status line adds at "Ready" about the vision model: nothing when it is stored; that
 * questions use the speech when the page is offline; else what the first question downloads.
 */
export function visionStatusNote(model: VisionModelFacts | null, stored: boolean, online: boolean, downlinkMbps: number | undefined): string | null {
  if (!model || stored) return null;
  if (!online) return `Questions are answered from the speech: ${visionModelName(model)} is not stored and the page is offline.`;
  return downloadNote(model, downlinkMbps);
}
