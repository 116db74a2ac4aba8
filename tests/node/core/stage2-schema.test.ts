import { describe, expect, it } from 'vitest';
import { toolDefinitions } from '../../../src/core/protocol';
import { stage2Schema, type ConstraintSchema } from '../../../src/core/stage2-schema';

describe('stage2Schema', () => {
  const offline = stage2Schema(toolDefinitions({ includeWebTools: false }));

  it('has the protocol fields, in protocol order, all required and closed', () => {
    expect(Object.keys(offline.properties!)).toEqual(['answerable', 'final_answer', 'recommended_tools']);
    expect(offline.required).toEqual(['answerable', 'final_answer', 'recommended_tools']);
    expect(offline.additionalProperties).toBe(false);
    expect(offline.properties!.answerable).toMatchObject({
      properties: { verdict: { type: 'boolean' }, reasoning: { type: 'string' } },
      required: ['verdict', 'reasoning'],
    });
    expect(offline.properties!.final_answer).toEqual({ anyOf: [{ type: 'string' }, { type: 'null' }] });
    expect(Object.keys(offline.properties!.recommended_tools!.properties!)).toEqual(['needed', 'why_no_tool', 'tool_calls']);
  });

  it('allows exactly the offered tools, each with its own arguments and required names', () => {
    const calls = offline.properties!.recommended_tools!.properties!.tool_calls!.items!.anyOf!;
    expect(calls.map((call) => call.properties!.name!.const)).toEqual([
      'verbal_transcript',
      'identify_timestamps_visually',
      'extract_parts_from_timestamp',
      'perform_reasoning',
    ]);
    const extract = calls[2]!.properties!.arguments!;
    expect(extract.required).toEqual(['video_path', 'timestamp_start', 'timestamp_end']);
    expect(extract.additionalProperties).toBe(false);
    expect(extract.properties!.extract_type).toEqual({ type: 'string', enum: ['frames', 'subclips'] });
    const withWeb = stage2Schema(toolDefinitions({ includeWebTools: true }));
    expect(withWeb.properties!.recommended_tools!.properties!.tool_calls!.items!.anyOf).toHaveLength(6);
  });

  it('drops defaults everywhere (a grammar cannot apply them) and is plain JSON', () => {
    const text = JSON.stringify(stage2Schema(toolDefinitions({ includeWebTools: true })));
    expect(text).not.toMatch(/"default"/);
    expect(JSON.parse(text)).toEqual(stage2Schema(toolDefinitions({ includeWebTools: true })));
  });

  it('with no tools, a tool call can only be an empty object', () => {
    const none = stage2Schema([]);
    const items: ConstraintSchema | undefined = none.properties!.recommended_tools!.properties!.tool_calls!.items;
    expect(items).toEqual({ type: 'object', properties: {}, additionalProperties: false });
  });
});
