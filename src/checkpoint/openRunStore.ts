import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunMode } from '../types.js';
import { type Checkpoint, openCheckpoint } from './openCheckpoint.js';

export interface RunStore {
  checkpoint: Checkpoint;
  /** Releases the run's lock (if any) and closes the store; a throw-away store is deleted. */
  close(runId: string): void;
}

/**
 * The store a run stages its rows in: the checkpoint for sync and dry runs; for `validate`, which must not need a
 * checkpoint, a throw-away SQLite file of its own (staging keeps memory flat in the file size either way).
 */
export function openRunStore(checkpointPath: string, mode: RunMode): RunStore {
  if (mode !== 'validate') {
    const checkpoint = openCheckpoint(checkpointPath);
    return {
      checkpoint,
      close(runId) {
        checkpoint.releaseLock(runId);
        checkpoint.close();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'customer-sync-validate-'));
  const checkpoint = openCheckpoint(path.join(dir, 'staging.sqlite'), { durable: false });
  return {
    checkpoint,
    close() {
      checkpoint.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
