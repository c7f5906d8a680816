import fs from 'node:fs';
import { UsageError } from '../errors.js';
import { describeFsError } from './describeFsError.js';
import { findInexactNumber } from './findInexactNumber.js';
import type { ZodIssue, ZodSchema } from './loadZod.js';

/**
 * Reads a JSON file the user wrote — a job file, a mapping file, a sandbox seed — the one way for all of them: a
 * UTF-8 byte order mark (Windows editors save one) is allowed, and a file that cannot be read or parsed is a one-line
 * UsageError naming it as `what` ("job file", "mapping file") and the problem. A number JSON.parse would round (a
 * retailer id past 2^53, `1e400`) is refused naming where it stands, never read as another number.
 */
export function readJsonFile(path: string, what: string, expected = ''): unknown {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${what} ${path} cannot be read: ${describeFsError(error)}`);
  }
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw new UsageError(`${what} ${path} is not valid JSON (${message})${expected ? `; expected ${expected}` : ''}`);
  }
  const inexact = findInexactNumber(json);
  if (inexact) {
    const where = inexact.path === '' ? 'the value' : `"${inexact.path}"`;
    throw new UsageError(
      `${what} ${path}: ${where} is ${inexact.literal}, a number JSON cannot hold as written (it would read as ${Number(inexact.literal)}); write it in quotes: "${inexact.literal}"`,
    );
  }
  return value;
}

/**
 * Checks a value read from a JSON file against its schema. The first problem, as `explain` words it from zod's issues
 * (our wording, naming the file and the entry), is a one-line UsageError; zod's own messages never reach the user.
 */
export function checkJsonValue<T>(
  value: unknown,
  schema: ZodSchema<T>,
  explain: (issues: readonly ZodIssue[]) => string,
): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new UsageError(explain(result.error.issues));
  return result.data;
}

/**
 * The issue to tell of first: the first one zod found, or an unknown key of the same entry (the first `depth` steps of
 * its path), since a misspelt key is the likeliest cause of the entry's other problems.
 */
export function firstIssue(issues: readonly ZodIssue[], depth: number): ZodIssue {
  const first = issues[0] as ZodIssue;
  const entry = first.path.slice(0, depth);
  const sameEntry = (issue: ZodIssue) => issue.path.length === depth && entry.every((key, i) => issue.path[i] === key);
  return issues.find((issue) => issue.code === 'unrecognized_keys' && sameEntry(issue)) ?? first;
}

/** The part of `root` at `path` (an issue's path), or undefined where there is none. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
