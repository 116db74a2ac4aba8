import { describe, expect, it } from 'vitest';
import { parseReleasePack, pythonJson, pythonRepr, releasePromptStyle } from '../../../src/agent/release-prompts';
import { TOOL_NAMES, toolDefinitions } from '../../../src/core/protocol';
import { runAgent } from '../../../src/agent/run-agent';
import type { AgentEvent } from '../../../src/agent/events';
// Written by models/export from models/tiny/release-stand-in (the release's layout, our words).
import pack from '../../../models/tiny/tiny-random-qwen2_5_vl/sage_prompts.json';
import { ScriptedModel, makeVideo, offlineTools, stage1Call, stage2Answer } from './doubles';

const window = (start: string, end: string) => ({ video_path: 'cooking.mp4', timestamp_start: start, timestamp_end: end });

const offline = toolDefinitions({ includeWebTools: false });
const style = releasePromptStyle(parseReleasePack(pack)!);

describe('the release prompt pack', () => {
  it('is read from what the export tool writes, and anything else is refused', () => {
    expect(parseReleasePack(pack)?.tools.map((tool) => tool.name)).toEqual([...TOOL_NAMES]);
    expect(parseReleasePack({ ...pack, format: 2 })).toBeNull();
    expect(parseReleasePack({ format: 1 })).toBeNull();
    expect(parseReleasePack('text')).toBeNull();
  });

  it('Stage 1: tools as one JSON schema per line in the system message; question and video line in the user message', () => {
    const { system, prompt } = style.stage1({ question: 'Who wins?', videoName: 'match.mp4', durationSeconds: 3725.6, frameTimes: [], tools: offline });
    expect(prompt).toBe('Who wins?\nVideo Path: match.mp4 of duration 01:02:05.');
    const block = system!.slice(system!.indexOf('<tools>\n'), system!.indexOf('\n</tools>') + 9);
    const lines = block.split('\n').slice(1, -1);
    // Offline, the web tools are not offered; the others keep the pack's order and wording.
    expect(lines.map((line) => (JSON.parse(line) as { function: { name: string } }).function.name)).toEqual([
      'verbal_transcript',
      'identify_timestamps_visually',
      'extract_parts_from_timestamp',
      'perform_reasoning',
    ]);
    expect(lines[0]).toMatch(/^\{"type": "function", "function": \{"name": "verbal_transcript", "description": "Stand-in: transcribe/);
    expect(system).not.toContain('<<<');
  });

  it('Stage 2: previous call, context, query, video line and labelled results as Python values', () => {
    const { system, prompt } = style.stage2({
      question: 'Who wins?',
      videoName: 'match.mp4',
      durationSeconds: 600,
      videoContext: 'A football match.',
      step: 2,
      lastCall: { label: 'verbal_transcript_#1', arguments: { video_path: 'match.mp4', timestamp_start: '01:00', timestamp_end: '02:00' } },
      results: [
        { label: 'system_note_#1', output: 'The last reply gave neither a final answer nor a tool call.' },
        { label: 'verbal_transcript_#1', output: "It's 2-1.", arguments: {} },
      ],
      tools: offline,
    });
    expect(system).toContain('<tools>\n{"type": "function"');
    expect(prompt).toBe(
      [
        "Last call: verbal_transcript_#1 with arguments {'video_path': 'match.mp4', 'timestamp_start': '01:00', 'timestamp_end': '02:00'}",
        '',
        'Context: A football match.',
        'Query: Who wins?',
        'Video Path: match.mp4 of duration 00:10:00.',
        'Results so far:',
        "None_#1 output: 'The last reply gave neither a final answer nor a tool call.'",
        `verbal_transcript_#1 output: "It's 2-1."`,
        '',
        '',
      ].join('\n'),
    );
  });

  it('prints values as Python does', () => {
    expect(pythonRepr({ a: [1, 2.5, true, null], b: "it's" })).toBe(`{'a': [1, 2.5, True, None], 'b': "it's"}`);
    expect(pythonRepr('line\nbreak \\ \'"')).toBe(`'line\\nbreak \\\\ \\'"'`);
    expect(pythonJson({ a: [1, 'é'], b: { c: null } })).toBe('{"a": [1, "é"], "b": {"c": null}}');
  });

  it('a model whose files carry the pack gets the release prompts at both stages', async () => {
    const model = Object.assign(new ScriptedModel([stage1Call('verbal_transcript', window('00:00:00', '00:01:00')), stage2Answer('two')]), {
      promptPack: () => Promise.resolve(pack),
    });
    const events: AgentEvent[] = [];
    for await (const event of runAgent({ question: 'How many?', video: makeVideo(), models: { stage1: model }, tools: offlineTools().tools })) events.push(event);
    expect(events.at(-1)).toMatchObject({ type: 'answer', answer: 'two' });
    const [first, second] = model.requests;
    expect(first?.system).toContain('Stand-in first-stage instructions');
    expect(first?.prompt).toMatch(/^How many\?\nVideo Path: .* of duration \d\d:\d\d:\d\d\.$/);
    expect(second?.system).toContain('Stand-in step instructions');
    expect(second?.prompt).toMatch(/^Last call: verbal_transcript_#1 with arguments \{'video_path': /);
  });
});
