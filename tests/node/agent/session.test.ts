import { describe, expect, it } from 'vitest';
import { AgentSession, skimModeFor, type SkimSource } from '../../../src/agent/session';
import { VlmReasoningModel } from '../../../src/agent/model-adapters';
import type { ProbeResult, SkimOptions } from '../../../src/media/types';
import { FrameStore } from '../../../src/tools/frame-store';
import { stage1VideoPlan } from '../../../src/models/qwen-vl/video-inputs';
import { AppError, cancelledError } from '../../../src/core/errors';
import { lastEvent, offlineTools, ScriptedModel, stage1Answer, stage1Call, stage2Answer } from './doubles';
import { FakeVlm, frameAt } from '../tools/fakes';

interface SourceShape {
  videoDecodable?: boolean;
  audioDecodable?: boolean;
  /** The skim rejects with this. */
  skimError?: Error;
  /** Where a file cut short stops being readable. */
  readableSeconds?: number;
}

function source(durationSeconds: number, hasVideo = true, shape: SourceShape = {}): SkimSource & { calls: SkimOptions[] } {
  const calls: SkimOptions[] = [];
  const probe = {
    durationSeconds,
    readableSeconds: shape.readableSeconds ?? durationSeconds,
    video: hasVideo ? { codec: 'hevc', decodable: shape.videoDecodable ?? true, displayWidth: 1280, displayHeight: 720, frameRate: 25 } : null,
    audio: { codec: 'aac', decodable: shape.audioDecodable ?? true },
  } as ProbeResult;
  return {
    probe,
    calls,
    async skim(options) {
      calls.push(options);
      if (shape.skimError) throw shape.skimError;
      const count = options.count ?? 1;
      return Array.from({ length: count }, (_, i) => frameAt(((i + 0.5) * durationSeconds) / count));
    },
  };
}

async function drain(events: AsyncGenerator<unknown>): Promise<void> {
  for await (const _ of events);
}

describe('skimModeFor', () => {
  it('uses exact frames up to two minutes and key frames beyond', () => {
    expect(skimModeFor(20)).toBe('exact');
    expect(skimModeFor(120)).toBe('exact');
    expect(skimModeFor(121)).toBe('fast');
  });
});

describe('AgentSession', () => {
  it('skims once at 1 fps (at most 128), small frames, and reuses the skim for every question', async () => {
    const media = source(3600);
    const model = new ScriptedModel([stage1Answer('a cake'), stage1Answer('two')]);
    const session = await AgentSession.open({
      media,
      videoName: 'cooking.mp4',
      orchestrator: { kind: 'model', stage1: model },
      tools: offlineTools().tools,
    });
    expect(media.calls).toEqual([{ count: 128, mode: 'fast', maxSide: 384, format: 'bitmap' }]);
    expect(session.video.skimFrames.map((f) => f.id).slice(0, 2)).toEqual(['skim_1', 'skim_2']);

    await drain(session.ask('What is cooked?'));
    await drain(session.ask('How many eggs?'));
    expect(media.calls).toHaveLength(1);
    expect(model.requests.map((r) => r.images?.length)).toEqual([128, 128]);
  });

  it('short videos get exact frames, one a second; files without video get none', async () => {
    const media = source(20);
    await AgentSession.open({ media, videoName: 'a.mp4', orchestrator: { kind: 'model', stage1: new ScriptedModel([]) }, tools: {} });
    expect(media.calls).toEqual([{ count: 20, mode: 'exact', maxSide: 384, format: 'bitmap' }]);

    const audioOnly = source(20, false);
    const session = await AgentSession.open({ media: audioOnly, videoName: 'a.m4a', orchestrator: { kind: 'model', stage1: new ScriptedModel([]) }, tools: {} });
    expect(audioOnly.calls).toHaveLength(0);
    expect(session.video.skimFrames).toEqual([]);
  });

  it("takes the skim a Qwen3-VL orchestrator's Stage 1 takes: 128 larger frames whatever the length", async () => {
    const media = source(20);
    const session = await AgentSession.open({
      media,
      videoName: 'a.mp4',
      orchestrator: { kind: 'model', stage1: new ScriptedModel([]) },
      tools: {},
      skimPlan: stage1VideoPlan('qwen3_vl'),
    });
    expect(media.calls).toEqual([{ count: 128, mode: 'exact', maxSide: 512, format: 'bitmap' }]);
    expect(session.skim.source).toEqual({ width: 1280, height: 720 });
    // Fewer only when the video has fewer frames.
    const short = source(2);
    await AgentSession.open({ media: short, videoName: 'b.mp4', orchestrator: { kind: 'model', stage1: new ScriptedModel([]) }, tools: {}, skimPlan: stage1VideoPlan('qwen3_vl') });
    expect(short.calls[0]?.count).toBe(50);
  });

  it('a video that does not decode here gets no skim, and questions go on with its speech', async () => {
    const media = source(60, true, { videoDecodable: false });
    const session = await AgentSession.open({ media, videoName: 'a.mp4', orchestrator: { kind: 'model', stage1: new ScriptedModel([]) }, tools: {} });
    expect(media.calls).toHaveLength(0);
    expect(session.video.skimFrames).toEqual([]);
    expect(session.video.durationSeconds).toBe(60);
  });

  it('refuses questions once disposed', async () => {
    const session = await AgentSession.open({ media: source(20), videoName: 'a.mp4', orchestrator: { kind: 'model', stage1: new ScriptedModel([]) }, tools: {} });
    session.dispose();
    session.dispose();
    expect(() => session.ask('Still there?')).toThrow(expect.objectContaining({ code: 'disposed' }));
  });

  it('a skim that fails leaves the speech to answer from; with no speech the failure stands', async () => {
    const broken = new AppError('decode-failed', 'Part of this video could not be decoded.');
    const open = (media: SkimSource) =>
      AgentSession.open({ media, videoName: 'a.mp4', orchestrator: { kind: 'model', stage1: new ScriptedModel([]) }, tools: {} });
    const session = await open(source(60, true, { skimError: broken }));
    expect(session.skimFailure).toBe(broken);
    expect(session.video.skimFrames).toEqual([]);
    await expect(open(source(60, true, { skimError: broken, audioDecodable: false }))).rejects.toBe(broken);
    await expect(open(source(60, true, { skimError: cancelledError() }))).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('a file cut short is skimmed and described over the part that can be read', async () => {
    const media = source(600, true, { readableSeconds: 90 });
    const session = await AgentSession.open({ media, videoName: 'cut.mp4', orchestrator: { kind: 'model', stage1: new ScriptedModel([]) }, tools: {} });
    expect(media.calls).toEqual([{ count: 90, mode: 'exact', maxSide: 384, format: 'bitmap' }]);
    expect(session.video.durationSeconds).toBe(90);
  });

  it('keeps the Stage-1 video context and gives it to follow-up questions', async () => {
    const model = new ScriptedModel([
      stage1Call('verbal_transcript', { timestamp_start: '0', timestamp_end: '60' }),
      stage2Answer('two eggs'),
      stage1Answer('a cake'),
    ]);
    const session = await AgentSession.open({
      media: source(600),
      videoName: 'cooking.mp4',
      orchestrator: { kind: 'model', stage1: model },
      tools: offlineTools().tools,
    });
    expect(session.videoContext).toBeUndefined();
    await drain(session.ask('How many eggs?'));
    expect(model.requests[0]?.prompt).not.toContain('What an earlier look at this video found');
    expect(session.videoContext).toContain('A cooking show');
    expect(model.requests[1]?.prompt).toContain('What the video shows, from a first skim: A cooking show');

    await drain(session.ask('What is baked?'));
    expect(model.requests[2]?.prompt).toContain('What an earlier look at this video found: A cooking show');
  });

  it('with the VLM orchestrator, Stage 1 sees the skim as one video and Stage 2 nothing', async () => {
    const replies = [stage1Call('verbal_transcript', { timestamp_start: '0', timestamp_end: '60' }), stage2Answer('two')];
    const vlm = new FakeVlm(() => replies.shift() ?? '');
    const session = await AgentSession.open({
      media: source(30),
      videoName: 'v.mp4',
      orchestrator: { kind: 'vlm', vlm, options: { maxNewTokens: 64 } },
      tools: offlineTools().tools,
    });
    const events = [];
    for await (const event of session.ask('How many?')) events.push(event);
    expect(lastEvent(events)).toMatchObject({ type: 'answer', answer: 'two' });
    // As the release feeds Qwen-family SAGE-MM: the frames in time order, one second of rotary
    // time per two-frame patch (the processor's default fps, which the release leaves in place).
    expect(vlm.requests[0]?.video).toEqual({
      frames: session.video.skimFrames.map((f) => f.image),
      secondsPerGrid: 1,
      frameTimes: session.video.skimFrames.map((f) => f.timestamp),
      // The release sizes each frame from the source, so the worker is told its size.
      sourceSize: { width: 1280, height: 720 },
    });
    expect(vlm.requests[0]?.video?.frames).toHaveLength(30);
    expect(vlm.requests[0]?.images).toBeUndefined();
    expect(vlm.requests[1]?.video).toBeUndefined();
    expect(vlm.requests[1]?.images).toBeUndefined();
    expect(vlm.requests.every((r) => r.maxNewTokens === 64)).toBe(true);
    session.dispose();
    expect(session.skim.size).toBe(0);
  });
});

describe('VlmReasoningModel', () => {
  it('turns frame references into the stored images and streams tokens through', async () => {
    const store = new FrameStore();
    const [a, b] = store.add([frameAt(1), frameAt(2)]);
    const vlm = new FakeVlm(() => 'reply');
    const tokens: string[] = [];
    const reply = await new VlmReasoningModel(vlm, store).generate({
      prompt: 'p',
      images: [b!, a!],
      signal: new AbortController().signal,
      onToken: (t) => tokens.push(t),
    });
    expect(reply).toBe('reply');
    expect(tokens).toEqual(['reply']);
    expect(vlm.requests[0]?.video?.frames).toEqual([b!.image, a!.image]);
    expect(vlm.requests[0]?.maxNewTokens).toBe(768);
  });

  it('rejects with an AppError when a frame is no longer stored', async () => {
    const vlm = new FakeVlm(() => 'reply');
    const model = new VlmReasoningModel(vlm, new FrameStore());
    await expect(
      model.generate({ prompt: 'p', images: [{ id: 'skim_9', timestamp: 0 }], signal: new AbortController().signal }),
    ).rejects.toMatchObject({ name: 'AppError', code: 'internal' });
    expect(vlm.requests).toHaveLength(0);
  });
});
