import { describe, expect, it } from 'vitest';
import { StreamingResampler } from '../../../src/media/resampler';

function tone(rate: number, frequency: number, seconds: number): Float32Array {
  return Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.sin((2 * Math.PI * frequency * i) / rate));
}

function resampleAll(input: Float32Array, from: number, to: number, blockSize: number): Float32Array {
  const r = new StreamingResampler(from, to);
  const parts: Float32Array[] = [];
  for (let i = 0; i < input.length; i += blockSize) parts.push(r.push(input.subarray(i, i + blockSize)));
  parts.push(r.flush());
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** RMS over the middle of a signal, away from start and end transients. */
function middleRms(x: Float32Array): number {
  const a = Math.floor(x.length * 0.2);
  const b = Math.floor(x.length * 0.8);
  let s = 0;
  for (let i = a; i < b; i++) s += (x[i] ?? 0) ** 2;
  return Math.sqrt(s / (b - a));
}

describe('StreamingResampler', () => {
  it.each([48_000, 44_100, 22_050, 8_000])('keeps duration, amplitude and pitch of a 1 kHz tone from %i Hz', (rate) => {
    const out = resampleAll(tone(rate, 1000, 1), rate, 16_000, 1024);
    expect(out.length).toBe(16_000);
    expect(middleRms(out)).toBeCloseTo(Math.SQRT1_2, 1);
    // Compare against the ideal 16 kHz tone sample by sample.
    const ideal = tone(16_000, 1000, 1);
    let err = 0;
    for (let i = 2000; i < 14_000; i++) err = Math.max(err, Math.abs((out[i] ?? 0) - (ideal[i] ?? 0)));
    expect(err).toBeLessThan(0.05);
  });

  it('removes content above the new Nyquist frequency instead of folding it back', () => {
    // 11 kHz would alias to 5 kHz at 16 kHz; a real lowpass leaves almost nothing.
    const out = resampleAll(tone(48_000, 11_000, 1), 48_000, 16_000, 4096);
    expect(middleRms(out)).toBeLessThan(0.01);
  });

  it('gives the same output however the input is split into blocks', () => {
    const input = tone(44_100, 440, 0.5);
    const whole = resampleAll(input, 44_100, 16_000, input.length);
    const pieces = resampleAll(input, 44_100, 16_000, 333);
    expect(pieces.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i++) expect(pieces[i]).toBeCloseTo(whole[i] ?? NaN, 6);
  });
});
