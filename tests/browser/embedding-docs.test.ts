/** docs/embedding.md is the widget's contract: its attribute and property tables match the element. */
import { describe, expect, it } from 'vitest';
import embedding from '../../docs/embedding.md?raw';
import { defineSageAgent, SageAgentElement } from '../../src/ui/sage-agent-element';

defineSageAgent();

/** The first cell of each row of the table under `heading`, without its backticks and notes. */
function tableNames(heading: string): string[] {
  const section = embedding.split(/^## /m).find((part) => part.startsWith(heading)) ?? '';
  return [...section.matchAll(/^\| `([^`]+)`/gm)].map(([, name]) => (name ?? '').replace(/\(.*$/, ''));
}

describe('docs/embedding.md', () => {
  it('lists exactly the observed attributes', () => {
    expect(tableNames('Attributes').sort()).toEqual([...SageAgentElement.observedAttributes].sort());
  });

  it('lists properties and methods the element has', () => {
    const element = document.createElement('sage-agent');
    const names = tableNames('Properties and methods');
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(name in element, name).toBe(true);
  });
});
