import { describe, expect, it } from 'vitest';
import type { GenerateRequest, ReasoningModel } from '../../../src/core/contracts';
import { AppError } from '../../../src/core/errors';
import { chooseModels } from '../../../src/models/chooser';
import { reasonerPlan, stage2Model, type ReasonerPlan } from '../../../src/runtime/stage2';
import { device } from '../fixtures/devices';


const withReasoner = chooseModels(device({ memoryGB: 16 }));
const withoutReasoner = chooseModels(device({ webgpu: false, memoryGB: 16 }));
const turnedOff = chooseModels(device({ memoryGB: 16 }), { reasoner: null });

function model(reply: string): ReasoningModel & { calls: number } {
  return {
    calls: 0,
    generate() {
      this.calls++;
      return Promise.resolve(reply);
    },
  };
}

const request = (): GenerateRequest => ({ prompt: 'step', signal: new AbortController().signal });

function setup(choice: Parameters<typeof reasonerPlan>[0], options: { override?: ReasoningModel; reasoner?: ReasoningModel | Error } = {}) {
  const vlm = model('vlm');
  const loads: ReasonerPlan[] = [];
  const fallbacks: AppError[] = [];
  const stage2 = stage2Model({
    override: () => options.override,
    vlm,
    choice: () => Promise.resolve(choice),
    loadReasoner: (plan) => {
      loads.push(plan);
      const reasoner = options.reasoner ?? model('reasoner');
      return reasoner instanceof Error ? Promise.reject(reasoner) : Promise.resolve(reasoner);
    },
    onFallback: (error) => fallbacks.push(error),
  });
  return { stage2, vlm, loads, fallbacks };
}

describe('reasonerPlan', () => {
  it('follows the chooser: its web-llm reasoner and dtype, or none', () => {
    expect(withReasoner.reasoner).not.toBeNull();
    expect(reasonerPlan(withReasoner)).toEqual({ entry: withReasoner.reasoner!.entry, dtype: withReasoner.reasoner!.cost.dtype });
    expect(reasonerPlan(chooseModels(device({ f16: false, memoryGB: 16 })))?.dtype).toBe('q4f32_1');
    const asked = chooseModels(device({ memoryGB: 4 }), { orchestrator: 'qwen2-vl-2b-instruct', reasoner: 'qwen2.5-3b-instruct-mlc' });
    expect(reasonerPlan(asked)).toMatchObject({ entry: { id: 'qwen2.5-3b-instruct-mlc' }, dtype: 'q4f16_1' });
    // 2 GB: no reasoner fits beside the smallest VLM.
    expect(reasonerPlan(chooseModels(device({ memoryGB: 2 })))).toBeNull();
    expect(reasonerPlan(withoutReasoner)).toBeNull();
    expect(reasonerPlan(turnedOff)).toBeNull();
  });
});

describe('stage2Model', () => {
  it('runs Stage 2 on the reasoner the chooser names, loading it once on the first step', async () => {
    const { stage2, vlm, loads, fallbacks } = setup(withReasoner);
    expect(loads).toEqual([]);
    expect(await stage2.generate(request())).toBe('reasoner');
    expect(await stage2.generate(request())).toBe('reasoner');
    expect(loads.map((plan) => plan.entry.id)).toEqual([withReasoner.reasoner!.entry.id]);
    expect(vlm.calls).toBe(0);
    expect(fallbacks).toEqual([]);
  });

  it('runs Stage 2 on the VLM when the chooser names no reasoner, loading nothing', async () => {
    for (const choice of [withoutReasoner, turnedOff]) {
      const { stage2, vlm, loads, fallbacks } = setup(choice);
      expect(await stage2.generate(request())).toBe('vlm');
      expect(vlm.calls).toBe(1);
      expect(loads).toEqual([]);
      expect(fallbacks).toEqual([]);
    }
  });

  it('falls back to the VLM, with one notice, when the reasoner cannot load', async () => {
    const { stage2, vlm, fallbacks } = setup(withReasoner, { reasoner: new AppError('model-load-failed', 'Out of GPU memory.') });
    expect(await stage2.generate(request())).toBe('vlm');
    expect(await stage2.generate(request())).toBe('vlm');
    expect(vlm.calls).toBe(2);
    expect(fallbacks.map((error) => error.message)).toEqual(['Out of GPU memory.']);
  });

  it('leaves Stage 2 to a host orchestrator when one is set, whatever the chooser says', async () => {
    const host = model('host');
    const { stage2, vlm, loads } = setup(withReasoner, { override: host });
    expect(await stage2.generate(request())).toBe('host');
    expect(host.calls).toBe(1);
    expect(vlm.calls).toBe(0);
    expect(loads).toEqual([]);
  });

  it('runs Stage 2 on the VLM when the choice cannot be made', async () => {
    const vlm = model('vlm');
    const stage2 = stage2Model({
      override: () => undefined,
      vlm,
      choice: () => Promise.reject(new Error('no capabilities')),
      loadReasoner: () => Promise.reject(new Error('not expected')),
      onFallback: () => {},
    });
    expect(await stage2.generate(request())).toBe('vlm');
  });
});
