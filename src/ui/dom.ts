/** A small element builder: the UI is plain DOM, and text always goes in as text, never as HTML. */
import { formatClock, formatSpan } from './format';
import { splitTimestamps } from './step-text';

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'class') element.className = String(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Element, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child);
  }
}

/**
 * A button that seeks the player. The element listens for clicks on `[data-seek]` anywhere in
 * its shadow root, so these need no handler of their own.
 */
export function timeButton(start: number, end?: number, label?: string): HTMLButtonElement {
  const text = label ?? (end === undefined ? formatClock(start) : formatSpan(start, end));
  return h('button', { type: 'button', class: 'time', 'data-seek': start, title: `Play from ${formatClock(start)}` }, text);
}

/** Text with its timestamps as seek buttons. */
export function linkedText(text: string, duration: number): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const part of splitTimestamps(text, duration)) {
    fragment.append('seconds' in part ? timeButton(part.seconds, undefined, part.text) : part.text);
  }
  return fragment;
}
