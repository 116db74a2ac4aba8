/**
 * `unified_web_search` and `parse_web_data`, behind a provider the host page supplies. Without a
 * provider neither tool exists, and the agent leaves both out of the tools the model is offered.
 */
import type { ToolArguments, ToolOutput, ToolRunner } from '../core/contracts';

export interface WebSearchResult {
  title: string;
  snippet: string;
  link: string;
}

export interface WebPage {
  title: string;
  /** The page's readable text. */
  content: string;
  url: string;
}

export interface WebSearchProvider {
  search(query: string, options: { numResults: number; signal?: AbortSignal }): Promise<WebSearchResult[]>;
  fetchPage(url: string, options: { maxContentLength: number; signal?: AbortSignal }): Promise<WebPage>;
}

export interface WebTools {
  unified_web_search: ToolRunner<ToolArguments['unified_web_search']>;
  parse_web_data: ToolRunner<ToolArguments['parse_web_data']>;
}

export function webSearchTools(provider: WebSearchProvider): WebTools {
  return {
    unified_web_search: {
      async run(args, context): Promise<ToolOutput> {
        const found = await provider.search(args.query, { numResults: args.num_results, signal: context.signal });
        // A provider may return more than asked for; the model was promised num_results at most.
        const results = found.slice(0, args.num_results).map(({ title, snippet, link }) => ({ title, snippet, link }));
        if (results.length === 0) return { text: `No web results for ${JSON.stringify(args.query)}.` };
        return { text: `results: ${JSON.stringify(results, null, 1)}` };
      },
    },
    parse_web_data: {
      async run(args, context): Promise<ToolOutput> {
        const page = await provider.fetchPage(args.website_url, {
          maxContentLength: args.max_content_length,
          signal: context.signal,
        });
        const content = page.content.slice(0, args.max_content_length);
        return { text: JSON.stringify({ title: page.title, content, url: page.url }, null, 1) };
      },
    },
  };
}
