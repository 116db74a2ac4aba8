/** The agent's public surface: the loop, its events and inputs, and the protocol helpers others reuse. */
export { runAgent, SYSTEM_NOTE, UNKNOWN_TOOL, type AgentInput } from './run-agent';
export type * from './events';
export type * from '../core/contracts';
export * from '../core/protocol';
export { parseStage1Output, parseStage2Output, type ParseResult } from './parse-model-output';
export { repairJson } from './json-repair';
export { checkWindow, parseTimestamp, type TimestampResult, type WindowOptions, type WindowResult } from '../core/timestamps';
export { checkToolArguments, type ArgumentCheck, type ArgumentContext, type CheckedToolCall } from './tool-arguments';
export { buildStage1Prompt, buildStage2Prompt, metadataLine, type Stage1PromptInput, type Stage2PromptInput, type ToolResultEntry } from './prompts';
export { skimFrameCount } from '../media/frame-times';
export { AgentSession, skimModeFor, type AgentSessionOptions, type Orchestrator, type SkimSource } from './session';
export { VlmReasoningModel, type FrameImageSource, type VlmReasoningModelOptions } from './model-adapters';
