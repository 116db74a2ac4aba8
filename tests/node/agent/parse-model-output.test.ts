import { describe, expect, it } from 'vitest';
import { parseStage1Output, parseStage2Output } from '../../../src/agent/parse-model-output';
import { repairJson } from '../../../src/agent/json-repair';

const STAGE2 = {
  answerable: { verdict: false, reasoning: 'Need the transcript.' },
  final_answer: null,
  recommended_tools: {
    needed: true,
    why_no_tool: '',
    tool_calls: [
      {
        rationale: 'Speech mentions it.',
        name: 'verbal_transcript',
        arguments: { video_path: 'v.mp4', timestamp_start: '00:01:00', timestamp_end: '00:02:00' },
      },
    ],
  },
};

describe('finding the JSON', () => {
  it('reads a <json> block surrounded by prose', () => {
    const result = parseStage2Output(`I think so.\n<json>${JSON.stringify(STAGE2)}</json>\nDone.`);
    expect(result).toEqual({ ok: true, value: STAGE2 });
  });

  it('reads a fenced ```json block without tags', () => {
    const result = parseStage2Output(`Here:\n\`\`\`json\n${JSON.stringify(STAGE2, null, 2)}\n\`\`\``);
    expect(result).toEqual({ ok: true, value: STAGE2 });
  });

  it('reads a code fence inside the <json> block', () => {
    const result = parseStage2Output(`<json>\n\`\`\`json\n${JSON.stringify(STAGE2)}\n\`\`\`\n</json>`);
    expect(result).toEqual({ ok: true, value: STAGE2 });
  });

  it('reads the only JSON object in plain text', () => {
    expect(parseStage2Output(`Answer: ${JSON.stringify(STAGE2)} -- end`)).toEqual({ ok: true, value: STAGE2 });
  });

  it('takes the last <json> block when there are several', () => {
    const first = { ...STAGE2, final_answer: 'draft' };
    const last = { ...STAGE2, final_answer: 'final' };
    const result = parseStage2Output(`<json>${JSON.stringify(first)}</json> wait <json>${JSON.stringify(last)}</json>`);
    expect(result.ok && result.value.final_answer).toBe('final');
  });

  it('ignores drafts inside <think>', () => {
    const draft = { ...STAGE2, final_answer: 'draft' };
    const result = parseStage2Output(`<think>${JSON.stringify(draft)}</think>${JSON.stringify(STAGE2)}`);
    expect(result.ok && result.value.final_answer).toBeNull();
  });

  it('says how to answer when there is no JSON at all', () => {
    const result = parseStage2Output('The chef adds two eggs.');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toContain('<json>');
  });
});

describe('repairing broken JSON', () => {
  const cases: Array<[string, string]> = [
    ['trailing commas', `{"answerable": {"verdict": false, "reasoning": "x",}, "final_answer": null, "recommended_tools": {"needed": false, "why_no_tool": "", "tool_calls": [],},}`],
    ['single quotes', `{'answerable': {'verdict': false, 'reasoning': 'it\\'s unclear, "maybe"'}, 'final_answer': null, 'recommended_tools': {'needed': false, 'why_no_tool': '', 'tool_calls': []}}`],
    ['unquoted keys', `{answerable: {verdict: false, reasoning: "x"}, final_answer: null, recommended_tools: {needed: false, why_no_tool: "", tool_calls: []}}`],
    ['Python literals', `{"answerable": {"verdict": False, "reasoning": "x"}, "final_answer": None, "recommended_tools": {"needed": False, "why_no_tool": "", "tool_calls": []}}`],
    ['missing closing braces', `{"answerable": {"verdict": false, "reasoning": "x"}, "final_answer": null, "recommended_tools": {"needed": false, "why_no_tool": "", "tool_calls": [`],
    ['comments', `{"answerable": {"verdict": false, // not yet\n "reasoning": "x"}, /* none */ "final_answer": null, "recommended_tools": {"needed": false, "why_no_tool": "", "tool_calls": []}}`],
  ];

  it.each(cases)('repairs %s', (_name, broken) => {
    expect(() => JSON.parse(broken) as unknown).toThrow();
    const result = parseStage2Output(`<json>${broken}</json>`);
    expect(result.ok).toBe(true);
    expect(result.ok && result.value.answerable.verdict).toBe(false);
    expect(result.ok && result.value.final_answer).toBeNull();
  });

  it('keeps the text of single-quoted strings, apostrophes and double quotes included', () => {
    const result = parseStage2Output(`<json>${cases[1]?.[1]}</json>`);
    expect(result.ok && result.value.answerable.reasoning).toBe(`it's unclear, "maybe"`);
  });

  it('closes a reply cut off inside a string', () => {
    const result = parseStage2Output('<json>{"answerable": {"verdict": true, "reasoning": "The speaker says two eg');
    expect(result.ok && result.value.answerable).toEqual({ verdict: true, reasoning: 'The speaker says two eg' });
  });

  it('closes a reply cut off after a key', () => {
    expect(JSON.parse(repairJson('{"a": [1, 2], "b"'))).toEqual({ a: [1, 2], b: null });
    expect(JSON.parse(repairJson('{"a": {"b":'))).toEqual({ a: { b: null } });
    expect(JSON.parse(repairJson('{"a": [1, 2,'))).toEqual({ a: [1, 2] });
  });

  it('closes brackets left open inside a closed object', () => {
    expect(JSON.parse(repairJson('{"a": [1, 2}'))).toEqual({ a: [1, 2] });
  });

  it('escapes raw newlines and stray quotes inside strings', () => {
    const fixed = repairJson('{"reasoning": "line one\nhe said "two eggs" here", "n": 1}');
    expect(JSON.parse(fixed)).toEqual({ reasoning: 'line one\nhe said "two eggs" here', n: 1 });
  });

  it('quotes a bare word value', () => {
    expect(JSON.parse(repairJson('{"final_answer": B}'))).toEqual({ final_answer: 'B' });
  });

  it('leaves valid JSON meaning the same', () => {
    const value = { a: 'x, "y": {z}', b: [1, -2.5e3, true, null], c: { 'd e': '\\u00e9 \n' } };
    expect(JSON.parse(repairJson(JSON.stringify(value)))).toEqual(value);
  });

  it('reports a reply it cannot repair, naming the format to use', () => {
    const result = parseStage2Output('<json>{"answerable": {"verdict": false "reasoning": "x"} "final_answer" null}</json>');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(/could not be read .*<json>/);
  });

  it('never throws, whatever the text', () => {
    const garbage = ['', '{', '}}}', '"', "'", '<json>', '<json></json>', '{"a": "\\', '[[[[', '{:}', '{,,,}', '{"a":1}}}', 'x'.repeat(10_000), '{'.repeat(5000), '\u0000{\u0001}'];
    for (const text of garbage) {
      expect(() => parseStage1Output(text)).not.toThrow();
      expect(() => parseStage2Output(text)).not.toThrow();
    }
  });
});

describe('validating Stage 1', () => {
  it('reads every field', () => {
    const value = {
      video_context: 'A chef bakes a cake.',
      query_intent: 'Which dish.',
      final_answer: 'A cake',
      recommended_tools: { needed: false, why_no_tool: 'Visible in the frames.', tool_calls: [] },
    };
    expect(parseStage1Output(`<json>${JSON.stringify(value)}</json>`)).toEqual({ ok: true, value });
  });

  it('fills what a terse reply leaves out and infers needed from the calls', () => {
    const result = parseStage1Output('{"final_answer": null, "recommended_tools": {"tool_calls": {"name": "Verbal_Transcript", "arguments": "{\\"timestamp_start\\": \\"00:00:00\\"}"}}}');
    expect(result).toEqual({
      ok: true,
      value: {
        video_context: '',
        query_intent: '',
        final_answer: null,
        recommended_tools: {
          needed: true,
          why_no_tool: '',
          tool_calls: [{ rationale: '', name: 'verbal_transcript', arguments: { timestamp_start: '00:00:00' } }],
        },
      },
    });
  });

  it('reads a numeric answer and an empty or "None" answer as null', () => {
    const answer = (final: unknown): unknown => {
      const result = parseStage1Output(JSON.stringify({ video_context: 'v', final_answer: final }));
      return result.ok ? result.value.final_answer : result.problem;
    };
    expect(answer(3)).toBe('3');
    expect(answer('  ')).toBeNull();
    expect(answer('None')).toBeNull();
  });

  it('rejects a final_answer that is not text', () => {
    const result = parseStage1Output('{"video_context": "v", "final_answer": {"a": 1}}');
    expect(!result.ok && result.problem).toContain('final_answer must be');
  });

  it('rejects a first tool call without a name', () => {
    const result = parseStage1Output('{"video_context": "v", "recommended_tools": {"needed": true, "tool_calls": [{"arguments": {}}]}}');
    expect(!result.ok && result.problem).toContain('tool_calls[0].name');
  });

  it('drops a broken later tool call, since only the first one runs', () => {
    const result = parseStage1Output('{"recommended_tools": {"needed": true, "tool_calls": [{"name": "perform_reasoning"}, 7]}}');
    expect(result.ok && result.value.recommended_tools.tool_calls.map((call) => call.name)).toEqual(['perform_reasoning']);
  });

  it('unwraps an object wrapped in a one-element list', () => {
    const result = parseStage1Output('<json>[{"video_context": "v", "final_answer": "x"}]</json>');
    expect(result.ok && result.value.final_answer).toBe('x');
  });

  it('rejects a JSON value that is not an object', () => {
    const result = parseStage1Output('<json>["a"]</json>');
    expect(!result.ok && result.problem).toContain('video_context');
  });
});

describe('validating Stage 2', () => {
  it('asks for answerable when it is missing', () => {
    const result = parseStage2Output('{"final_answer": "x"}');
    expect(!result.ok && result.problem).toContain('answerable is missing');
  });

  it('rejects a verdict that is not a yes or no', () => {
    const result = parseStage2Output('{"answerable": {"verdict": "maybe"}}');
    expect(!result.ok && result.problem).toContain('answerable.verdict must be true or false');
  });

  it('accepts a verdict written as a string or a bare boolean', () => {
    const asString = parseStage2Output('{"answerable": {"verdict": "True", "reasoning": "r"}, "final_answer": "x"}');
    expect(asString.ok && asString.value.answerable).toEqual({ verdict: true, reasoning: 'r' });
    const bare = parseStage2Output('{"answerable": true, "final_answer": "x"}');
    expect(bare.ok && bare.value.answerable.verdict).toBe(true);
  });

  it('rejects recommended_tools that is not an object', () => {
    const result = parseStage2Output('{"answerable": {"verdict": false}, "recommended_tools": "verbal_transcript"}');
    expect(!result.ok && result.problem).toContain('recommended_tools must be an object');
  });
});

describe('field variants seen in released SAGE-MM replies', () => {
  const call = { name: 'verbal_transcript', arguments: { video_path: 'v.mp4', timestamp_start: '55:10', timestamp_end: '57:08' } };

  it('no tool_calls when needed is false, and why_no_tool missing, null or spelled why_no_tool_calls', () => {
    for (const tools of [{ needed: false }, { needed: false, why_no_tool: null }, { needed: false, why_no_tool_calls: 'clear from the frames' }]) {
      const parsed = parseStage1Output(`<json>${JSON.stringify({ video_context: 'c', query_intent: 'q', final_answer: 'yes', recommended_tools: tools })}</json>`);
      expect(parsed.ok && parsed.value.recommended_tools.needed).toBe(false);
      expect(parsed.ok && parsed.value.recommended_tools.tool_calls).toEqual([]);
    }
    const spelled = parseStage1Output(`<json>${JSON.stringify({ video_context: 'c', query_intent: 'q', final_answer: 'yes', recommended_tools: { needed: false, why_no_tool_calls: 'clear from the frames' } })}</json>`);
    expect(spelled.ok && spelled.value.recommended_tools.why_no_tool).toBe('clear from the frames');
  });

  it('a misspelled or missing rationale, and several calls of which the first is kept first', () => {
    const reply = {
      answerable: { verdict: false, reasoning: 'need speech' },
      final_answer: null,
      recommended_tools: { needed: true, tool_calls: [{ rationle: 'speech', ...call }, { name: 'perform_reasoning', arguments: { query: 'q', media_paths: [] } }] },
    };
    const parsed = parseStage2Output(`<json>${JSON.stringify(reply)}</json>`);
    expect(parsed.ok && parsed.value.recommended_tools.tool_calls.map((c) => [c.name, c.rationale])).toEqual([
      ['verbal_transcript', ''],
      ['perform_reasoning', ''],
    ]);
  });

  it('needed true with no call parses (the loop then says no call was given)', () => {
    const parsed = parseStage2Output(`<json>${JSON.stringify({ answerable: { verdict: false, reasoning: '' }, final_answer: null, recommended_tools: { needed: true, why_no_tool: '' } })}</json>`);
    expect(parsed.ok && parsed.value.recommended_tools).toEqual({ needed: true, why_no_tool: '', tool_calls: [] });
  });
});
