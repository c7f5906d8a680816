import fs from 'node:fs';
import { describeFsError } from './describeFsError.js';
import { UsageError } from './errors.js';
import { findInexactNumber } from './findInexactNumber.js';

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
