/**
 * The agent session of one open video: its tools, its orchestrator (the host's scripted model or
 * the VLM), Stage 2's model, and the skim plan of the VLM's family.
 */
import { AgentSession } from '../agent/session';
import type { GenerateRequest, ReasoningModel } from '../core/contracts';
import { AppError } from '../core/errors';
import type { MediaFile } from '../media/media-client';
import { mediaUses } from '../media/media-uses';
import type { TranscriptCache } from '../tools/transcript-cache';
import type { AgentEngines } from '../runtime/engines';
import { stage2Model } from '../runtime/stage2';
import type { ModelPicks } from './model-picks';
import type { VideoState, WorkspaceSettings } from './workspace-state';

export interface SessionVideo {
  state: VideoState & { file: MediaFile };
  transcriptCache: TranscriptCache;
  /** Ends the skim. */
  signal: AbortSignal;
}

export interface SessionContext {
  engines: AgentEngines;
  /** Read per call, so a setting changed after the drop is used at once. */
  settings: () => WorkspaceSettings;
  picks: ModelPicks;
  /** Tells the person something that is not an error (the reasoner fell back to the VLM). */
  notice: (text: string) => void;
}

export function openVideoSession(video: SessionVideo, { engines, settings, picks, notice }: SessionContext): Promise<AgentSession> {
  const { file } = video.state;
  // The orchestrator is looked up per call, so a model set after the drop is used at once.
  let opened: AgentSession | null = null;
  const current = (): ReasoningModel => {
    const model = settings().orchestrator ?? (opened ? engines.vlmOrchestrator(opened.skim) : null);
    if (!model) throw new AppError('internal', 'The video is still being skimmed.');
    return model;
  };
  const orchestrator: ReasoningModel = {
    generate: (request: GenerateRequest) => current().generate(request),
    // A SAGE-MM export's own prompts, when the orchestrator's files carry them.
    promptPack: async () => current().promptPack?.(),
  };
  const tools = engines.tools({
    file,
    frameStore: video.state.frames,
    transcriptCache: video.transcriptCache,
    webSearch: settings().webSearch,
    enabled: picks.enabledTools(),
  });
  const stage2 = stage2Model({
    override: () => settings().orchestrator,
    // With no override in place, `orchestrator` is the VLM.
    vlm: orchestrator,
    choice: () => picks.reasonerChoice(),
    loadReasoner: (plan) => engines.reasoner(plan, tools),
    onFallback: (error) => {
      engines.dropReasoner();
      notice(`${error.message} The vision-language model does the step-by-step reasoning instead.`);
    },
  });
  // A scripted orchestrator set by the host takes the default skim; the VLM its family's (the
  // default too when the choice cannot be made: the VLM's load then says why). A file with no
  // frames to skim waits for no choice.
  const skims = mediaUses(file.probe).frames && !settings().orchestrator;
  const skimPlan = skims ? engines.stage1VideoPlan().catch(() => undefined) : Promise.resolve(undefined);
  const session = skimPlan.then((plan) =>
    AgentSession.open({
      media: file,
      videoName: video.state.name,
      orchestrator: { kind: 'model', stage1: orchestrator, stage2 },
      tools,
      ...(plan ? { skimPlan: plan } : {}),
      signal: video.signal,
    }),
  );
  return session.then((value) => (opened = value));
}
