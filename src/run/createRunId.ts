import crypto from 'node:crypto';

/** Sortable, and unique enough for one checkpoint: 20261125T201955Z-3f9a. */
export function createRunId(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${crypto.randomBytes(2).toString('hex')}`;
}
