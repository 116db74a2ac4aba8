/** Fakes for the tool tests: frames, an extractor that records its calls, and a scripted VLM. */
import type { ExtractOptions, Frame } from '../../../src/media/types';
import type { ToolRunContext, VlmGenerateRequest, VlmGenerator } from '../../../src/core/contracts';

/** Stands in for an ImageBitmap (node has none) and records whether it was closed. */
export class FakeBitmap {
  closed = false;
  close(): void {
    this.closed = true;
  }
}

export function bitmap(): ImageBitmap & FakeBitmap {
  return new FakeBitmap() as unknown as ImageBitmap & FakeBitmap;
}

export function frameAt(timestamp: number, image: ImageBitmap | Blob = new Blob([`t=${timestamp}`])): Frame {
  return { requestedTime: timestamp, timestamp, width: 64, height: 36, image };
}

/** Gives the frames `extract` asks for (evenly spaced, both ends included), as bitmaps. */
export class FakeExtractor {
  readonly calls: ExtractOptions[] = [];
  readonly frames: Frame[] = [];

  async extract(options: ExtractOptions): Promise<Frame[]> {
    this.calls.push(options);
    const count = options.count ?? 10;
    const made = Array.from({ length: count }, (_, i) => {
      const time = count === 1 ? options.start : options.start + (i * (options.end - options.start)) / (count - 1);
      return frameAt(time, options.format === 'bitmap' ? bitmap() : new Blob([`t=${time}`]));
    });
    this.frames.push(...made);
    return made;
  }
}

export class FakeVlm implements VlmGenerator {
  readonly requests: VlmGenerateRequest[] = [];
  constructor(private readonly reply: (request: VlmGenerateRequest) => string) {}

  async generate(request: VlmGenerateRequest): Promise<string> {
    this.requests.push(request);
    const text = this.reply(request);
    request.onToken?.(text);
    return text;
  }
}

export function context(duration = 600): ToolRunContext {
  return { signal: new AbortController().signal, duration };
}
