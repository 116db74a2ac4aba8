/** What the eval page offers the harness as `window.sageEval` (eval/page/main.ts implements it). */
import type { JudgeInput, Verdict } from '../judge';
import type { PageAnswer } from '../records';
import type { ScriptedOrchestratorName } from '../scripted/orchestrators';

export interface AgentSetup {
  /** The built widget (dist/sage-agent.js); its models/ folder is found next to it. */
  widgetUrl: string;
  /** `<sage-agent>` attributes: `model`, `reasoner`, `speech` as the run chose them. */
  attributes: Record<string, string>;
  /** A scripted stand-in for the orchestrator, or null for the app's own VLM. */
  scripted: ScriptedOrchestratorName | null;
}

/** A web-llm registry id, or the scripted rules judge. */
export type JudgeChoice = { kind: 'webllm'; model: string } | { kind: 'rules' };

export type JudgeOutcome = { ok: true; verdict: Verdict; seconds: number } | { ok: false; message: string; seconds: number };

export interface SageEvalApi {
  setUpAgent(setup: AgentSetup): Promise<void>;
  /** Opens the file set in `#video` as `videoName`, asks `question`, and reports the run. */
  answer(request: { question: string; videoName: string }): Promise<PageAnswer>;
  /** `siteRoot`: where the app's models/ are served, for a web-llm judge the site serves. */
  setUpJudge(choice: JudgeChoice, siteRoot: string): Promise<void>;
  judge(input: JudgeInput): Promise<JudgeOutcome>;
}

declare global {
  interface Window {
    sageEval: SageEvalApi;
  }
}
