/**
 * The workspace behind `<sage-agent>`, with the workers replaced by doubles and a scripted
 * orchestrator: opening (latest wins), asking and Stop, "Transcribe all" and its Stop, a speech
 * model change while a video is open, settings, failures and dispose, all as one state object.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentEvent } from '../../../src/agent/events';
import type { TranscriptSegment } from '../../../src/core/contracts';
import { AppError } from '../../../src/core/errors';
import type { MediaClient, MediaFile } from '../../../src/media/media-client';
import type { ProbeResult, SkimOptions } from '../../../src/media/types';
import type { SpeechJob, WhisperEngine } from '../../../src/models/engines/whisper-client';
import type { EngineFactories } from '../../../src/runtime/engine-contracts';
import type { TranscriptSnapshot } from '../../../src/tools/transcript-cache';
import type { TranscriptStorage } from '../../../src/tools/transcript-store';
import { Workspace, type WorkspaceError, type WorkspaceState } from '../../../src/workspace/workspace';
import { TRANSCRIBE_WINDOW_SECONDS } from '../../../src/workspace/video-transcript';
import { ScriptedModel, stage1Answer, stage1Call, stage2Answer } from '../agent/doubles';
import { device } from '../fixtures/devices';
import { frameAt } from '../tools/fakes';

interface FakeFile {
  name: string;
  disposed: boolean;
  file: MediaFile;
}

interface Doubles {
  factories: EngineFactories;
  files: FakeFile[];
  /** Holds the next `media.open` until released. */
  holdNextOpen: (() => void) | null;
  /** Makes the next `media.open` reject. */
  failNextOpen: Error | null;
  /** The audio windows Whisper was given, as [start, seconds]. */
  transcribed: Array<[number, number]>;
  speechLoads: number;
  /** Runs inside each transcription, before it returns. */
  onTranscribe: (job: SpeechJob) => void;
  mediaDisposed: boolean;
  /** What each skim asked for. */
  skims: SkimOptions[];
}

function probe(durationSeconds: number): ProbeResult {
  return {
    durationSeconds,
    readableSeconds: durationSeconds,
    fileSize: 1000,
    container: 'mp4',
    video: { codec: 'avc', decodable: true, displayWidth: 64, displayHeight: 36, frameRate: 25, variableFrameRate: false },
    audio: { codec: 'aac', decodable: true, sampleRate: 48_000, channels: 2 },
  } as ProbeResult;
}

function doubles(durationSeconds = 700): Doubles {
  const d: Doubles = {
    files: [],
    holdNextOpen: null,
    failNextOpen: null,
    transcribed: [],
    speechLoads: 0,
    onTranscribe: () => {},
    mediaDisposed: false,
    skims: [],
    factories: {
      media: () =>
        ({
          open: async (blob: Blob) => {
            const failure = d.failNextOpen;
            d.failNextOpen = null;
            if (failure) throw failure;
            const name = blob instanceof File ? blob.name : 'blob';
            const hold = new Promise<void>((release) => {
              if (d.holdNextOpen === null) release();
              else d.holdNextOpen = release;
            });
            await hold;
            const fake: FakeFile = {
              name,
              disposed: false,
              file: {
                probe: probe(durationSeconds),
                skim: async (options: SkimOptions) => {
                  d.skims.push(options);
                  return Array.from({ length: options.count ?? 1 }, (_, i) => frameAt(i));
                },
                extract: async () => [],
                audio: async (window: { start: number; end: number }) => new Float32Array(Math.round((window.end - window.start) * 16)),
                dispose: async () => {
                  fake.disposed = true;
                },
              } as unknown as MediaFile,
            };
            d.files.push(fake);
            return fake.file;
          },
          dispose: () => {
            d.mediaDisposed = true;
          },
        }) as unknown as MediaClient,
      whisper: async () => {
        d.speechLoads++;
        const engine: WhisperEngine = {
          generate: async (job) => {
            const start = job.options.offsetSeconds;
            d.transcribed.push([start, job.audio.length / 16]);
            d.onTranscribe(job);
            const segments: TranscriptSegment[] = [{ start: start + 1, end: start + 2, text: `said at ${start}` }];
            return { segments, audioSeconds: 1, whisperSeconds: 1, speechRegions: [], vadSeconds: 0, asrSeconds: 0 };
          },
          dispose: async () => {},
        };
        return engine;
      },
      vlm: () => {
        throw new Error('no VLM in these tests: the orchestrator is scripted');
      },
      webllm: () => Promise.reject(new Error('no web-llm in these tests')),
      text: () => {
        throw new Error('no text tier in these tests');
      },
    },
  };
  return d;
}

/** Transcripts kept in memory, by key, as the IndexedDB store keeps them. */
class MemoryTranscripts implements TranscriptStorage {
  readonly saved = new Map<string, TranscriptSnapshot>();
  disposed = false;
  async load(key: string): Promise<TranscriptSnapshot | null> {
    return this.saved.get(key) ?? null;
  }
  async save(key: string, snapshot: TranscriptSnapshot): Promise<void> {
    this.saved.set(key, snapshot);
  }
  async remove(key: string): Promise<void> {
    this.saved.delete(key);
  }
  dispose(): void {
    this.disposed = true;
  }
}

let d: Doubles;
let store: MemoryTranscripts;
let workspace: Workspace;
let states: WorkspaceState[];
let errors: WorkspaceError[];
let steps: AgentEvent[];

function make(durationSeconds = 700, releaseVideo?: () => Promise<void>): Workspace {
  d = doubles(durationSeconds);
  store = new MemoryTranscripts();
  workspace = new Workspace({
    factories: d.factories,
    transcriptStore: store,
    capabilities: async () => device({ webgpu: false }),
    served: async () => ({ models: {} }),
    ...(releaseVideo ? { releaseVideo } : {}),
  });
  workspace.configure({ modelBaseUrl: 'http://site.test/app/' });
  states = [];
  errors = [];
  steps = [];
  workspace.on('change', ({ state }) => states.push(state));
  workspace.on('error', (error) => errors.push(error));
  workspace.on('step', (event) => steps.push(event));
  return workspace;
}

const video = (name = 'talk.mp4') => new File([new Uint8Array(4096).fill(7)], name, { lastModified: 1 });

/** Opens a file and waits for its skim to end. */
async function openAndSkim(name = 'talk.mp4'): Promise<void> {
  await workspace.openFile(video(name), name);
  await vi.waitFor(() => expect(workspace.state.status).toMatch(/^Ready/));
}

beforeEach(() => make());

afterEach(async () => {
  await workspace.dispose();
  vi.unstubAllGlobals();
});

describe('Workspace: opening', () => {
  it('reads the file, skims it, and ends with a ready status and nothing in progress', async () => {
    const opening = workspace.openFile(video(), 'talk.mp4');
    expect(workspace.state.video).toMatchObject({ name: 'talk.mp4', file: null });
    expect(workspace.state.status).toBe('Reading talk.mp4…');
    await opening;
    expect(workspace.state.video?.file).toBe(d.files[0]!.file);
    expect(workspace.state.progress.map((row) => row.id)).toEqual(['skim']);
    await vi.waitFor(() => expect(workspace.state.status).toMatch(/^Ready: skimmed 128 frames\./));
    expect(workspace.state).toMatchObject({ askable: true, asking: false, progress: [], alert: null });
    expect(workspace.state.transcript).toMatchObject({ duration: 700, coveredSeconds: 0 });
  });

  it('at Ready, says what the first question downloads; offline, that questions use the speech', async () => {
    await openAndSkim();
    await vi.waitFor(() =>
      expect(workspace.state.status).toMatch(/^Ready: skimmed \d+ frames\. The first question downloads .+ \(\d+ (MB|GB)\)\./),
    );
    vi.stubGlobal('navigator', { onLine: false });
    await openAndSkim('second.mp4');
    await vi.waitFor(() =>
      expect(workspace.state.status).toMatch(/^Ready: skimmed \d+ frames\. Questions are answered from the speech: the vision model \(.+\) is not stored and the page is offline\.$/),
    );
  });

  it("skims as the chosen orchestrator's Stage 1 takes it: a Qwen3-VL SAGE-MM 128 larger frames, others one a second", async () => {
    await workspace.dispose();
    make(20);
    // No WebGPU: the chooser's VLM is Qwen3.5 0.8B, fed as the release feeds its Qwen2.5-VL SAGE-MM.
    await openAndSkim();
    expect(d.skims.at(-1)).toMatchObject({ count: 20, maxSide: 384 });
    workspace.configure({ model: 'sage-mm-qwen3-vl-4b' });
    await openAndSkim('third.mp4');
    expect(d.skims.at(-1)).toMatchObject({ count: 128, maxSide: 512 });
  });

  it('of two overlapping opens the later wins, and the earlier file is closed once read', async () => {
    const revoked: string[] = [];
    const revoke = vi.spyOn(URL, 'revokeObjectURL').mockImplementation((url) => void revoked.push(url));
    d.holdNextOpen = () => {};
    const first = workspace.openFile(video('first.mp4'), 'first.mp4');
    const firstUrl = workspace.state.video!.url;
    const release = d.holdNextOpen;
    d.holdNextOpen = null;
    const second = workspace.openFile(video('second.mp4'), 'second.mp4');
    release();
    await Promise.all([first, second]);
    expect(workspace.state.video?.name).toBe('second.mp4');
    expect(d.files.map((file) => [file.name, file.disposed])).toEqual([
      ['second.mp4', false],
      ['first.mp4', true],
    ]);
    expect(revoked).toContain(firstUrl);
    expect(revoked).not.toContain(workspace.state.video!.url);
    revoke.mockRestore();
  });

  it('a file that cannot be read ends with no video, an alert, and an open error', async () => {
    d.failNextOpen = new AppError('not-media', 'This is not a video.');
    await workspace.openFile(video(), 'notes.mp4');
    expect(workspace.state.video).toBeNull();
    expect(workspace.state.alert?.code).toBe('not-media');
    expect(errors).toEqual([{ error: workspace.state.alert, during: 'open' }]);
    expect(workspace.state.status).toBe('');
  });

  it('a URL asked for twice while it is fetched is fetched once', async () => {
    const fetched: string[] = [];
    vi.stubGlobal('fetch', async (url: string) => {
      fetched.push(url);
      return new Response(new Uint8Array(4096));
    });
    await Promise.all([workspace.openUrl('/videos/a%20talk.mp4', 'http://site.test/'), workspace.openUrl('/videos/a%20talk.mp4', 'http://site.test/')]);
    expect(fetched).toEqual(['/videos/a%20talk.mp4']);
    expect(workspace.state.video).toMatchObject({ name: 'a talk.mp4', url: '/videos/a%20talk.mp4' });
  });

  it('of two URLs fetched at once the later wins, and a fetch ending after dispose reports nothing', async () => {
    const answers = new Map<string, (response: Response) => void>();
    vi.stubGlobal('fetch', (url: string) => new Promise<Response>((answer) => answers.set(url, answer)));
    const first = workspace.openUrl('/a.mp4', 'http://site.test/');
    const second = workspace.openUrl('/b.mp4', 'http://site.test/');
    answers.get('/b.mp4')!(new Response(new Uint8Array(4096)));
    await second;
    answers.get('/a.mp4')!(new Response(new Uint8Array(4096)));
    await first;
    expect(workspace.state.video?.name).toBe('b.mp4');
    expect(d.files).toHaveLength(1);
    const third = workspace.openUrl('/c.mp4', 'http://site.test/');
    await workspace.dispose();
    answers.get('/c.mp4')!(new Response('gone', { status: 500 }));
    await third;
    expect(errors).toEqual([]);
  });

  it('a URL that answers 404 ends with an alert saying so', async () => {
    vi.stubGlobal('fetch', async () => new Response('missing', { status: 404 }));
    await workspace.openUrl('/no/such.mp4', 'http://site.test/');
    expect(workspace.state.alert?.message).toBe('The video at /no/such.mp4 could not be fetched (404).');
    expect(workspace.state.status).toBe('');
  });
});

describe('Workspace: questions', () => {
  it('answers with the transcript tool: steps as events, evidence and the transcript in state', async () => {
    await openAndSkim();
    workspace.configure({
      orchestrator: new ScriptedModel([stage1Call('verbal_transcript', { timestamp_start: '00:00:00', timestamp_end: '00:00:30' }), stage2Answer('Hello.')]),
    });
    const started: string[] = [];
    workspace.on('run-start', (run) => started.push(run.question));
    await workspace.ask('  What is said?  ');
    expect(started).toEqual(['What is said?']);
    expect(steps.at(-1)).toMatchObject({ type: 'answer', answer: 'Hello.' });
    expect(workspace.state.evidence).toEqual((steps.at(-1) as Extract<AgentEvent, { type: 'answer' }>).spans);
    expect(workspace.state.transcript.segments).toEqual([{ start: 1, end: 2, text: 'said at 0' }]);
    expect(states.some((state) => state.asking)).toBe(true);
    expect(workspace.state.asking).toBe(false);
  });

  it('with no vision model loadable, answers from the speech, tries that model once, and again only on "Retry with vision"', async () => {
    let vlmLoads = 0;
    d.factories.vlm = () => {
      vlmLoads++;
      return {
        load: async () => {
          throw new AppError('offline', 'Qwen3.5 0.8B is not stored in this browser, and this page is offline, so it cannot reach the Hub.');
        },
        dispose: async () => {},
      } as unknown as ReturnType<EngineFactories['vlm']>;
    };
    await openAndSkim();
    workspace.configure({ model: 'qwen3.5-0.8b' });
    await workspace.ask('When is it said?');
    const answer = steps.at(-1) as Extract<AgentEvent, { type: 'answer' }>;
    expect(answer.answer).toMatch(/^From the speech only: the frames were not looked at because the vision model \(Qwen3.5 0.8B, 703 MB\) is not stored and the page is offline\./);
    expect(answer.answer).toContain('[00:01] “said at 0”');
    expect(answer.speechOnly?.complete).toBe(false);
    expect(workspace.state.transcript.segments[0]).toEqual({ start: 1, end: 2, text: 'said at 0' });
    expect(vlmLoads).toBe(1);
    await workspace.ask('When is it said?');
    expect(vlmLoads).toBe(1);
    expect(steps.at(-1)).toMatchObject({ type: 'answer', speechOnly: { reason: expect.stringContaining('is not stored and the page is offline') } });
    await workspace.retryWithVision('When is it said?');
    expect(vlmLoads).toBe(2);
    expect(errors).toEqual([]);
  });

  it('"speech only" chosen answers from the speech without loading the vision model', async () => {
    let vlmLoads = 0;
    d.factories.vlm = () => {
      vlmLoads++;
      throw new Error('not loaded');
    };
    await openAndSkim();
    workspace.configure({ speechOnly: true });
    await workspace.ask('When is it said?');
    expect(steps.at(-1)).toMatchObject({ type: 'answer', speechOnly: { reason: 'you chose to answer from the speech only' } });
    expect(vlmLoads).toBe(0);
  });

  it('ignores a second question while one runs, and Stop ends the run without an error', async () => {
    await openAndSkim();
    let asked = 0;
    workspace.configure({
      orchestrator: {
        generate: (request) => {
          asked++;
          return new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(new AppError('cancelled', 'Stopped.'))));
        },
      },
    });
    const run = workspace.ask('first');
    await vi.waitFor(() => expect(asked).toBe(1));
    await workspace.ask('second');
    expect(asked).toBe(1);
    workspace.stop();
    await run;
    expect(workspace.state.asking).toBe(false);
    expect(errors).toEqual([]);
    expect(workspace.state.alert).toBeNull();
  });

  it("a run of a video closed meanwhile shows nothing of itself on the next video", async () => {
    await openAndSkim('first.mp4');
    let reply = (_: string): void => {};
    workspace.configure({ orchestrator: { generate: () => new Promise<string>((resolve) => (reply = resolve)) } });
    const run = workspace.ask('What happens?');
    await vi.waitFor(() => expect(steps.some((event) => event.type === 'stage-started')).toBe(true));
    const opening = workspace.openFile(video('second.mp4'), 'second.mp4');
    const before = steps.length;
    reply(stage1Answer('Something.'));
    await Promise.all([opening, run]);
    await vi.waitFor(() => expect(workspace.state.status).toMatch(/^Ready/));
    expect(steps.slice(before)).toEqual([]);
    expect(workspace.state).toMatchObject({ asking: false, evidence: [], alert: null });
    expect(workspace.state.status).toBe('Ready: skimmed 128 frames.');
  });

  it('a skim answer needs no tools and shows no evidence', async () => {
    await openAndSkim();
    workspace.configure({ orchestrator: new ScriptedModel([stage1Answer('A cake.')]) });
    await workspace.ask('What is baked?');
    expect(steps.at(-1)).toMatchObject({ type: 'answer', answer: 'A cake.' });
    expect(d.transcribed).toEqual([]);
  });
});

describe('Workspace: transcribe all', () => {
  it('works through the video in windows, shows progress, and keeps the transcript', async () => {
    await openAndSkim();
    await workspace.transcribeAll();
    // Each window is heard from a little before it (CONTEXT_BEFORE_SECONDS).
    expect(d.transcribed.map(([start]) => start)).toEqual([0, TRANSCRIBE_WINDOW_SECONDS - 2, 2 * TRANSCRIBE_WINDOW_SECONDS - 2]);
    expect(states.some((state) => state.transcribing && state.progress.some((row) => row.id === 'transcribe' && row.unit === 'seconds'))).toBe(true);
    expect(workspace.state).toMatchObject({ transcribing: false, progress: [], status: 'The whole video is transcribed.' });
    expect(workspace.state.transcript.coveredSeconds).toBe(700);
    await vi.waitFor(() => expect([...store.saved.values()][0]?.covered).toEqual([{ start: 0, end: 700 }]));
  });

  it('Stop ends it after the window under way, without an error', async () => {
    await openAndSkim();
    d.onTranscribe = () => workspace.stopTranscribing();
    await workspace.transcribeAll();
    expect(d.transcribed).toHaveLength(1);
    expect(workspace.state.transcribing).toBe(false);
    expect(errors).toEqual([]);
  });

  it('text of the old model that arrives after the speech model changed is not kept', async () => {
    await openAndSkim();
    d.onTranscribe = () => workspace.configure({ speech: 'whisper-tiny' });
    await workspace.transcribeAll();
    expect(d.transcribed).toHaveLength(1);
    expect(workspace.state.transcript).toMatchObject({ coveredSeconds: 0, segments: [] });
    await new Promise((done) => setTimeout(done, 20));
    expect(store.saved.size).toBe(0);
  });

  it('another speech model starts the transcript over under its own key; the first comes back', async () => {
    await openAndSkim();
    await workspace.transcribeAll();
    await vi.waitFor(() => expect(store.saved.size).toBe(1));
    const [baseKey] = [...store.saved.keys()];
    workspace.configure({ speech: 'whisper-tiny' });
    expect(workspace.state.transcript.coveredSeconds).toBe(0);
    d.transcribed = [];
    await workspace.transcribeAll();
    expect(d.transcribed).toHaveLength(3);
    expect(d.speechLoads).toBe(2);
    await vi.waitFor(() => expect(store.saved.size).toBe(2));
    expect(store.saved.get(baseKey!)?.covered).toEqual([{ start: 0, end: 700 }]);
    workspace.configure({ speech: null });
    await vi.waitFor(() => expect(workspace.state.transcript.coveredSeconds).toBe(700));
  });
});

describe('Workspace: forgetting a transcript', () => {
  it('empties it here and in storage, so opening the file again starts over; later text is kept again', async () => {
    await openAndSkim();
    await workspace.transcribeAll();
    await vi.waitFor(() => expect(store.saved.size).toBe(1));
    await workspace.forgetTranscript();
    expect(workspace.state.transcript).toMatchObject({ coveredSeconds: 0, segments: [] });
    expect(store.saved.size).toBe(0);
    await openAndSkim();
    expect(workspace.state.transcript.coveredSeconds).toBe(0);
    await workspace.transcribeAll();
    await vi.waitFor(() => expect([...store.saved.values()][0]?.covered).toEqual([{ start: 0, end: 700 }]));
  });
});

describe('Workspace: settings and dispose', () => {
  it('a model named by the host is the one in use; absent, the chooser picks once asked', async () => {
    workspace.configure({ model: 'tiny-random-qwen2.5-vl' });
    expect(workspace.state.models.vlmId).toBe('tiny-random-qwen2.5-vl');
    workspace.configure({ model: null });
    const report = await workspace.deviceReport();
    expect(report.capabilities.webgpu.available).toBe(false);
    expect(report.notes.length).toBeGreaterThan(0);
    expect(workspace.state.models.vlmId).not.toBe('tiny-random-qwen2.5-vl');
  });

  it('tools named by the host are the only ones offered to videos opened afterwards', async () => {
    workspace.configure({ tools: 'verbal_transcript, no_such_tool' });
    await openAndSkim();
    const model = new ScriptedModel([stage1Answer('Fine.')]);
    workspace.configure({ orchestrator: model });
    await workspace.ask('Anything?');
    expect(model.requests[0]!.prompt).toContain('verbal_transcript');
    expect(model.requests[0]!.prompt).not.toContain('identify_timestamps_visually');
  });

  it('dispose releases the player first, closes the file and the workers, and is idempotent', async () => {
    const order: string[] = [];
    make(700, async () => {
      order.push(`release (file open: ${!d.files[0]!.disposed})`);
    });
    await openAndSkim();
    await workspace.dispose();
    await workspace.dispose();
    await vi.waitFor(() => expect(d.files[0]!.disposed).toBe(true));
    expect(order).toEqual(['release (file open: true)']);
    expect(d.mediaDisposed).toBe(true);
    expect(store.disposed).toBe(true);
    await expect(workspace.openFile(video(), 'again.mp4')).rejects.toMatchObject({ code: 'disposed' });
  });
});
