import type { CliCommand } from '../context.js';
import { fileCommand } from './sync.js';

/** `validate <file>`: sync's reading, normalising and checks, without any network; the report says what a sync would. */
export const validate: CliCommand = fileCommand('validate', {
  usage: 'validate <file>',
  describe: 'read, normalise and check a CSV without any network; writes the report',
});
