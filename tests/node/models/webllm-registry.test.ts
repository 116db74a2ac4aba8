/**
 * The registry's web-llm entries against web-llm's own list of prebuilt models (the package the
 * app ships), so a web-llm upgrade that renames a build, moves its library or changes its memory
 * figure fails here instead of at load time in someone's browser.
 */
import { prebuiltAppConfig } from '@mlc-ai/web-llm';
import { describe, expect, it } from 'vitest';
import { MODELS, type MlcDtype } from '../../../src/models/registry';

const mlcEntries = MODELS.filter((entry) => entry.source.kind === 'mlc');

function record(modelId: string) {
  return prebuiltAppConfig.model_list.find((candidate) => candidate.model_id === modelId);
}

describe("web-llm entries agree with web-llm's prebuiltAppConfig", () => {
  it('lists a reasoner smaller than Qwen2.5 3B for GPUs with little memory, with and without shader-f16', () => {
    expect(mlcEntries.length).toBeGreaterThan(2);
    const smallest = (dtype: MlcDtype) =>
      Math.min(...mlcEntries.map((entry) => (entry.source.kind === 'mlc' ? (entry.source.builds[dtype]?.vramMB ?? Infinity) : Infinity)));
    expect(smallest('q4f16_1')).toBeLessThan(1000);
    expect(smallest('q4f32_1')).toBeLessThan(1200);
  });

  for (const entry of mlcEntries) {
    it(`${entry.id}: ids, libraries and memory are web-llm's`, () => {
      if (entry.source.kind !== 'mlc') return;
      const profile = entry.devices.webgpu!;
      for (const [dtype, build] of Object.entries(entry.source.builds)) {
        const prebuilt = record(build.modelId);
        expect(prebuilt, build.modelId).toBeDefined();
        expect(build.modelId.includes(dtype), build.modelId).toBe(true);
        expect(prebuilt!.model_lib.split('/').at(-1)).toBe(build.modelLib);
        expect(prebuilt!.vram_required_MB).toBe(build.vramMB);
        // webllm-client.ts runs every build with a 4096-token context.
        expect(prebuilt!.overrides?.context_window_size).toBe(4096);
        expect(prebuilt!.model).toBe(`https://huggingface.co/mlc-ai/${build.modelId}`);
        // A build for GPUs without shader-f16 must not need it.
        if (dtype === 'q4f32_1') expect(prebuilt!.required_features ?? []).not.toContain('shader-f16');
      }
      expect(profile.memoryMB).toBe(Math.ceil(entry.source.builds.q4f16_1!.vramMB));
      expect(profile.memoryWithoutF16MB).toBe(Math.ceil(entry.source.builds.q4f32_1!.vramMB));
    });
  }

  it('marks as thinking models exactly the Qwen3 builds, whose template web-llm can close (enable_thinking)', () => {
    for (const entry of mlcEntries) {
      if (entry.source.kind !== 'mlc') continue;
      expect(entry.source.thinks === true, entry.id).toBe(entry.family === 'qwen3');
    }
  });
});
