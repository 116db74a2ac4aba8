/** The strip under the player: where the last answer's evidence lies, and where playback is. */
import type { TimeSpan } from '../core/contracts';
import { h } from './dom';
import { formatClock } from './format';
import { markerLayout } from './timeline';

export class EvidenceTimeline {
  private readonly playhead = h('div', { class: 'playhead' });
  private readonly track = h('div', { class: 'track' }, this.playhead);
  readonly element = h('div', { class: 'timeline', hidden: true }, h('span', { class: 'muted timeline-label' }, 'Evidence'), this.track);
  private duration = 0;

  /** Marks `spans` of a video `duration` seconds long; hidden while no file has been read. */
  show(spans: readonly TimeSpan[], duration: number, visible: boolean): void {
    this.duration = duration;
    this.element.hidden = !visible;
    const markers = markerLayout(spans, duration).map((marker) => {
      const button = h('button', {
        type: 'button',
        class: 'marker',
        'data-seek': marker.start,
        title: `Evidence at ${formatClock(marker.start)}`,
        'aria-label': `Evidence at ${formatClock(marker.start)}`,
      });
      // CSSOM, not a style attribute: allowed under a CSP without 'unsafe-inline'.
      button.style.left = `${marker.left * 100}%`;
      button.style.width = `${marker.width * 100}%`;
      return button;
    });
    this.track.replaceChildren(this.playhead, ...markers);
  }

  movePlayhead(currentTime: number): void {
    if (this.duration > 0) this.playhead.style.left = `${Math.min(1, currentTime / this.duration) * 100}%`;
  }
}
