/**
 * Time per stage of one question, from the page's timestamped events. A model call runs from its
 * `stage-started` to the next event (its tool call, answer or note); a tool from `tool-called` to
 * its `tool-result`. Whatever precedes Stage 1 is the wait for the skim.
 */
import type { StageSeconds, TimedEvent } from './records';

const seconds = (ms: number) => Math.round(ms) / 1000;

export function stageSeconds(openMs: number, events: readonly TimedEvent[]): StageSeconds {
  const totals = { skim: 0, stage1: 0, stage2: 0 };
  const tools: Record<string, number> = {};
  let model: { stage: 1 | 2; since: number } | null = null;
  const running = new Map<string, { name: string; since: number }>();
  for (const event of events) {
    if (model) {
      totals[model.stage === 1 ? 'stage1' : 'stage2'] += event.t - model.since;
      model = null;
    }
    if (event.type === 'stage-started') {
      if (event.stage === 1) totals.skim = event.t;
      model = { stage: event.stage ?? 2, since: event.t };
    } else if (event.type === 'tool-called' && event.label) {
      running.set(event.label, { name: event.name ?? event.label, since: event.t });
    } else if (event.type === 'tool-result' && event.label) {
      const call = running.get(event.label);
      if (call) tools[call.name] = (tools[call.name] ?? 0) + event.t - call.since;
      running.delete(event.label);
    }
  }
  const last = events.length > 0 ? events[events.length - 1]!.t : 0;
  return {
    open: seconds(openMs),
    skim: seconds(totals.skim),
    stage1: seconds(totals.stage1),
    stage2: seconds(totals.stage2),
    tools: Object.fromEntries(Object.entries(tools).map(([name, ms]) => [name, seconds(ms)])),
    total: seconds(openMs + last),
  };
}
