import path from 'node:path';

/** The runs of this process waiting for or holding each checkpoint, by its absolute path: the last one's end. */
const tails = new Map<string, Promise<unknown>>();

/**
 * Runs `work` once every earlier run of this process on the same checkpoint has ended, so calls of the API that
 * overlap (two ensureCustomers for the same customer, a syncFile meanwhile) take the checkpoint in turn instead of
 * one being refused as busy: the later one then knows what the earlier one created and sends nothing for it. Across
 * processes the checkpoint's lock still refuses a second run (exit 2, naming the holder).
 */
export function queueOnCheckpoint<T>(checkpoint: string, work: () => Promise<T>): Promise<T> {
  const key = path.resolve(checkpoint);
  const before = tails.get(key) ?? Promise.resolve();
  const run = before.then(work, work);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  tails.set(key, tail);
  // The last run to end forgets the checkpoint, so the map holds only checkpoints in use.
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}
