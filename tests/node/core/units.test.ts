import { describe, expect, it } from 'vitest';
import { formatBytes, formatMegabytes } from '../../../src/core/units';

const GB = 1024 ** 3;

describe('sizes', () => {
  it('use binary units, whole numbers from 10 up and one decimal below', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(12 * 1024)).toBe('12 KB');
    expect(formatBytes(242_900)).toBe('237 KB');
    expect(formatBytes(1.5 * GB)).toBe('1.5 GB');
    expect(formatBytes(256 * 1024 ** 2)).toBe('256 MB');
    expect(formatBytes(2.25 * 1024 ** 4)).toBe('2.3 TB');
  });

  it('read the registry\'s MB figures', () => {
    expect(formatMegabytes(2550)).toBe('2.5 GB');
    expect(formatMegabytes(77)).toBe('77 MB');
    expect(formatMegabytes(0.2)).toBe('205 KB');
  });
});
