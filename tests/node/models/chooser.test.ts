import { describe, expect, it } from 'vitest';
import { WASM_SLOW_NOTE, chooseModels } from '../../../src/models/chooser';
import { MODELS, mlcBuildFor } from '../../../src/models/registry';
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
    const small = chooseModels(device({ memoryGB: 8 }));
    expect(small.reasoner).toBeNull();
    expect(small.notes.join(' ')).toMatch(/vision model also does the step-by-step reasoning/);
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

  it('laptop with integrated graphics and 4 GB: a smaller VLM that fits, no reasoner', () => {
    const choice = chooseModels(device({ memoryGB: 4, maxBuffer: 2 * GB }));
    expect(ids(choice)).toEqual({ vlm: 'qwen2-vl-2b-instruct', reasoner: null, speech: 'whisper-base' });
    expect(choice.totalMemoryMB).toBeLessThanOrEqual(choice.budgetMB);
  });

  it('skips models whose largest buffer exceeds the adapter limits', () => {
    const choice = chooseModels(device({ memoryGB: 8, maxBuffer: 2 * GB, maxBinding: 512 * MB }));
    expect(choice.orchestrator.entry.id).toBe('qwen2-vl-2b-instruct');
    const tiny = chooseModels(device({ memoryGB: 8, maxBuffer: 256 * MB, maxBinding: 128 * MB }));
    expect(tiny.orchestrator.entry.id).toBe('smolvlm-256m-instruct');
  });

  it('no WebGPU: the smallest WASM set and a plain "slow" note, never a web-llm reasoner', () => {
    const choice = chooseModels(device({ webgpu: false, memoryGB: 8 }));
    expect(choice.device).toBe('wasm');
    expect(ids(choice)).toEqual({ vlm: 'smolvlm-256m-instruct', reasoner: null, speech: 'whisper-tiny' });
    expect(choice.speech.cost.dtype).toBe('q8');
    expect(choice.slow).toBe(true);
    expect(choice.notes).toContain(WASM_SLOW_NOTE);
  });

  it('unknown device memory is treated as a modest machine', () => {
    const choice = chooseModels(device({ memoryGB: undefined }));
    expect(choice.budgetMB).toBe(3072);
    expect(choice.orchestrator.entry.id).toBe('qwen2-vl-2b-instruct');
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
    expect(gpuOnly.orchestrator.entry.id).toBe('smolvlm-256m-instruct');
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
