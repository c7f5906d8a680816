import { describe, expect, it } from 'vitest';
import { queueOnCheckpoint } from '../../src/api/queueOnCheckpoint.js';

/** A run that records when it starts and ends, and ends when told. */
function aRun(log: string[], name: string) {
  let finish: (fail?: boolean) => void = () => {};
  const work = () =>
    new Promise<string>((resolve, reject) => {
      log.push(`${name} starts`);
      finish = (fail) => {
        log.push(`${name} ends`);
        if (fail) reject(new Error(`${name} failed`));
        else resolve(name);
      };
    });
  return { work, finish: (fail?: boolean) => finish(fail) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('queueOnCheckpoint', () => {
  it('runs on one checkpoint (however its path is written) take it in turn; a failed one lets the next go', async () => {
    const log: string[] = [];
    const a = aRun(log, 'a');
    const b = aRun(log, 'b');
    const first = queueOnCheckpoint('state/cp.sqlite', a.work);
    const second = queueOnCheckpoint('./state/../state/cp.sqlite', b.work);
    await tick();
    expect(log).toEqual(['a starts']);
    a.finish(true);
    await expect(first).rejects.toThrow('a failed');
    await tick();
    expect(log).toEqual(['a starts', 'a ends', 'b starts']);
    b.finish();
    await expect(second).resolves.toBe('b');
  });

  it('runs on different checkpoints go at once', async () => {
    const log: string[] = [];
    const a = aRun(log, 'a');
    const b = aRun(log, 'b');
    const both = Promise.all([queueOnCheckpoint('one.sqlite', a.work), queueOnCheckpoint('two.sqlite', b.work)]);
    await tick();
    expect(log).toEqual(['a starts', 'b starts']);
    b.finish();
    a.finish();
    await expect(both).resolves.toEqual(['a', 'b']);
  });
});
