/**
 * The errors that stop a run, each carrying its exit code (SPEC §2). Bad rows are never errors: they are
 * values (`NormaliseResult`, `RowOutcome`). Messages say what was wrong and what to do, in one line.
 */

/** Bad usage, config or input file, found before any request is sent. Exit 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  override name = 'UsageError';
}

/** The run cannot go on (credentials refused, OMS unreachable, error rate, signal). Exit 3; resumable. */
export class AbortError extends Error {
  readonly exitCode = 3;
  override name = 'AbortError';
}

/** The exit code an error ends a run with (SPEC §2): ours carry theirs; anything unexpected is 3. */
export function exitCodeOfError(error: unknown): number {
  return error instanceof UsageError || error instanceof AbortError ? error.exitCode : 3;
}
