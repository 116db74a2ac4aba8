import { describe, expect, it } from 'vitest';
import { formatClock, formatFileProgress, formatSpan } from '../../../src/ui/format';
import { sizeOn } from '../../../src/ui/settings-panel';
import { getModel } from '../../../src/models/registry';

describe('UI formats', () => {
  it('shows clock times with padded minutes, hours only when needed', () => {
    expect(formatClock(0)).toBe('00:00');
    expect(formatClock(130.9)).toBe('02:10');
    expect(formatClock(3723)).toBe('1:02:03');
    expect(formatClock(-4)).toBe('00:00');
    expect(formatSpan(130, 280)).toBe('02:10–04:40');
    expect(formatSpan(5.2, 5.7)).toBe('00:05');
  });

  it('shows the progress of one file', () => {
    expect(formatFileProgress({ file: 'onnx/model.onnx', loaded: 1.5 * 1024 * 1024, total: 100 * 1024 * 1024 })).toBe(
      'onnx/model.onnx: 1.5 MB of 100 MB',
    );
  });

  it('gives each model its download size on the device it would use, saying which sizes are estimates', () => {
    expect(sizeOn(getModel('qwen2.5-vl-3b-instruct'), true)).toBe('about 2.5 GB');
    expect(sizeOn(getModel('qwen2.5-vl-3b-instruct'), false)).toBe('needs WebGPU');
    // Summed from the published files; a GPU without shader-f16 downloads the q4 files instead.
    expect(sizeOn(getModel('qwen3.5-0.8b'), true)).toBe('635 MB');
    expect(sizeOn(getModel('qwen3.5-0.8b'), true, undefined, false)).toBe('703 MB');
    // On the CPU the size comes with the rough time of a first look at a long video.
    expect(sizeOn(getModel('qwen3.5-0.8b'), false)).toBe('703 MB; on the CPU roughly 11–31 min a first look (estimate)');
    expect(sizeOn(getModel('smolvlm-256m-instruct'), false)).toBe('about 260 MB; on the CPU roughly 15–40 min a first look (estimate)');
    // Speech runs its bundled WASM copy unless the site serves the WebGPU build.
    expect(sizeOn(getModel('whisper-base'), true)).toBe('77 MB');
    expect(sizeOn(getModel('whisper-base'), true, { models: { 'whisper-base': ['fp32+q4'] } })).toBe('about 160 MB');
  });
});
