import { UsageError } from '../errors.js';
import { escapeControl } from '../shared/escapeControl.js';
import type { SandboxLookupMatch, SandboxOptions } from './sandboxTypes.js';
import { parseVariantFlags } from './sandboxVariantFlags.js';

/** The options of `startSandbox` that say how strict the account is. */
export type SandboxAccountOptions = Pick<
  SandboxOptions,
  | 'retailers'
  | 'loginScope'
  | 'missingPermissions'
  | 'lookupMatch'
  | 'uniqueCi'
  | 'rateLimitAsError'
  // The variants Fluent's docs leave open, and the account (sandboxVariantFlags.ts).
  | 'attributeUpdates'
  | 'nullUpdates'
  | 'storedValues'
  | 'account'
>;

/**
 * Turns the sandbox command's account flags (as yargs hands them over: kebab-case, unchecked) into `startSandbox` options: `--retailers 1,2,3`,
 * `--login-scope account|retailer:ID`, `--missing-permission NAME` (repeatable, or comma-separated),
 * `--lookup-match exact|ci|like`, `--unique-ci`, `--rate-limit-as-error`. Only the flags' form is checked here;
 * `startSandbox` checks the values (known permissions, a scope on a declared retailer).
 *
 * @throws UsageError naming the flag when its form is wrong
 */
export function parseSandboxFlags(flags: Readonly<Record<string, unknown>>): SandboxAccountOptions {
  const options: SandboxAccountOptions = {};
  if (flags.retailers !== undefined) {
    const ids = String(flags.retailers)
      .split(',')
      .map((id) => id.trim());
    if (ids.some((id) => id === '')) {
      throw new UsageError(
        `--retailers must list retailer ids separated by commas (e.g. 1,2,3), not '${escapeControl(String(flags.retailers))}'`,
      );
    }
    options.retailers = ids;
  }
  if (flags['login-scope'] !== undefined) {
    const text = String(flags['login-scope']).trim();
    const retailer = /^retailer:(.+)$/i.exec(text)?.[1]?.trim();
    if (text.toLowerCase() === 'account') options.loginScope = { kind: 'account' };
    else if (retailer) options.loginScope = { kind: 'retailer', retailerId: retailer };
    else {
      throw new UsageError(
        `--login-scope must be account or retailer:ID (e.g. retailer:2), not '${escapeControl(text)}'`,
      );
    }
  }
  if (flags['missing-permission'] !== undefined) {
    const given = Array.isArray(flags['missing-permission'])
      ? flags['missing-permission']
      : [flags['missing-permission']];
    options.missingPermissions = given.flatMap((entry) =>
      String(entry)
        .split(',')
        .map((name) => name.trim().toUpperCase())
        .filter((name) => name !== ''),
    );
  }
  if (flags['lookup-match'] !== undefined) options.lookupMatch = String(flags['lookup-match']) as SandboxLookupMatch;
  if (flags['unique-ci'] !== undefined) options.uniqueCi = flags['unique-ci'] === true;
  if (flags['rate-limit-as-error'] !== undefined) options.rateLimitAsError = flags['rate-limit-as-error'] === true;
  // The variants Fluent's docs leave open, and the account: --attributes, --null, --account.
  Object.assign(options, parseVariantFlags(flags));
  return options;
}
