import type { Workspace } from '../src/workspace/workspace';

/** A function that resolves once `condition` holds of the workspace, checked on each of its changes. */
export function workspaceUntil(workspace: Workspace): (condition: () => boolean) => Promise<void> {
  return (condition) =>
    new Promise((resolve) => {
      if (condition()) return resolve();
      const stop = workspace.on('change', () => {
        if (!condition()) return;
        stop();
        resolve();
      });
    });
}
