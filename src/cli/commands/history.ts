import type { openCheckpointForReading } from '../../checkpoint/openCheckpoint.js';
import { type HistoryOptions, sliceOptions } from '../../options/index.js';
import type { CliArgs, CliContext } from '../context.js';

/** A checkpoint opened to read its history. */
export type HistoryStore = ReturnType<typeof openCheckpointForReading>;

/**
 * `runs`, `explain` and `report --run`: their options, and the checkpoint opened for reading only (its history is
 * read, nothing is written to it), closed when `read` is done.
 */
export async function readHistory<T>(
  args: CliArgs,
  cli: CliContext,
  read: (store: HistoryStore, options: HistoryOptions) => T,
): Promise<T> {
  // `report [checkpoint]`'s positional is the checkpoint too; yargs gives it as undefined when absent.
  const flags = typeof args.checkpoint === 'string' ? args : { ...args, checkpoint: undefined };
  const options = sliceOptions(cli.prepare('history', flags).options);
  const { openCheckpointForReading: open } = await import('../../checkpoint/openCheckpoint.js');
  const store = open(options.checkpoint);
  try {
    return read(store, options);
  } finally {
    store.close();
  }
}

/** A value as JSON for scripts, credentials masked. */
export function toJson(value: unknown, cli: CliContext): string {
  return `${JSON.stringify(cli.scrubber.scrubValue(value), null, 2)}\n`;
}
