import fs from 'node:fs';
import { describeFsError } from './describeFsError.js';
import { UsageError } from './errors.js';

/**
 * Reads a JSON file the user wrote — a job file, a mapping file, a sandbox seed — the one way for all of them: a
 * UTF-8 byte order mark (Windows editors save one) is allowed, and a file that cannot be read or parsed is a one-line
 * UsageError naming it as `what` ("job file", "mapping file") and the problem.
 */
export function readJsonFile(path: string, what: string, expected = ''): unknown {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${what} ${path} cannot be read: ${describeFsError(error)}`);
  }
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw new UsageError(`${what} ${path} is not valid JSON (${message})${expected ? `; expected ${expected}` : ''}`);
  }
}
