import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/core/errors';
import type { MediaUses } from '../../../src/media/media-uses';
import { openStatus, type OpenPhase } from '../../../src/workspace/open-status';

const everything: MediaUses = { frames: true, speech: true, readableSeconds: 60, cutShort: false, limits: [] };
const speechOnly: MediaUses = { ...everything, frames: false, limits: ['This video uses HEVC (H.265), which this browser cannot decode.'] };
const nothing: MediaUses = { ...everything, frames: false, speech: false, limits: ['No video.', 'No audio.'] };
const phases: OpenPhase[] = [
  { kind: 'skimming' },
  { kind: 'ready', skimFrames: 60, skimFailure: null },
  { kind: 'failed', error: new AppError('decode-failed', 'Part of this video could not be decoded.') },
];

describe('openStatus', () => {
  it('says it is skimming only while it is, then how many frames it skimmed', () => {
    expect(openStatus(everything, { kind: 'skimming' }).text).toBe('Skimming the whole video so questions start quickly…');
    expect(openStatus(everything, { kind: 'ready', skimFrames: 60, skimFailure: null })).toEqual({ text: 'Ready: skimmed 60 frames.', askable: true });
  });

  it('a failed skim ends in a final state that says so and stops questions', () => {
    const status = openStatus(everything, phases[2]!);
    expect(status.askable).toBe(false);
    expect(status.text).toMatch(/^The video could not be skimmed, so no question can be asked about it: Part of this video/);
    expect(status.text).not.toMatch(/Skimming/);
  });

  it('a skim that failed while the speech decodes goes on with the speech, and says why', () => {
    const status = openStatus(everything, { kind: 'ready', skimFrames: 0, skimFailure: new AppError('decode-failed', 'Frame 3 is damaged.') });
    expect(status).toEqual({ text: 'The video could not be skimmed: Frame 3 is damaged. Questions use its speech.', askable: true });
  });

  it('video that does not decode: never "skimming", speech questions, and the reason', () => {
    for (const phase of phases.slice(0, 2)) {
      const status = openStatus(speechOnly, phase);
      expect(status.askable).toBe(true);
      expect(status.text).not.toMatch(/Skimming|skimmed/);
      expect(status.text).toContain('questions use its speech'.slice(1));
      expect(status.text).toContain('HEVC (H.265)');
    }
  });

  it('a file nothing of which decodes cannot be asked about, in any phase', () => {
    for (const phase of phases) expect(openStatus(nothing, phase)).toEqual({ text: 'Nothing in this file can be used in this browser. No video. No audio.', askable: false });
  });
});
