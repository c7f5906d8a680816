import { type Checkpoint, openCheckpoint, openScratchJournal } from '../checkpoint/openCheckpoint.js';
import type { RunJournal } from '../checkpoint/runJournal.js';
import type { Logger } from '../log.js';

/** How often the checkpoint lock's holder says it is alive, shown to a run that finds the checkpoint busy. */
export const HEARTBEAT_MS = 15_000;

/** Where a run keeps its rows, and how it lets go of them. */
export interface RunStore {
  journal: RunJournal;
  /** The checkpoint, locked for the run; undefined for a scratch journal. */
  checkpoint: Checkpoint | undefined;
  /** Stops the heartbeat, releases the lock and closes the store. */
  close(): void;
}

/**
 * Opens the run's store: the checkpoint, locked for the run and its lock's heartbeat beating every HEARTBEAT_MS (so a
 * run that finds it busy sees its holder alive), or for a run that must not need a checkpoint (validate), a scratch
 * journal that leaves nothing behind. `mustExist`: a missing checkpoint is refused (exit 2) and none is created.
 */
export function openRunStore(input: {
  kind: 'scratch' | 'checkpoint';
  mustExist: boolean;
  file: string;
  runId: string;
  now: () => Date;
  scrub: (text: string) => string;
  log: Logger;
}): RunStore {
  if (input.kind === 'scratch') {
    const scratch = openScratchJournal({ now: input.now });
    return { journal: scratch.journal, checkpoint: undefined, close: scratch.close };
  }
  const { checkpoint, takenOverFrom } = openCheckpoint(input.file, input.runId, {
    now: input.now,
    scrub: input.scrub,
    create: !input.mustExist,
  });
  if (takenOverFrom) {
    input.log.warn(`took over the checkpoint lock of run ${takenOverFrom.runId} (its process is gone)`);
  }
  const heartbeat = setInterval(() => checkpoint.lock.heartbeat(), HEARTBEAT_MS);
  heartbeat.unref();
  return {
    journal: checkpoint.journal,
    checkpoint,
    close() {
      clearInterval(heartbeat);
      checkpoint.close();
    },
  };
}
