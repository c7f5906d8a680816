import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openCheckpoint } from '../../src/checkpoint/openCheckpoint.js';
import { createLogger } from '../../src/log.js';
import { HEARTBEAT_MS, openRunStore } from '../../src/run/openRunStore.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';

const silent = createLogger({ stream: { write: () => true } as unknown as NodeJS.WritableStream, format: 'text' });
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-run-store-'));
});
afterEach(() => {
  vi.useRealTimers();
  fs.rmSync(dir, { recursive: true, force: true });
});

const openStore = (file: string, runId: string, mustExist = false) =>
  openRunStore({ kind: 'checkpoint', mustExist, file, runId, now: () => new Date(), scrub: (t) => t, log: silent });

describe('the run store', () => {
  it('beats the lock’s heartbeat while the run lasts, so a run finding it busy sees its holder alive', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const file = path.join(dir, 'cp.sqlite');
    const store = openStore(file, 'run-a');
    try {
      vi.advanceTimersByTime(4 * HEARTBEAT_MS + 1_000);
      const busy = usageErrorMessage(() => openCheckpoint(file, 'run-b'));
      // Without a heartbeat the holder would read as silent for a whole minute.
      const seconds = Number(/alive (\d+) s ago/.exec(busy)?.[1]);
      expect(seconds).toBeLessThanOrEqual(HEARTBEAT_MS / 1000);
    } finally {
      store.close();
    }
    // Closed: the heartbeat stops with it, and the checkpoint is free.
    vi.advanceTimersByTime(2 * HEARTBEAT_MS);
    const next = openStore(file, 'run-b');
    next.close();
  });

  it('a checkpoint that must exist and does not is refused, and nothing is created', () => {
    const file = path.join(dir, 'state', 'cp.sqlite');
    expect(usageErrorMessage(() => openStore(file, 'undo-1', true))).toBe(
      `no checkpoint at ${file}: pass --checkpoint with the one the runs used`,
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a scratch journal needs no checkpoint and leaves no file', () => {
    const store = openRunStore({
      kind: 'scratch',
      mustExist: false,
      file: path.join(dir, 'cp.sqlite'),
      runId: 'v',
      now: () => new Date(),
      scrub: (t) => t,
      log: silent,
    });
    store.journal.startRun({
      runId: 'v',
      mode: 'validate',
      apiHost: null,
      retailerId: null,
      inputPath: 'f.csv',
      context: {},
    });
    expect(store.checkpoint).toBeUndefined();
    store.close();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
