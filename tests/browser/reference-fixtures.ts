/** Reading the reference scripts' fixture folders (tests/fixtures/<folder>/) and comparing with their values. */
import { expect } from 'vitest';

/**
 * A fixture file of `folder` from `files`, the test's `import.meta.glob` of that folder as URLs
 * (a glob must be written out where it is used).
 */
export async function fixtureFile(files: Record<string, string>, folder: string, name: string): Promise<Blob> {
  const url = files[`../fixtures/${folder}/${name}`];
  if (!url) throw new Error(`no fixture ${folder}/${name}`);
  return (await fetch(url)).blob();
}

/** The largest element-wise difference; the lengths must be equal. */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
