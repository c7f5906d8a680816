import type { SandboxOptions } from './sandboxTypes.js';

/**
 * The flags of `customer-sync sandbox` that play the variants Fluent's docs leave open, and name the account it
 * stands for, as yargs options (SPEC §6). Values are checked by yargs' choices and by `startSandbox`.
 */
export const SANDBOX_VARIANT_FLAGS = {
  attributes: {
    type: 'string',
    choices: ['replace', 'merge'],
    requiresArg: true,
    describe: 'what updateCustomer does with attributes: replace the list (default) or merge it in by name',
  },
  null: {
    type: 'string',
    choices: ['clear', 'ignore'],
    requiresArg: true,
    describe: 'what updateCustomer does with a field sent as null: clear it (default) or leave it as it is',
  },
  'reformat-phone': {
    type: 'boolean',
    describe: 'keep primaryPhone in international format with spaces (+61 412 345 678), not as sent',
  },
  'truncate-names': {
    type: 'number',
    requiresArg: true,
    describe: 'keep title, firstName and lastName cut to N characters, not as sent',
  },
  account: {
    type: 'string',
    requiresArg: true,
    describe: 'refuse token and GraphQL requests without this fluent.account header (FLUENT_ACCOUNT_ID sends it)',
  },
} as const;

/** The options these flags give `startSandbox`; flags not given are left out. */
export function parseVariantFlags(
  flags: Readonly<Record<string, unknown>>,
): Pick<SandboxOptions, 'attributeUpdates' | 'nullUpdates' | 'storedValues' | 'account'> {
  const options: Pick<SandboxOptions, 'attributeUpdates' | 'nullUpdates' | 'storedValues' | 'account'> = {};
  if (flags.attributes !== undefined) {
    options.attributeUpdates = String(flags.attributes) as NonNullable<SandboxOptions['attributeUpdates']>;
  }
  if (flags.null !== undefined) options.nullUpdates = String(flags.null) as NonNullable<SandboxOptions['nullUpdates']>;
  if (flags['reformat-phone'] === true || flags['truncate-names'] !== undefined) {
    options.storedValues = {
      ...(flags['reformat-phone'] === true ? { reformatPhone: true } : {}),
      ...(flags['truncate-names'] === undefined ? {} : { truncateNames: Number(flags['truncate-names']) }),
    };
  }
  if (flags.account !== undefined) options.account = String(flags.account);
  return options;
}
