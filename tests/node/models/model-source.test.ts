import { describe, expect, it } from 'vitest';
import { isAppError } from '../../../src/core/errors';
import { parseModelSource, withModelSource } from '../../../src/models/model-source';
import { getModel } from '../../../src/models/registry';

describe('a VLM location typed in settings', () => {
  it('reads Hub repository ids and folders on this site', () => {
    expect(parseModelSource(' someone/SAGE-MM-Qwen2.5-VL-7B-ONNX ')).toEqual({ kind: 'hub', repo: 'someone/SAGE-MM-Qwen2.5-VL-7B-ONNX' });
    expect(parseModelSource('./models/sage-mm/')).toEqual({ kind: 'local', path: 'models/sage-mm' });
    expect(parseModelSource('/models/exports/sage-mm')).toEqual({ kind: 'local', path: 'models/exports/sage-mm' });
  });

  it('refuses anything else with a message that says what to type', () => {
    for (const text of ['', 'sage-mm', 'https://huggingface.co/x/y', './models/../../etc', 'a/b/c', 'a b/c']) {
      let error: unknown;
      try {
        parseModelSource(text);
      } catch (caught) {
        error = caught;
      }
      expect(isAppError(error), text).toBe(true);
      expect((error as Error).message).toMatch(/owner\/name.*starting with \.\/ or \//);
    }
  });

  it('makes an entry waiting for an export loadable from the given place', () => {
    const sage = withModelSource(getModel('sage-mm-qwen2.5-vl-7b'), { kind: 'local', path: 'models/sage-mm' });
    expect(sage).toMatchObject({ id: 'sage-mm-qwen2.5-vl-7b', status: 'ready', source: { kind: 'local', path: 'models/sage-mm' } });
    expect(withModelSource(getModel('tiny-random-qwen2.5-vl'), { kind: 'hub', repo: 'a/b' }).status).toBe('test-only');
  });
});
