/**
 * Where a person (or a host page) points the vision-language model instead of its registry source,
 * e.g. at a SAGE-MM browser export: a Hub repository id (`owner/name`) or a folder on this site
 * (`./models/my-export`, `/models/my-export`). Folders must say so with a leading `.` or `/`: a
 * bare `models/x` would also be a valid repository id.
 */
import { AppError } from '../core/errors';
import type { ModelEntry, ModelSource } from './registry';

const HUB_REPO = /^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/;
const SITE_FOLDER = /^\.?\/[\w./-]*[\w-]$/;

export function parseModelSource(text: string): ModelSource {
  const value = text.trim().replace(/(.)\/+$/, '$1');
  if (SITE_FOLDER.test(value) && !value.split('/').includes('..')) {
    return { kind: 'local', path: value.replace(/^\.?\/+/, '') };
  }
  if (HUB_REPO.test(value)) return { kind: 'hub', repo: value };
  throw new AppError(
    'invalid-argument',
    `“${value}” is not a model location. Give a Hub repository as owner/name, or a folder on this site starting with ./ or /.`,
  );
}

/** The entry loaded from `source`: an entry waiting for an export is ready once given one. */
export function withModelSource(entry: ModelEntry, source: ModelSource): ModelEntry {
  return { ...entry, source, status: entry.status === 'needs-export' ? 'ready' : entry.status };
}
