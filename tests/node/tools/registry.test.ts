import { describe, expect, it } from 'vitest';
import { collect, makeVideo, ScriptedModel, stage1Call, stage2Answer } from '../agent/doubles';
import { createToolRegistry, FrameStore, type WebSearchProvider } from '../../../src/tools';
import { webSearchTools } from '../../../src/tools/web-search';
import type { SpeechTranscriber } from '../../../src/core/contracts';
import { FakeExtractor, FakeVlm, context } from './fakes';

const whisper: SpeechTranscriber = {
  async transcribe(audio, options) {
    // Said at 31-32 s, whatever stretch around it was heard.
    const segments = [{ start: 31, end: 32, text: 'hello there' }].filter((s) => s.start >= options.offsetSeconds);
    return { segments, audioSeconds: audio.length, whisperSeconds: 1, speechRegions: [], vadSeconds: 0, asrSeconds: 0 };
  },
};

function media() {
  const extractor = new FakeExtractor();
  const audioCalls: { start: number; end: number }[] = [];
  return {
    audioCalls,
    extract: extractor.extract.bind(extractor),
    async audio(window: { start: number; end: number }) {
      audioCalls.push(window);
      return new Float32Array(16);
    },
  };
}

const provider: WebSearchProvider = {
  async search(query, { numResults }) {
    return Array.from({ length: numResults + 2 }, (_, i) => ({ title: `${query} ${i}`, snippet: 's', link: `https://e.org/${i}`, extra: 1 }));
  },
  async fetchPage(url) {
    return { title: 'Page', content: 'x'.repeat(100), url };
  },
};

describe('createToolRegistry', () => {
  it('has the four offline tools and no web tools without a provider', () => {
    const tools = createToolRegistry({ media: media(), whisper, vlm: new FakeVlm(() => ''), frameStore: new FrameStore() });
    expect(Object.keys(tools).sort()).toEqual(
      ['extract_parts_from_timestamp', 'identify_timestamps_visually', 'perform_reasoning', 'verbal_transcript'],
    );
  });

  it('adds both web tools when a provider is given', () => {
    const tools = createToolRegistry({ media: media(), whisper, vlm: new FakeVlm(() => ''), frameStore: new FrameStore(), webSearch: provider });
    expect(tools.unified_web_search).toBeDefined();
    expect(tools.parse_web_data).toBeDefined();
  });

  it('the agent offers web tools to the model only when they exist', async () => {
    for (const webSearch of [undefined, provider]) {
      const tools = createToolRegistry({ media: media(), whisper, vlm: new FakeVlm(() => ''), frameStore: new FrameStore(), webSearch });
      const model = new ScriptedModel([stage1Call('verbal_transcript', { timestamp_start: '0', timestamp_end: '10' }), stage2Answer('ok')]);
      await collect({ question: 'q', video: makeVideo(60), models: { stage1: model }, tools });
      expect(model.requests[0]?.prompt.includes('unified_web_search')).toBe(webSearch !== undefined);
      expect(model.requests[1]?.prompt.includes('parse_web_data')).toBe(webSearch !== undefined);
    }
  });

  it('extract then perform_reasoning share the frame store; the transcript is cached per video', async () => {
    const source = media();
    const vlm = new FakeVlm((request) => `saw ${request.images?.length ?? 0} frames`);
    const tools = createToolRegistry({ media: source, whisper, vlm, frameStore: new FrameStore() });
    const extracted = await tools.extract_parts_from_timestamp!.run(
      { video_path: 'v', timestamp_start: 0, timestamp_end: 9, extract_type: 'frames' },
      context(),
    );
    const ids = extracted.frames!.slice(0, 3).map((f) => f.id);
    const answer = await tools.perform_reasoning!.run({ query: 'what?', media_paths: ids }, context());
    expect(answer.text).toBe('answer: saw 3 frames');

    const window = { video_path: 'v', timestamp_start: 30, timestamp_end: 40 };
    const first = await tools.verbal_transcript!.run(window, context());
    expect(first.text).toBe('[00:00:31-00:00:32] hello there');
    expect(first.spans).toEqual([{ start: 31, end: 32 }]);
    await tools.verbal_transcript!.run(window, context());
    // Heard with 2 s of context before the window and 8 s after it, once.
    expect(source.audioCalls).toEqual([{ start: 28, end: 48 }]);
  });
});

describe('web tools', () => {
  const tools = webSearchTools(provider);

  it('unified_web_search returns at most num_results results with title, snippet and link', async () => {
    const output = await tools.unified_web_search.run({ query: 'cats', search_type: 'web', num_results: 2 }, context());
    expect(output.text).toMatch(/^results: /);
    const results = JSON.parse(output.text.replace(/^results: /, '')) as unknown[];
    expect(results).toEqual([
      { title: 'cats 0', snippet: 's', link: 'https://e.org/0' },
      { title: 'cats 1', snippet: 's', link: 'https://e.org/1' },
    ]);
  });

  it('parse_web_data returns title, content (cut to max_content_length) and url', async () => {
    const output = await tools.parse_web_data.run({ website_url: 'https://e.org/a', max_content_length: 10 }, context());
    expect(JSON.parse(output.text)).toEqual({ title: 'Page', content: 'x'.repeat(10), url: 'https://e.org/a' });
  });

  it('says so when the search finds nothing', async () => {
    const empty = webSearchTools({ ...provider, search: async () => [] });
    const output = await empty.unified_web_search.run({ query: 'zzz', search_type: 'web', num_results: 3 }, context());
    expect(output.text).toBe('No web results for "zzz".');
  });
});
