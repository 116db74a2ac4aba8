/**
 * Runs inside headless Chromium, driven by bench/run.ts: Whisper speed on the speech fixture, and
 * how much of an agent step is spent outside model calls (parsing, tool dispatch, frame decoding
 * and transfer). Models are the real ones available here: whisper-base (WASM) and the tiny
 * random-weight Qwen2.5-VL (WASM); the orchestrator is scripted so every tool runs once.
 */
import speechVideoUrl from '../tests/fixtures/media/speech.mp4?url';
import { AgentSession } from '../src/agent/session';
import type { GenerateRequest, ReasoningModel, SpeechTranscriber, VlmGenerateRequest, VlmGenerator } from '../src/core/contracts';
import { MediaClient } from '../src/media/media-client';
import { VlmClient } from '../src/models/engines/vlm-client';
import { WhisperClient, type TranscribeCallOptions } from '../src/models/engines/whisper-client';
import { bundledWhisperModel } from '../src/models/engines/whisper-models';
import { TINY_TEST_VLM_ID, getModel } from '../src/models/registry';
import { createToolRegistry, FrameStore } from '../src/tools';

/** Adds up the wall time spent inside model calls. */
class ModelClock {
  ms = 0;
  async time<T>(work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.ms += performance.now() - start;
    }
  }
}

const json = (value: unknown) => `<json>${JSON.stringify(value)}</json>`;
const call = (name: string, args: Record<string, unknown>) => ({
  needed: true,
  why_no_tool: '',
  tool_calls: [{ rationale: 'benchmark tour', name, arguments: { video_path: 'speech.mp4', ...args } }],
});

/** Stage 1 and four Stage-2 steps: extract, reason over the frames, ground, transcribe, answer. */
class ToolTourModel implements ReasoningModel {
  private calls = 0;
  generate(request: GenerateRequest): Promise<string> {
    return Promise.resolve(this.reply(request));
  }

  private reply(request: GenerateRequest): string {
    const step = this.calls++;
    if (step === 0) {
      return json({
        video_context: 'A test pattern with speech.',
        query_intent: 'benchmark',
        final_answer: null,
        recommended_tools: call('extract_parts_from_timestamp', { timestamp_start: '00:00:02', timestamp_end: '00:00:12' }),
      });
    }
    // The names the extraction returned, as a model would echo them.
    const listed = /media_paths: (\[[^\]]*\])/.exec(request.prompt);
    const frameIds = listed ? (JSON.parse(listed[1]!) as string[]).slice(0, 3) : [];
    const next = [
      call('perform_reasoning', { query: 'What is shown?', media_paths: frameIds }),
      call('identify_timestamps_visually', { event: 'a red screen', timestamp_start: '00:00:00', timestamp_end: '00:00:08' }),
      call('verbal_transcript', { timestamp_start: '00:00:00', timestamp_end: '00:00:15' }),
    ][step - 1];
    return json({
      answerable: { verdict: !next, reasoning: 'benchmark' },
      final_answer: next ? null : 'done',
      recommended_tools: next ?? { needed: false, why_no_tool: 'done', tool_calls: [] },
    });
  }
}

const bench = {
  async whisperSpeed() {
    const media = new MediaClient();
    const file = await media.open(new File([await (await fetch(speechVideoUrl)).blob()], 'speech.mp4'));
    const audio = await file.audio({ start: 0, end: file.probe.durationSeconds });
    const whisper = new WhisperClient();
    await whisper.load({ ...bundledWhisperModel('whisper-base'), label: 'Whisper base', device: 'wasm', dtype: 'q8' });
    const run = async (vad: boolean) => {
      const start = performance.now();
      const result = await whisper.transcribe(audio.slice(), { offsetSeconds: 0, language: 'en', vad });
      return { ms: performance.now() - start, audioSeconds: audio.length / 16_000, segments: result.segments.length };
    };
    const results = { noVad: await run(false), vad: await run(true) };
    await whisper.dispose();
    await file.dispose();
    media.dispose();
    return results;
  },

  /** Whisper base on WASM with one thread and with the default, each in a fresh worker, on the same audio (no VAD). */
  async whisperThreads() {
    const media = new MediaClient();
    const file = await media.open(new File([await (await fetch(speechVideoUrl)).blob()], 'speech.mp4'));
    const audio = await file.audio({ start: 0, end: file.probe.durationSeconds });
    const run = async (threads: number | undefined) => {
      const whisper = new WhisperClient();
      const loaded = await whisper.load({ ...bundledWhisperModel('whisper-base'), label: 'Whisper base', device: 'wasm', dtype: 'q8', ...(threads ? { threads } : {}) });
      // The first call warms the session; the second is timed.
      await whisper.transcribe(audio.slice(), { offsetSeconds: 0, language: 'en', vad: false });
      const start = performance.now();
      await whisper.transcribe(audio.slice(), { offsetSeconds: 0, language: 'en', vad: false });
      const ms = performance.now() - start;
      await whisper.dispose();
      return { ms, threads: loaded.threads, audioSeconds: audio.length / 16_000 };
    };
    const results = { one: await run(1), many: await run(undefined), isolated: crossOriginIsolated, cores: navigator.hardwareConcurrency };
    await file.dispose();
    media.dispose();
    return results;
  },

  async agentOverhead() {
    const clock = new ModelClock();
    const media = new MediaClient();
    const file = await media.open(new File([await (await fetch(speechVideoUrl)).blob()], 'speech.mp4'));
    const engine = new VlmClient({ model: getModel(TINY_TEST_VLM_ID), device: 'wasm' });
    await engine.load();
    const whisper = new WhisperClient();
    await whisper.load({ ...bundledWhisperModel('whisper-base'), label: 'Whisper base', device: 'wasm', dtype: 'q8' });
    const vlm: VlmGenerator = {
      generate: (request: VlmGenerateRequest) => clock.time(() => engine.generate({ ...request, maxNewTokens: 8 })),
    };
    const speech: SpeechTranscriber = {
      transcribe: (audio: Float32Array, options: TranscribeCallOptions) => clock.time(() => whisper.transcribe(audio, options)),
    };
    // Frame and audio reads are timed apart, so the outside-model time splits into media and the rest.
    const mediaClock = new ModelClock();
    const timedMedia = {
      extract: (options: Parameters<typeof file.extract>[0], job?: Parameters<typeof file.extract>[1]) => mediaClock.time(() => file.extract(options, job)),
      audio: (window: Parameters<typeof file.audio>[0], job?: Parameters<typeof file.audio>[1]) => mediaClock.time(() => file.audio(window, job)),
    };
    const tour = new ToolTourModel();
    const orchestrator: ReasoningModel = { generate: (request) => clock.time(() => tour.generate(request)) };
    const session = await AgentSession.open({
      media: file,
      videoName: 'speech.mp4',
      orchestrator: { kind: 'model', stage1: orchestrator },
      tools: createToolRegistry({ media: timedMedia, whisper: speech, vlm, frameStore: new FrameStore(), language: 'en' }),
    });
    clock.ms = 0;
    const start = performance.now();
    let steps = 0;
    const tools: string[] = [];
    let outcome = '';
    // Time outside model calls, per step (a step runs from one stage-started to the next).
    const outsideByStep: number[] = [];
    const mediaByStep: number[] = [];
    let stepStart = { wall: start, model: 0, media: 0 };
    const closeStep = () => {
      const now = { wall: performance.now(), model: clock.ms, media: mediaClock.ms };
      if (steps > 0) {
        outsideByStep.push(now.wall - stepStart.wall - (now.model - stepStart.model));
        mediaByStep.push(now.media - stepStart.media);
      }
      stepStart = now;
    };
    for await (const event of session.ask('Benchmark question')) {
      if (event.type !== 'token') console.info(`${((performance.now() - start) / 1000).toFixed(1)} s: ${event.type}`);
      if (event.type === 'stage-started') {
        closeStep();
        steps++;
      }
      if (event.type === 'tool-result') tools.push(`${event.label}${event.isError ? ' (error)' : ''}`);
      if (event.type === 'answer' || event.type === 'gave-up' || event.type === 'error') outcome = event.type;
    }
    closeStep();
    const totalMs = performance.now() - start;
    const modelMs = clock.ms;
    await engine.dispose();
    await whisper.dispose();
    session.dispose();
    await file.dispose();
    media.dispose();
    return { totalMs, modelMs, steps, tools, outcome, outsideByStep, mediaByStep };
  },

  /**
   * Stage 1's visual cost for 128 skim frames (384 x 216, the skim's aspect on a 16:9 video), fed
   * as one video (as the release feeds SAGE-MM) and as 128 separate images, through the real
   * worker and the tiny model's vision tower (same patch and window layout as the 7B's).
   */
  async stage1Vision(): Promise<{ video: { tokens: number; seconds: number }; images: { tokens: number; seconds: number } }> {
    const engine = new VlmClient({ model: getModel(TINY_TEST_VLM_ID), device: 'wasm' });
    await engine.load();
    const frames = async () =>
      Promise.all(
        Array.from({ length: 128 }, (_, index) => {
          const canvas = new OffscreenCanvas(384, 216);
          const context = canvas.getContext('2d')!;
          context.fillStyle = `hsl(${(index * 7) % 360} 70% 50%)`;
          context.fillRect(0, 0, 384, 216);
          return canvas.convertToBlob({ type: 'image/png' });
        }),
      );
    const prompt = 'What happens in the video?';
    // Vision encoder only: with 128 separate images the decoder's prefill (14k tokens) does not
    // fit WASM's 4 GB, while the video (under 3k tokens) does.
    // Cut from a 720p source: the release sizes each frame from the source to 140 x 252 (45 tokens).
    const asVideo = await engine.measureVision({ prompt, video: { frames: await frames(), secondsPerGrid: 1, sourceSize: { width: 1280, height: 720 } } });
    const asImages = await engine.measureVision({ prompt, images: await frames() });
    await engine.dispose();
    return {
      video: { tokens: asVideo.visualTokens, seconds: asVideo.visionSeconds },
      images: { tokens: asImages.visualTokens, seconds: asImages.visionSeconds },
    };
  },
};

declare global {
  interface Window {
    agentBench: typeof bench;
  }
}

window.agentBench = bench;
document.title = 'ready';
