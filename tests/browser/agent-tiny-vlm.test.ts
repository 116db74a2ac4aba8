/**
 * The whole agent on the real VLM path: the tiny random-weight Qwen2.5-VL in the real VLM worker
 * (WASM, local files, remote loading off) as the Stage-1 and Stage-2 model, with real skim frames
 * from the media worker. Its words are noise; what is checked is that the run ends within the cap
 * with a clear result, the events are well-formed, and the frames really reach the model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/agent/events';
import { MAX_STAGE2_STEPS } from '../../src/core/protocol';
import { AgentSession } from '../../src/agent/session';
import { AppError } from '../../src/core/errors';
import { MediaClient, type MediaFile } from '../../src/media/media-client';
import { VlmClient } from '../../src/models/engines/vlm-client';
import type { SpeechTranscriber, VlmGenerateRequest, VlmGenerator } from '../../src/core/contracts';
import { TINY_TEST_VLM_ID, getModel } from '../../src/models/registry';
import { createToolRegistry, FrameStore } from '../../src/tools';
import { fixtureFile } from './media-helpers';

/** Passes calls to the real engine and keeps what each call was given. */
class RecordingVlm implements VlmGenerator {
  readonly requests: VlmGenerateRequest[] = [];
  constructor(private readonly engine: VlmGenerator) {}
  generate(request: VlmGenerateRequest): Promise<string> {
    this.requests.push(request);
    return this.engine.generate(request);
  }
}

/** This file is about the VLM; speech is covered by agent-e2e. A random model rarely calls it. */
const silentWhisper: SpeechTranscriber = {
  async transcribe(audio) {
    return { segments: [], audioSeconds: audio.length / 16_000, whisperSeconds: 0, speechRegions: [], vadSeconds: 0, asrSeconds: 0 };
  },
};

let media: MediaClient;
let file: MediaFile;
let engine: VlmClient;

beforeAll(async () => {
  media = new MediaClient();
  file = await media.open(await fixtureFile('counter.mp4'));
  engine = new VlmClient({ model: getModel(TINY_TEST_VLM_ID), device: 'wasm' });
  await engine.load();
});

afterAll(async () => {
  await engine?.dispose();
  await file?.dispose();
  media?.dispose();
});

describe('agent on the tiny VLM (real workers)', () => {
  it('Stage 1 sees the real skim frames and the run ends within the cap with a clear result', async () => {
    const vlm = new RecordingVlm(engine);
    const frameStore = new FrameStore();
    const session = await AgentSession.open({
      media: file,
      videoName: 'counter.mp4',
      orchestrator: { kind: 'vlm', vlm, options: { maxNewTokens: 24 } },
      tools: createToolRegistry({ media: file, whisper: silentWhisper, vlm, frameStore, reasoningMaxNewTokens: 8 }),
    });
    // 60 s of video: one exact frame a second, small.
    expect(session.video.skimFrames).toHaveLength(60);

    const started = performance.now();
    const events: AgentEvent[] = [];
    for await (const event of session.ask('What number is shown at the end?')) events.push(event);
    const seconds = (performance.now() - started) / 1000;
    const stages = events.filter((e) => e.type === 'stage-started');
    const terminal = events.filter((e) => e.type === 'answer' || e.type === 'gave-up' || e.type === 'error');
    console.info(
      `tiny VLM run: ${seconds.toFixed(1)} s, ${vlm.requests.length} model calls, ${stages.length} stages, ended with ${terminal[0]?.type}`,
    );

    // Stage 1 got every skim frame as pixels, in time order, as one video; Stage-2 calls got none.
    const stage1 = vlm.requests[0]!;
    expect(stage1.video?.frames).toHaveLength(60);
    expect(vlm.requests.slice(1).every((request) => request.video === undefined && (request.images ?? []).length === 0)).toBe(true);
    for (const image of stage1.video?.frames ?? []) {
      expect(image).toBeInstanceOf(ImageBitmap);
      expect(Math.max((image as ImageBitmap).width, (image as ImageBitmap).height)).toBeLessThanOrEqual(384);
    }
    // The worker sizes them from the source, as the release does.
    expect(stage1.video?.sourceSize).toEqual({ width: file.probe.video!.displayWidth, height: file.probe.video!.displayHeight });
    expect(stage1.prompt).toContain('60 low-resolution frames');
    expect(stage1.maxNewTokens).toBe(24);

    // Exactly one terminal event, last; a clear result, never a crash.
    expect(terminal).toHaveLength(1);
    const end = events[events.length - 1]!;
    expect(end).toBe(terminal[0]);
    expect(['answer', 'gave-up']).toContain(end.type);
    if (end.type === 'gave-up') expect(end.message).toMatch(/^Could not produce an answer after 10 steps\./);

    // Well-formed: Stage 1 first, then Stage-2 steps 1, 2, ... within the cap; tokens belong to the running stage.
    expect(stages[0]).toEqual({ type: 'stage-started', stage: 1, step: 0 });
    expect(stages.slice(1).map((e) => (e.type === 'stage-started' ? [e.stage, e.step] : null))).toEqual(
      stages.slice(1).map((_, i) => [2, i + 1]),
    );
    expect(stages.length).toBeLessThanOrEqual(1 + MAX_STAGE2_STEPS);
    let current: { stage: number; step: number } | null = null;
    for (const event of events) {
      if (event.type === 'stage-started') current = event;
      if (event.type === 'token') expect([event.stage, event.step]).toEqual([current?.stage, current?.step]);
      if (event.type === 'tool-result') expect(event.output.length).toBeGreaterThan(0);
    }
    // Every model call ran to completion and streamed its text.
    const streamed = events.filter((e) => e.type === 'token').map((e) => (e.type === 'token' ? e.text : '')).join('');
    expect(streamed.length).toBeGreaterThan(0);
    session.dispose();
  });

  it('extract_parts_from_timestamp → perform_reasoning runs the stored frames through the VLM worker', async () => {
    const vlm = new RecordingVlm(engine);
    const frameStore = new FrameStore();
    const tools = createToolRegistry({ media: file, whisper: silentWhisper, vlm, frameStore, reasoningMaxNewTokens: 8 });
    const context = { signal: new AbortController().signal, duration: file.probe.durationSeconds };

    const extracted = await tools.extract_parts_from_timestamp!.run(
      { video_path: 'counter.mp4', timestamp_start: 10, timestamp_end: 19, extract_type: 'frames' },
      context,
    );
    // Named as the release names extracted frames; the counter fixture runs at 10 fps, so the frame
    // at 19 s is source frame 190.
    const names = Array.from({ length: 10 }, (_, i) => `counter_frames_00:10_00:19/counter_frame_${(10 + i) * 10}_00:${10 + i}.jpg`);
    expect(extracted.frames?.map((f) => f.id)).toEqual(names);
    expect(extracted.frames?.map((f) => Math.round(f.timestamp * 10) / 10)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(extracted.text).toContain(`${names[9]} at 00:00:19`);

    const ids = [names[0]!, names[4]!, names[9]!];
    const answer = await tools.perform_reasoning!.run({ query: 'What number is shown?', media_paths: ids }, context);
    expect(answer.text).toMatch(/^answer: \S/);
    expect(answer.frames?.map((f) => f.id)).toEqual(ids);
    const request = vlm.requests[0]!;
    expect(request.images).toHaveLength(3);
    for (const image of request.images ?? []) {
      expect(image).toBeInstanceOf(Blob);
      expect((image as Blob).type).toBe('image/jpeg');
    }
    // The frames reached the model: its next-token logits move with them (the tiny model's
    // replies repeat one token, so the text alone cannot show it).
    const seen = await engine.inspect({ prompt: request.prompt, images: request.images }, 1);
    const blind = await engine.inspect({ prompt: request.prompt }, 1);
    const moved = seen.nextTokenLogits.reduce((most, value, index) => Math.max(most, Math.abs(value - blind.nextTokenLogits[index]!)), 0);
    expect(moved).toBeGreaterThan(1e-3);

    const unknown = await tools.perform_reasoning!.run({ query: 'q', media_paths: ['frame_99'] }, context).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(AppError);
    expect((unknown as AppError).message).toContain(`Known frame ids: ${names[0]}, ${names[1]}`);
  });

  it('identify_timestamps_visually scores low-resolution frames with the VLM and returns a span or nulls', async () => {
    const vlm = new RecordingVlm(engine);
    const tools = createToolRegistry({ media: file, whisper: silentWhisper, vlm, frameStore: new FrameStore() });
    const output = await tools.identify_timestamps_visually!.run(
      { video_path: 'counter.mp4', event: 'the number 25 appears', timestamp_start: 20, timestamp_end: 30 },
      { signal: new AbortController().signal, duration: file.probe.durationSeconds },
    );
    expect(vlm.requests).toHaveLength(10);
    expect(vlm.requests.every((r) => r.images?.length === 1 && r.maxNewTokens === 4)).toBe(true);
    expect(output.text).toMatch(/^timestamps: /);
    for (const span of output.spans ?? []) {
      expect(span.start).toBeGreaterThanOrEqual(20);
      expect(span.end).toBeLessThanOrEqual(30);
    }
  });
});
