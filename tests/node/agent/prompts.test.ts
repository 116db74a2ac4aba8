import { describe, expect, it } from 'vitest';
import { buildStage1Prompt, buildStage2Prompt, metadataLine, type ToolResultEntry } from '../../../src/agent/prompts';
import { toolDefinitions } from '../../../src/core/protocol';

const tools = toolDefinitions({ includeWebTools: false });

describe('metadataLine', () => {
  it('names the video and its duration as HH:MM:SS', () => {
    expect(metadataLine('cooking.mp4', 4530)).toBe('Video: "cooking.mp4", duration 01:15:30.');
  });
});

describe('buildStage1Prompt', () => {
  const prompt = buildStage1Prompt({
    question: 'How many eggs go in?',
    videoName: 'cooking.mp4',
    durationSeconds: 1800,
    frameTimes: [0, 14, 28.2],
    tools,
  });

  it('holds F, M, T and Q', () => {
    expect(prompt).toContain('3 low-resolution frames');
    expect(prompt).toContain('00:00:00, 00:00:14, 00:00:28');
    expect(prompt).toContain('Video: "cooking.mp4", duration 00:30:00.');
    expect(prompt).toContain(JSON.stringify(tools));
    expect(prompt).toContain('Question: How many eggs go in?');
  });

  it('asks for one <json> object with the Stage-1 fields', () => {
    expect(prompt).toContain('<json> and </json>');
    for (const field of ['video_context', 'query_intent', 'final_answer', 'recommended_tools', 'needed', 'why_no_tool', 'tool_calls', 'rationale']) {
      expect(prompt).toContain(field);
    }
  });

  it('says when no frames are attached', () => {
    const noFrames = buildStage1Prompt({ question: 'q', videoName: 'a', durationSeconds: 0, frameTimes: [], tools });
    expect(noFrames).toContain('No frames');
  });
});

describe('buildStage2Prompt', () => {
  const results: ToolResultEntry[] = Array.from({ length: 12 }, (_, i) => ({
    label: `verbal_transcript_#${i + 1}`,
    output: `output ${i + 1}`,
    arguments: { timestamp_start: `00:0${i % 10}:00` },
  }));
  const base = {
    question: 'How many eggs go in?',
    videoName: 'cooking.mp4',
    durationSeconds: 1800,
    videoContext: 'A chef bakes a cake.',
    step: 3,
    tools,
  };

  it('holds the last call, the Stage-1 context, the question, the metadata and the Stage-2 fields', () => {
    const prompt = buildStage2Prompt({
      ...base,
      lastCall: { label: 'verbal_transcript_#2', arguments: { timestamp_start: '00:01:00' } },
      results: results.slice(0, 2),
    });
    expect(prompt).toContain('step 3 of at most 10');
    expect(prompt).toContain('The last step called verbal_transcript_#2 with {"timestamp_start":"00:01:00"}');
    expect(prompt).toContain('A chef bakes a cake.');
    expect(prompt).toContain('Question: How many eggs go in?');
    expect(prompt).toContain('Video: "cooking.mp4", duration 00:30:00.');
    expect(prompt).toContain('[verbal_transcript_#1] {"timestamp_start":"00:00:00"}\noutput 1');
    for (const field of ['answerable', 'verdict', 'reasoning', 'final_answer', 'recommended_tools', '<json>']) {
      expect(prompt).toContain(field);
    }
    expect(prompt).not.toContain('unified_web_search');
    expect(prompt).toContain('- extract_parts_from_timestamp(video_path, timestamp_start, timestamp_end, extract_type?)');
  });

  it('keeps only the 10 most recent results, oldest first, and says how many were left out', () => {
    const prompt = buildStage2Prompt({ ...base, lastCall: null, results });
    expect(prompt).toContain('The last step called no tool.');
    expect(prompt).toContain('2 older results left out');
    expect(prompt).not.toContain('[verbal_transcript_#1]');
    expect(prompt).not.toContain('[verbal_transcript_#2]');
    const shown = [...prompt.matchAll(/\[verbal_transcript_#(\d+)\]/g)].map((match) => Number(match[1]));
    expect(shown).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('shows notes without arguments', () => {
    const prompt = buildStage2Prompt({ ...base, lastCall: null, results: [{ label: 'system_note_#1', output: 'no call' }] });
    expect(prompt).toContain('[system_note_#1]\nno call');
  });
});
