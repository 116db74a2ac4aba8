/**
 * Runs inside headless Chromium, driven by bench/run.ts (`soak`): the real workspace (as the
 * element runs it: media, Whisper and VLM workers) on the speech fixture, with the tiny test VLM
 * (models/tiny, WASM) answering question after question and "Transcribe all" (the transcript
 * forgotten first, so it really runs) between them. Node measures memory between rounds.
 */
import speechVideoUrl from '../tests/fixtures/media/speech.mp4?url';
import { TINY_TEST_VLM_ID } from '../src/models/registry';
import { Workspace } from '../src/workspace/workspace';
import { pageMemory } from './page-memory';
import { workspaceUntil } from './workspace-until';

const workspace = new Workspace();
const outcomes: string[] = [];
workspace.on('step', (event) => {
  if (event.type === 'answer' || event.type === 'gave-up' || event.type === 'error') outcomes.push(event.type);
});

const until = workspaceUntil(workspace);

const bench = {
  memory: pageMemory,

  async setUp() {
    // Whisper tiny between questions keeps 50 rounds affordable on two shared cores; the switches
    // afterwards load whisper-base too.
    workspace.configure({ model: TINY_TEST_VLM_ID, speech: 'whisper-tiny' });
    const blob = await (await fetch(speechVideoUrl)).blob();
    await workspace.openFile(blob, 'speech.mp4');
    await until(() => workspace.state.askable && /^Ready/.test(workspace.state.status));
    return { status: workspace.state.status };
  },

  /** One question (to its end, whatever it is), then the transcript forgotten and transcribed again. */
  async round(index: number) {
    outcomes.length = 0;
    const askStart = performance.now();
    await workspace.ask(`Question ${index}: what does the speaker say, and what is on screen?`);
    const askMs = performance.now() - askStart;
    const transcribeStart = performance.now();
    await workspace.forgetTranscript();
    await workspace.transcribeAll();
    const transcribeMs = performance.now() - transcribeStart;
    const stats = await workspace.state.video?.file?.stats();
    return {
      askMs,
      transcribeMs,
      outcome: outcomes.join(' ') || 'none',
      segments: workspace.state.transcript.segments.length,
      liveFrames: stats?.liveFrames ?? -1,
      openFiles: stats?.openFiles ?? -1,
      alert: workspace.state.alert?.message ?? null,
    };
  },

  /** Switches the speech model (the old one must be freed) and transcribes with the new one. */
  async switchSpeech(speech: string) {
    workspace.configure({ speech });
    await workspace.forgetTranscript();
    const start = performance.now();
    await workspace.transcribeAll();
    return { ms: performance.now() - start, speechId: workspace.state.models.speechId, segments: workspace.state.transcript.segments.length };
  },

  /** Loads the VLM from another source string (the same files), so the old engine must be freed, and asks once. */
  async switchVlmSource(source: string) {
    workspace.configure({ modelSource: source });
    const start = performance.now();
    await workspace.ask('After switching: what is on screen?');
    return { ms: performance.now() - start, vlm: workspace.state.models.vlm.state };
  },

  async tearDown() {
    await workspace.dispose();
  },
};

declare global {
  interface Window {
    soakBench: typeof bench;
  }
}

window.soakBench = bench;
document.title = 'ready';
