/**
 * Streaming sample-rate converter for mono audio (windowed-sinc, polyphase table).
 * There is no AudioContext or OfflineAudioContext in workers, so the media worker resamples itself.
 * Audio arrives in arbitrary blocks; outputs do not depend on how the input was split.
 */

/** Kernel half-width in zero crossings of the lowpass sinc: plenty for speech models. */
const HALF_ZERO_CROSSINGS = 12;
/** Fractional positions tabulated between two input samples. */
const PHASES = 256;

export class StreamingResampler {
  readonly inputRate: number;
  readonly outputRate: number;
  /** Input samples advanced per output sample. */
  private readonly step: number;
  /** Kernel half-width in input samples. */
  private readonly halfWidth: number;
  /** PHASES + 1 rows of 2·halfWidth taps each, row p for a fractional offset p/PHASES. */
  private readonly table: Float32Array;
  private readonly taps: number;
  /** Unconsumed input is `buffer[0, length)`, starting at absolute input index `bufferStart`. */
  private buffer = new Float32Array(4096);
  private length = 0;
  private bufferStart = 0;
  /** Absolute input position (may be fractional) of the next output sample. */
  private nextPosition = 0;
  private outputCount = 0;

  constructor(inputRate: number, outputRate: number) {
    if (!(inputRate > 0) || !(outputRate > 0)) throw new RangeError('sample rates must be positive');
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    this.step = inputRate / outputRate;
    // Cut off just below the lower Nyquist frequency so nothing folds back into the band.
    const cutoff = Math.min(1, outputRate / inputRate) * 0.95;
    this.halfWidth = Math.ceil(HALF_ZERO_CROSSINGS / cutoff);
    this.taps = 2 * this.halfWidth;
    this.table = new Float32Array((PHASES + 1) * this.taps);
    for (let p = 0; p <= PHASES; p++) {
      const frac = p / PHASES;
      for (let k = 0; k < this.taps; k++) {
        // Tap k weights input sample (floor(position) - halfWidth + 1 + k).
        const t = k - this.halfWidth + 1 - frac;
        this.table[p * this.taps + k] = cutoff * sinc(cutoff * t) * blackman(t / (this.halfWidth + 1));
      }
    }
  }

  /** Feeds input samples; returns every output sample that can be computed so far. */
  push(input: Float32Array): Float32Array {
    this.append(input);
    return this.drain(false);
  }

  /** Ends the stream: returns the remaining outputs, treating the input past its end as silence. */
  flush(): Float32Array {
    this.append(new Float32Array(this.halfWidth + 1));
    const out = this.drain(true);
    this.length = 0;
    return out;
  }

  /** Appends in place, growing the buffer only when needed, so steady streaming allocates nothing here. */
  private append(input: Float32Array): void {
    const needed = this.length + input.length;
    if (needed > this.buffer.length) {
      const grown = new Float32Array(Math.max(needed, this.buffer.length * 2));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(input, this.length);
    this.length = needed;
  }

  private drain(final: boolean): Float32Array {
    const bufferEnd = this.bufferStart + this.length;
    // An output at `position` needs inputs up to floor(position) + halfWidth.
    const lastUsable = bufferEnd - 1 - this.halfWidth;
    const limit = final ? Math.ceil((bufferEnd - this.halfWidth - 1) / this.step) : Infinity;
    const bound = Math.max(0, Math.ceil((lastUsable + 1 - this.nextPosition) / this.step) + 1);
    const out = new Float32Array(bound);
    let produced = 0;
    const { table, taps, buffer, bufferStart, halfWidth } = this;
    while (Math.floor(this.nextPosition) <= lastUsable && this.outputCount < limit) {
      const base = Math.floor(this.nextPosition);
      const phase = Math.round((this.nextPosition - base) * PHASES);
      const row = phase * taps;
      const first = base - halfWidth + 1 - bufferStart;
      let sum = 0;
      for (let k = first < 0 ? -first : 0; k < taps; k++) sum += buffer[first + k]! * table[row + k]!;
      out[produced++] = sum;
      this.outputCount++;
      this.nextPosition = this.outputCount * this.step;
    }
    // Keep only the inputs later outputs can still reach.
    const keepFrom = Math.min(this.length, Math.max(0, Math.floor(this.nextPosition) - halfWidth + 1 - bufferStart));
    if (keepFrom > 0) {
      this.buffer.copyWithin(0, keepFrom, this.length);
      this.length -= keepFrom;
      this.bufferStart += keepFrom;
    }
    return out.subarray(0, produced);
  }
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** Blackman window on [-1, 1]. */
function blackman(x: number): number {
  if (x <= -1 || x >= 1) return 0;
  return 0.42 + 0.5 * Math.cos(Math.PI * x) + 0.08 * Math.cos(2 * Math.PI * x);
}
