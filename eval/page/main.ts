/**
 * The eval page: the browser side of `npm run eval`. It loads the built `<sage-agent>` widget from
 * dist/ (the app as shipped), asks each question through the element's own API (`openVideo`,
 * `ask`) and its events, and judges with a model that lives in this page.
 */
import type { AgentEvent, AnswerEvent, GaveUpEvent } from '../../src/agent/events';
import type { ReasoningModel } from '../../src/core/contracts';
import { describeError } from '../../src/core/errors';
import type { SageAgentElement, SageAgentErrorDetail } from '../../src/ui/sage-agent-element';
import { askJudge } from '../judge';
import type { TimedEvent, ToolCallRecord } from '../records';
import { scriptedOrchestrator } from '../scripted/orchestrators';
import { rulesJudge } from '../scripted/rules-judge';
import type { SageEvalApi } from './api';
import { canvasPixels } from './pixels';

let agent: { element: SageAgentElement; scripted: string | null } | null = null;
let judge: ReasoningModel | null = null;

function fileDuration(file: File): Promise<number | null> {
  const url = URL.createObjectURL(file);
  const video = document.createElement('video');
  video.preload = 'metadata';
  return new Promise<number | null>((done) => {
    video.onloadedmetadata = () => done(Number.isFinite(video.duration) ? video.duration : null);
    video.onerror = () => done(null);
    video.src = url;
  }).finally(() => URL.revokeObjectURL(url));
}

function timed(event: Exclude<AgentEvent, { type: 'token' }>, t: number): TimedEvent {
  const base: TimedEvent = { t, type: event.type };
  if (event.type === 'stage-started') return { ...base, stage: event.stage, step: event.step };
  if (event.type === 'tool-called') return { ...base, step: event.step, name: event.name, label: event.label };
  if (event.type === 'tool-result') return { ...base, step: event.step, name: event.name, label: event.label, isError: event.isError };
  return base;
}

const api: SageEvalApi = {
  async setUpAgent(setup) {
    await import(/* @vite-ignore */ setup.widgetUrl);
    await customElements.whenDefined('sage-agent');
    const element = document.createElement('sage-agent');
    for (const [name, value] of Object.entries(setup.attributes)) element.setAttribute(name, value);
    if (setup.scripted) element.orchestrator = scriptedOrchestrator(setup.scripted, canvasPixels);
    document.body.append(element);
    agent = { element, scripted: setup.scripted };
  },

  async answer({ question, videoName }) {
    if (!agent) throw new Error('setUpAgent first');
    const { element, scripted } = agent;
    const file = document.querySelector<HTMLInputElement>('#video')?.files?.[0];
    if (!file) throw new Error('no video in #video');
    const events: TimedEvent[] = [];
    const tools: ToolCallRecord[] = [];
    let last: AnswerEvent | GaveUpEvent | null = null;
    let failure: { code: string; message: string } | null = null;
    let askedAt = 0;
    const onStep = (e: Event) => {
      const event = (e as CustomEvent<AgentEvent>).detail;
      if (event.type === 'token' || event.type === 'work') return;
      events.push(timed(event, performance.now() - askedAt));
      if (event.type === 'tool-called') tools.push({ step: event.step, name: event.name, label: event.label, arguments: event.arguments, error: false });
      if (event.type === 'tool-result') {
        const call = tools.find((t) => t.label === event.label);
        if (call) call.error = event.isError;
      }
      if (event.type === 'answer' || event.type === 'gave-up') last = event;
      if (event.type === 'error') failure ??= { code: event.error.code, message: event.error.message };
    };
    const onError = (e: Event) => {
      const { error } = (e as CustomEvent<SageAgentErrorDetail>).detail;
      failure ??= { code: error.code, message: error.message };
    };
    element.addEventListener('sage-step', onStep);
    element.addEventListener('sage-error', onError);
    const durationSeconds = await fileDuration(file);
    const openedAt = performance.now();
    let openMs = 0;
    try {
      await element.openVideo(file, videoName);
      openMs = performance.now() - openedAt;
      if (!failure) {
        askedAt = performance.now();
        await element.ask(question);
      }
    } finally {
      element.removeEventListener('sage-step', onStep);
      element.removeEventListener('sage-error', onError);
    }
    // `ask` returns at once, with no events, for a file it will not take questions about.
    if (!last && !failure) failure = { code: 'not-askable', message: 'The app does not take questions about this file.' };
    const ended = last as AnswerEvent | GaveUpEvent | null;
    const models = {
      orchestrator: scripted ?? element.modelId,
      vlm: element.modelId,
      reasoner: element.getAttribute('reasoner'),
      speech: element.getAttribute('speech'),
    };
    const common = { tools, openMs, events, durationSeconds, models };
    if (ended?.type === 'answer') {
      return { ...common, outcome: 'answer', prediction: ended.answer, message: null, errorCode: null, singleTurn: ended.singleTurn, steps: ended.steps };
    }
    if (ended?.type === 'gave-up') {
      return { ...common, outcome: 'gave-up', prediction: null, message: ended.message, errorCode: null, singleTurn: false, steps: ended.steps };
    }
    const steps = events.filter((event) => event.type === 'stage-started' && event.stage === 2).length;
    const error = failure;
    return { ...common, outcome: 'error', prediction: null, message: error?.message ?? null, errorCode: error?.code ?? null, singleTurn: false, steps };
  },

  async setUpJudge(choice, siteRoot) {
    if (choice.kind === 'rules') {
      judge = rulesJudge();
      return;
    }
    // web-llm is large: only a run whose judge is web-llm loads it.
    const { loadWebLlmJudge } = await import('./webllm-judge');
    judge = await loadWebLlmJudge(choice.model, siteRoot, (progress) => console.log(`judge: ${progress.text}`));
  },

  async judge(input) {
    if (!judge) throw new Error('setUpJudge first');
    const started = performance.now();
    const seconds = () => Math.round(performance.now() - started) / 1000;
    try {
      const verdict = await askJudge(judge, input, new AbortController().signal);
      return { ok: true, verdict, seconds: seconds() };
    } catch (error) {
      return { ok: false, message: describeError(error), seconds: seconds() };
    }
  },
};

window.sageEval = api;
