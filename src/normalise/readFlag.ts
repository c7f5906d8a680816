const FLAGS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['yes', true],
  ['y', true],
  ['1', true],
  ['false', false],
  ['no', false],
  ['n', false],
  ['0', false],
]);

/** The words a yes/no cell may hold, for reasons that say what is allowed. */
export const FLAG_WORDS = 'true/false/yes/no/y/n/1/0';

/** A yes/no cell (SPEC §3: true/false/yes/no/y/n/1/0 in any case) as a boolean, or undefined when it is neither. */
export function readFlag(text: string): boolean | undefined {
  return FLAGS.get(text.toLowerCase());
}
