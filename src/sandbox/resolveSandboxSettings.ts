import { UsageError } from '../errors.js';
import { escapeControl } from '../shared/escapeControl.js';
import {
  SANDBOX_PERMISSIONS,
  type SandboxOptions,
  type SandboxPermission,
  type SandboxSettings,
  type SeedCustomer,
} from './sandboxTypes.js';

/** Retailers a sandbox holds when none are declared (SPEC §6). */
export const DEFAULT_RETAILERS: readonly string[] = ['1', '2', '3'];

/** Fluent's retailer ids are numbers; letters and a few marks are allowed so a test can name one plainly. */
const RETAILER_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const LOOKUP_MATCHES = ['exact', 'ci', 'like'] as const;
const ATTRIBUTE_UPDATES = ['replace', 'merge'] as const;
const NULL_UPDATES = ['clear', 'ignore'] as const;
/** What a `fluent.account` header can carry: Fluent's account ids are short names in capitals and digits. */
const ACCOUNT_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Fills in the account's settings from `startSandbox`'s options: the declared retailers (plus every retailer of
 * the seed, so a seed never holds a customer of a retailer that does not exist), the login's scope, the
 * permissions it lacks and the matching rules. Settings come from tests and from CLI flags, so each is checked:
 * a typo (an unknown permission, a scope on a retailer that does not exist) would otherwise quietly test nothing.
 *
 * @throws UsageError with a one-line message naming the bad setting
 */
export function resolveSandboxSettings(options: SandboxOptions, seed: readonly SeedCustomer[]): SandboxSettings {
  const declared = options.retailers ?? DEFAULT_RETAILERS;
  for (const id of declared) {
    if (typeof id !== 'string' || !RETAILER_ID.test(id)) {
      throw new UsageError(
        `sandbox retailer id '${escapeControl(String(id))}' must be 1 to 64 letters, digits, '.', '_' or '-'`,
      );
    }
  }
  const retailers = sortRetailerIds(new Set([...declared, ...seed.map((customer) => customer.retailerId)]));

  const loginScope = options.loginScope ?? { kind: 'account' };
  if (loginScope.kind !== 'account' && loginScope.kind !== 'retailer') {
    throw new UsageError('the sandbox login scope must be account or retailer:ID');
  }
  if (loginScope.kind === 'retailer' && !retailers.includes(loginScope.retailerId)) {
    throw new UsageError(
      `the sandbox login is scoped to retailer '${escapeControl(loginScope.retailerId)}', which it does not hold; ` +
        `declare it among the retailers (${retailers.join(', ')})`,
    );
  }

  const missingPermissions: SandboxPermission[] = [];
  for (const name of options.missingPermissions ?? []) {
    if (!(SANDBOX_PERMISSIONS as readonly string[]).includes(name)) {
      throw new UsageError(
        `unknown sandbox permission '${escapeControl(name)}'; use one of ${SANDBOX_PERMISSIONS.join(', ')}`,
      );
    }
    if (!missingPermissions.includes(name as SandboxPermission)) missingPermissions.push(name as SandboxPermission);
  }

  const lookupMatch = options.lookupMatch ?? 'exact';
  if (!LOOKUP_MATCHES.includes(lookupMatch)) {
    throw new UsageError(
      `sandbox lookup matching '${escapeControl(String(lookupMatch))}' must be one of ${LOOKUP_MATCHES.join(', ')}`,
    );
  }
  return {
    retailers,
    loginScope: loginScope.kind === 'account' ? { kind: 'account' } : { ...loginScope },
    missingPermissions,
    lookupMatch,
    uniqueCi: options.uniqueCi === true,
    rateLimitAsError: options.rateLimitAsError === true,
    ...resolveVariants(options),
  };
}

/** Numeric ids in numeric order, then any others in code-point order: how a person expects `retailers` to list. */
function sortRetailerIds(ids: Iterable<string>): string[] {
  const numeric = (id: string) => /^\d+$/.test(id);
  return [...ids].sort((a, b) => {
    if (numeric(a) && numeric(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
    if (numeric(a) !== numeric(b)) return numeric(a) ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

/** The variants Fluent's docs leave open, and the account the sandbox stands for. */
function resolveVariants(
  options: SandboxOptions,
): Pick<SandboxSettings, 'attributeUpdates' | 'nullUpdates' | 'storedValues' | 'account'> {
  const attributeUpdates = options.attributeUpdates ?? 'replace';
  if (!ATTRIBUTE_UPDATES.includes(attributeUpdates)) {
    throw new UsageError(
      `sandbox attribute updates '${escapeControl(String(attributeUpdates))}' must be one of ${ATTRIBUTE_UPDATES.join(', ')}`,
    );
  }
  const nullUpdates = options.nullUpdates ?? 'clear';
  if (!NULL_UPDATES.includes(nullUpdates)) {
    throw new UsageError(
      `sandbox null updates '${escapeControl(String(nullUpdates))}' must be one of ${NULL_UPDATES.join(', ')}`,
    );
  }
  const account = options.account ?? null;
  if (account !== null && (typeof account !== 'string' || !ACCOUNT_ID.test(account))) {
    throw new UsageError(
      `sandbox account '${escapeControl(String(account))}' must be 1 to 64 letters, digits, '.', '_' or '-'`,
    );
  }
  const { reformatPhone, truncateNames } = options.storedValues ?? {};
  if (truncateNames !== undefined && !(Number.isSafeInteger(truncateNames) && truncateNames >= 1)) {
    throw new UsageError('sandbox name truncation must be a whole number of characters of at least 1');
  }
  const storedValues = {
    ...(reformatPhone === true ? { reformatPhone } : {}),
    ...(truncateNames === undefined ? {} : { truncateNames }),
  };
  return { attributeUpdates, nullUpdates, account, ...(Object.keys(storedValues).length > 0 ? { storedValues } : {}) };
}
