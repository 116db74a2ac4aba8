/**
 * The web-llm text reasoner in its own worker. web-llm's own handler serves its message protocol,
 * so the page's `WebWorkerMLCEngine` is a full `MLCEngineInterface` (streaming, interrupt, reload,
 * unload) and the adapter in `webllm-client.ts` works unchanged against an in-page `MLCEngine`.
 */
import { WebWorkerMLCEngineHandler } from '@mlc-ai/web-llm';

const handler = new WebWorkerMLCEngineHandler();
self.onmessage = (event: MessageEvent) => {
  handler.onmessage(event);
};
