import { describe, expect, it } from 'vitest';
import { WASM_SLOW_NOTE, chooseModels, wasmTimeNote, type ModelChoice } from '../../../src/models/chooser';
import { MODELS, getModel, mlcBuildFor } from '../../../src/models/registry';
import { device, GB, MB } from '../fixtures/devices';

function ids(choice: ReturnType<typeof chooseModels>) {
  return { vlm: choice.orchestrator.entry.id, reasoner: choice.reasoner?.entry.id ?? null, speech: choice.speech.entry.id };
}

describe('chooseModels', () => {
  it('desktop GPU with f16 and 8+ GB: the Qwen2.5-VL 3B orchestrator at q4f16 and Whisper base with fp32 encoder + q4 decoder', () => {
    const choice = chooseModels(device({ memoryGB: 8 }));
    expect(ids(choice)).toMatchObject({ vlm: 'qwen2.5-vl-3b-instruct', speech: 'whisper-base' });
    expect(choice.device).toBe('webgpu');
    expect(choice.orchestrator.cost.dtype).toBe('q4f16');
    expect(choice.speech.cost.dtype).toEqual({ encoder_model: 'fp32', decoder_model_merged: 'q4' });
    expect(choice.slow).toBe(false);
    expect(choice.totalMemoryMB).toBeLessThanOrEqual(choice.budgetMB);
  });

  it('adds the strongest text reasoner that fits when memory allows, and explains when none does', () => {
    const big = chooseModels(device({ memoryGB: 16 }));
    expect(big.reasoner?.entry.id).toBe('qwen2.5-7b-instruct-mlc');
    expect(big.reasoner?.cost.dtype).toBe('q4f16_1');
    const medium = chooseModels(device({ memoryGB: 10 }));
    expect(medium.reasoner?.entry.id).toBe('qwen2.5-3b-instruct-mlc');
    const eight = chooseModels(device({ memoryGB: 8 }));
    expect(eight.reasoner?.entry.id).toBe('qwen2.5-1.5b-instruct-mlc');
    const tiny = chooseModels(device({ memoryGB: 2 }));
    expect(tiny.reasoner).toBeNull();
    expect(tiny.notes.join(' ')).toMatch(/vision model also does the step-by-step reasoning/);
  });

  it('never picks f16 weights on a GPU without shader-f16: q4 VLM, q4f32 web-llm build, fp32 SmolVLM', () => {
    const choice = chooseModels(device({ memoryGB: 16, f16: false }));
    expect(choice.orchestrator.cost.dtype).toBe('q4');
    expect(choice.orchestrator.cost.memoryMB).toBe(4600);
    expect(choice.reasoner?.cost.dtype).toBe('q4f32_1');
    expect(mlcBuildFor(choice.reasoner!.entry, choice.reasoner!.cost.dtype)?.modelId).toBe('Qwen2.5-7B-Instruct-q4f32_1-MLC');
    const smol = chooseModels(device({ memoryGB: 16, f16: false }), { orchestrator: 'smolvlm-256m-instruct' });
    expect(smol.orchestrator.cost.dtype).toBe('fp32');
    for (const model of [choice.orchestrator, choice.speech, choice.reasoner!]) {
      expect(JSON.stringify(model.cost.dtype)).not.toMatch(/f16|fp16/);
    }
  });

  it('prefers a smaller VLM with a reasoner beside it to a larger VLM alone, and takes the larger one when the reasoner is off', () => {
    const choice = chooseModels(device({ memoryGB: 4 }));
    expect(ids(choice)).toEqual({ vlm: 'qwen3.5-0.8b', reasoner: 'qwen3-0.6b-mlc', speech: 'whisper-base' });
    // Qwen3.5 2B fits on its own, with no room left for any reasoner.
    expect(ids(chooseModels(device({ memoryGB: 4 }), { reasoner: null }))).toEqual({ vlm: 'qwen3.5-2b', reasoner: null, speech: 'whisper-base' });
    // An asked-for reasoner is the one room is kept for.
    const asked = chooseModels(device({ memoryGB: 4 }), { reasoner: 'llama-3.2-1b-instruct-mlc' });
    expect(ids(asked)).toMatchObject({ vlm: 'qwen3.5-0.8b', reasoner: 'llama-3.2-1b-instruct-mlc' });
    expect(asked.totalMemoryMB).toBeLessThanOrEqual(asked.budgetMB);
  });

  it('skips models whose largest buffer exceeds the adapter limits', () => {
    const choice = chooseModels(device({ memoryGB: 8, maxBuffer: 2 * GB, maxBinding: 512 * MB }));
    expect(choice.orchestrator.entry.id).toBe('qwen3.5-2b');
    const tiny = chooseModels(device({ memoryGB: 8, maxBuffer: 256 * MB, maxBinding: 128 * MB }));
    expect(tiny.orchestrator.entry.id).toBe('smolvlm-256m-instruct');
  });

  it('no WebGPU: the VLM estimated fastest on WASM, how slow it will be, and never a web-llm reasoner', () => {
    const choice = chooseModels(device({ webgpu: false, memoryGB: 8 }));
    expect(choice.device).toBe('wasm');
    expect(ids(choice)).toEqual({ vlm: 'qwen3.5-0.8b', reasoner: null, speech: 'whisper-tiny' });
    expect(choice.orchestrator.cost.dtype).toBe('q4');
    expect(choice.speech.cost.dtype).toBe('q8');
    expect(choice.slow).toBe(true);
    expect(choice.notes).toContain(WASM_SLOW_NOTE);
    expect(choice.notes).toContain(wasmTimeNote(choice.orchestrator));
    expect(wasmTimeNote(choice.orchestrator)).toMatch(/Qwen3\.5 0\.8B .* roughly 11–31 minutes .* estimate/);
    // SmolVLM downloads less but each frame is a 512-px image of its own: slower on the CPU (the chooser ranks by the fast end).
    const smol = getModel('smolvlm-256m-instruct').devices.wasm!;
    expect(smol.downloadMB).toBeLessThan(choice.orchestrator.cost.downloadMB);
    expect(smol.wasmSecondsPerAnswer![0]).toBeGreaterThan(getModel('qwen3.5-0.8b').devices.wasm!.wasmSecondsPerAnswer![0]);
    // Every WASM VLM the user may pick says how slow it is.
    const forced = chooseModels(device({ webgpu: false, memoryGB: 8 }), { orchestrator: 'smolvlm-256m-instruct' });
    expect(forced.notes.join(' ')).toMatch(/SmolVLM 256M Instruct on the CPU.* roughly 15–40 minutes/);
  });

  it('unknown device memory is treated as a modest machine', () => {
    const choice = chooseModels(device({ memoryGB: undefined }));
    expect(choice.budgetMB).toBe(3072);
    expect(choice.orchestrator.entry.id).toBe('qwen3.5-0.8b');
  });

  it('a software adapter runs on WebGPU but is flagged slow', () => {
    const choice = chooseModels(device({ memoryGB: 8, software: true, f16: false }));
    expect(choice.device).toBe('webgpu');
    expect(choice.slow).toBe(true);
    expect(choice.notes.join(' ')).toMatch(/software/);
  });

  it('honours overrides: a model that may not fit is kept with a warning, the reasoner can be turned off or on', () => {
    const forced = chooseModels(device({ memoryGB: 4 }), { orchestrator: 'qwen2.5-vl-3b-instruct', reasoner: 'qwen2.5-3b-instruct-mlc' });
    expect(ids(forced)).toMatchObject({ vlm: 'qwen2.5-vl-3b-instruct', reasoner: 'qwen2.5-3b-instruct-mlc' });
    expect(forced.notes.join(' ')).toMatch(/need about .* room for about/);
    const off = chooseModels(device({ memoryGB: 16 }), { reasoner: null });
    expect(off.reasoner).toBeNull();
    expect(off.notes).toEqual([]);
    const tiny = chooseModels(device({ memoryGB: 16 }), { speech: 'whisper-tiny' });
    expect(tiny.speech.entry.id).toBe('whisper-tiny');
  });

  it('explains overrides it cannot honour and falls back to the automatic choice', () => {
    const unknown = chooseModels(device({ memoryGB: 8 }), { orchestrator: 'nope' });
    expect(unknown.orchestrator.entry.id).toBe('qwen2.5-vl-3b-instruct');
    expect(unknown.notes.join(' ')).toMatch(/"nope" is not a known model/);
    const wrongRole = chooseModels(device({ memoryGB: 8 }), { orchestrator: 'whisper-base' });
    expect(wrongRole.notes.join(' ')).toMatch(/not a vision-language model/);
    const gpuOnly = chooseModels(device({ webgpu: false }), { reasoner: 'qwen2.5-3b-instruct-mlc', orchestrator: 'qwen2.5-vl-3b-instruct' });
    expect(gpuOnly.reasoner).toBeNull();
    expect(gpuOnly.orchestrator.entry.id).toBe('qwen3.5-0.8b');
    expect(gpuOnly.notes.join(' ')).toMatch(/cannot run without WebGPU/);
  });

  it('SAGE-MM is offered only with the location of its browser export', () => {
    const without = chooseModels(device({ memoryGB: 16 }), { orchestrator: 'sage-mm-qwen2.5-vl-7b' });
    expect(without.orchestrator.entry.id).toBe('qwen2.5-vl-3b-instruct');
    expect(without.notes.join(' ')).toMatch(/no browser build yet.*models\/README\.md/);
    const local = { kind: 'local', path: 'models/sage-mm-qwen2.5-vl-7b' } as const;
    const withExport = chooseModels(device({ memoryGB: 16 }), { orchestrator: 'sage-mm-qwen2.5-vl-7b', orchestratorSource: local });
    expect(withExport.orchestrator.entry.id).toBe('sage-mm-qwen2.5-vl-7b');
    expect(withExport.orchestrator.entry.source).toEqual(local);
    expect(withExport.orchestrator.cost.dtype).toBe('q4f16');
  });

  it('forceWasm switches a WebGPU machine to the WASM set (after a GPU failure)', () => {
    const choice = chooseModels(device({ memoryGB: 16 }), { forceWasm: true });
    expect(choice.device).toBe('wasm');
    expect(choice.reasoner).toBeNull();
    expect(choice.notes.join(' ')).toMatch(/as asked/);
  });

  it('prefers what the site serves itself, since that loads with no network', () => {
    const served = { models: { 'smolvlm-256m-instruct': ['fp16'], 'qwen2.5-3b-instruct-mlc': ['q4f16_1'] } };
    const choice = chooseModels(device({ memoryGB: 16 }), {}, { served });
    expect(ids(choice)).toMatchObject({ vlm: 'smolvlm-256m-instruct', reasoner: 'qwen2.5-3b-instruct-mlc' });
    // Served in a dtype this GPU cannot use (no shader-f16): the usual choice.
    expect(ids(chooseModels(device({ memoryGB: 16, f16: false }), {}, { served })).vlm).toBe('qwen2.5-vl-3b-instruct');
    // On WASM a served model comes before the smallest one.
    const wasm = chooseModels(device({ webgpu: false, memoryGB: 8 }), {}, { served: { models: { 'qwen2-vl-2b-instruct': ['q4'] } } });
    expect(wasm.orchestrator.entry.id).toBe('qwen2-vl-2b-instruct');
    // Overrides still win.
    expect(ids(chooseModels(device({ memoryGB: 16 }), { orchestrator: 'qwen2-vl-2b-instruct' }, { served })).vlm).toBe('qwen2-vl-2b-instruct');
  });

  it('SAGE-MM runs, and is preferred, once the site serves its export', () => {
    const served = { models: { 'sage-mm-qwen2.5-vl-7b': ['q4f16'] } };
    const choice = chooseModels(device({ memoryGB: 16 }), {}, { served });
    expect(choice.orchestrator.entry.id).toBe('sage-mm-qwen2.5-vl-7b');
    expect(choice.orchestrator.cost.dtype).toBe('q4f16');
    expect(chooseModels(device({ memoryGB: 16 }), { orchestrator: 'sage-mm-qwen2.5-vl-7b' }, { served }).notes).toEqual([]);
    // A q4f16-only export is of no use on a GPU without shader-f16.
    const noF16 = chooseModels(device({ memoryGB: 16, f16: false }), { orchestrator: 'sage-mm-qwen2.5-vl-7b' }, { served });
    expect(noF16.orchestrator.entry.id).toBe('qwen2.5-vl-3b-instruct');
    expect(noF16.notes.join(' ')).toMatch(/no browser build yet/);
  });

  it('of the served SAGE-MMs, takes the first in registry order that fits: the 4B where a browser reports 8 GB', () => {
    const all = ['sage-mm-qwen3-vl-8b', 'sage-mm-qwen2.5-vl-7b', 'sage-mm-qwen3-vl-4b'];
    const served = { models: Object.fromEntries(all.map((id) => [id, ['q4f16', 'q4']])) };
    expect(chooseModels(device({ memoryGB: 16 }), {}, { served }).orchestrator.entry.id).toBe('sage-mm-qwen3-vl-8b');
    // Chromium reports at most 8 GB: 6,144 MB for all models; with Whisper's 400 MB the 7B's 5,919 MB does not fit, the 4B's 3,960 MB does.
    const eight = chooseModels(device({ memoryGB: 8 }), {}, { served });
    expect(eight.orchestrator.entry.id).toBe('sage-mm-qwen3-vl-4b');
    expect(eight.orchestrator.entry.family).toBe('qwen3_vl');
    expect(eight.totalMemoryMB).toBeLessThanOrEqual(eight.budgetMB);
    // Without the larger exports served, the 4B is still the pick at 16 GB.
    const only4b = { models: { 'sage-mm-qwen3-vl-4b': ['q4f16'] } };
    expect(chooseModels(device({ memoryGB: 16 }), {}, { served: only4b }).orchestrator.entry.id).toBe('sage-mm-qwen3-vl-4b');
  });

  it("a SAGE-MM's 4-bit embedding keeps every buffer far below a 2-GB limit, so the 8B runs without shader-f16 too", () => {
    const all = ['sage-mm-qwen3-vl-8b', 'sage-mm-qwen2.5-vl-7b', 'sage-mm-qwen3-vl-4b'];
    const served = { models: Object.fromEntries(all.map((id) => [id, ['q4f16', 'q4']])) };
    const limit = 2 * GB - 4;
    const withF16 = chooseModels(device({ memoryGB: 16, maxBinding: limit }), {}, { served });
    expect(withF16.orchestrator.entry.id).toBe('sage-mm-qwen3-vl-8b');
    expect(withF16.orchestrator.cost.largestBufferMB).toBe(297);
    const noF16 = chooseModels(device({ memoryGB: 16, f16: false, maxBinding: limit }), {}, { served });
    expect(noF16.orchestrator.entry.id).toBe('sage-mm-qwen3-vl-8b');
    expect(noF16.orchestrator.cost).toMatchObject({ dtype: 'q4', largestBufferMB: 297 });
    // A 256-MB limit (WebGPU's default maxBufferSize) holds only the 4B's buffers.
    const small = chooseModels(device({ memoryGB: 16, maxBinding: 256 * 2 ** 20 }), {}, { served });
    expect(small.orchestrator.entry.id).toBe('sage-mm-qwen3-vl-4b');
  });

  it('never chooses test-only or needs-export entries on its own', () => {
    for (const memoryGB of [2, 4, 8, 16, 32]) {
      for (const webgpu of [true, false]) {
        const choice = chooseModels(device({ memoryGB, webgpu }));
        for (const model of [choice.orchestrator, choice.speech, ...(choice.reasoner ? [choice.reasoner] : [])]) {
          expect(model.entry.status, `${memoryGB} GB ${webgpu}`).toBe('ready');
        }
      }
    }
    expect(MODELS.some((m) => m.status === 'test-only')).toBe(true);
  });
});

/**
 * The device profiles docs/models.md's table names. Chromium reports at most 8 GB of device memory, so
 * the 16-GB set is what a browser that reports 16 (or a host passing it on) gets.
 */
describe('model sets per device profile', () => {
  const chosen = (choice: ModelChoice) => [choice.orchestrator, choice.speech, ...(choice.reasoner ? [choice.reasoner] : [])];
  const profiles = [
    {
      name: 'integrated GPU, 4 GB shared memory',
      capabilities: device({ memoryGB: 4, maxBuffer: 2 * GB, maxBinding: 1 * GB }),
      expected: { vlm: 'qwen3.5-0.8b', reasoner: 'qwen3-0.6b-mlc', speech: 'whisper-base' },
      dtypes: ['q4f16', 'q4f16_1'],
    },
    {
      name: 'discrete GPU, 8 GB',
      capabilities: device({ memoryGB: 8 }),
      expected: { vlm: 'qwen2.5-vl-3b-instruct', reasoner: 'qwen2.5-1.5b-instruct-mlc', speech: 'whisper-base' },
      dtypes: ['q4f16', 'q4f16_1'],
    },
    {
      name: '16 GB',
      capabilities: device({ memoryGB: 16 }),
      expected: { vlm: 'qwen2.5-vl-3b-instruct', reasoner: 'qwen2.5-7b-instruct-mlc', speech: 'whisper-base' },
      dtypes: ['q4f16', 'q4f16_1'],
    },
    {
      name: 'no WebGPU',
      capabilities: device({ webgpu: false, memoryGB: 8 }),
      expected: { vlm: 'qwen3.5-0.8b', reasoner: null, speech: 'whisper-tiny' },
      dtypes: ['q4', undefined],
    },
    {
      name: 'GPU without shader-f16, 8 GB',
      capabilities: device({ memoryGB: 8, f16: false }),
      expected: { vlm: 'qwen2.5-vl-3b-instruct', reasoner: 'llama-3.2-1b-instruct-mlc', speech: 'whisper-base' },
      dtypes: ['q4', 'q4f32_1'],
    },
    {
      name: 'GPU without shader-f16, 4 GB',
      capabilities: device({ memoryGB: 4, f16: false }),
      expected: { vlm: 'qwen3.5-0.8b', reasoner: 'llama-3.2-1b-instruct-mlc', speech: 'whisper-base' },
      dtypes: ['q4', 'q4f32_1'],
    },
  ];

  for (const { name, capabilities, expected, dtypes } of profiles) {
    it(`${name}: ${expected.vlm}, ${expected.reasoner ?? 'no reasoner'}, ${expected.speech}; it fits and the totals add up`, () => {
      const choice = chooseModels(capabilities);
      expect(ids(choice)).toEqual(expected);
      expect([choice.orchestrator.cost.dtype, choice.reasoner?.cost.dtype]).toEqual(dtypes);
      expect(choice.totalMemoryMB).toBeLessThanOrEqual(choice.budgetMB);
      expect(choice.totalMemoryMB).toBe(chosen(choice).reduce((sum, model) => sum + model.cost.memoryMB, 0));
      expect(choice.totalDownloadMB).toBe(chosen(choice).reduce((sum, model) => sum + model.cost.downloadMB, 0));
      expect(choice.notes.filter((note) => /may not fit|need about/.test(note))).toEqual([]);
      if (!capabilities.webgpu.available || !capabilities.webgpu.shaderF16) {
        for (const model of chosen(choice)) expect(JSON.stringify(model.cost.dtype)).not.toMatch(/f16/);
      }
    });
  }
});
