import { expect } from 'vitest';
import { UsageError } from '../../src/errors.js';

/** Runs `run`, asserts it throws a one-line UsageError (exit 2, SPEC §2), and returns the message. */
export function usageErrorMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error('expected a UsageError');
}
