import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/log.js';
import { createProgress } from '../../src/run/createProgress.js';
import { createScrubber } from '../../src/shared/createScrubber.js';

/** A terminal-like stream that keeps what is written to it. */
function aTerminal() {
  const written: string[] = [];
  return { written, stream: { isTTY: true, write: (text: string) => written.push(text) > 0 } };
}

describe('progress on a terminal', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const run = (options: { format?: 'text' | 'json'; quiet?: boolean }) => {
    const terminal = aTerminal();
    const log = createLogger({
      stream: terminal.stream as unknown as NodeJS.WritableStream,
      format: options.format ?? 'text',
      scrubber: createScrubber(),
    });
    const progress = createProgress({
      stream: terminal.stream as unknown as NodeJS.WritableStream & { isTTY: boolean },
      log,
      now: () => new Date(),
      ...options,
    });
    progress.phase('applying', 10);
    progress.tick();
    vi.advanceTimersByTime(2_500);
    progress.done();
    return terminal.written.join('');
  };

  it('draws a live line with text logs', () => {
    expect(run({ format: 'text' })).toContain('\r\u001b[2Kapplying: 1/10 rows');
  });

  it('draws nothing with JSON logs, so every line stays JSON, nor with --quiet', () => {
    expect(run({ format: 'json' })).toBe('');
    expect(run({ format: 'text', quiet: true })).toBe('');
  });
});
