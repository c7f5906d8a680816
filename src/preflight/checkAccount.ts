import type { FluentClient } from '../fluent/createFluentClient.js';
import { escapeControl } from '../shared/escapeControl.js';
import type { UniquenessScope, WriteMode } from '../types.js';
import { assessLogin, type CustomerPermission } from './assessLogin.js';
import { neededPermissions } from './neededPermissions.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One finding of a check: a line of `doctor`, and for a sync a warning or the one-line reason it cannot run. */
export interface CheckLine {
  check: string;
  status: CheckStatus;
  message: string;
}

/** Retailer ids named in a message when `--retailer-id` does not exist. */
const SUGGESTED_RETAILERS = 10;

/**
 * Checks that this login can run this job against this account (SPEC §1, §2), with a few queries and no mutation:
 * its roles (`me`) hold the permissions the run needs for the retailer (neededPermissions: by dry run and `--mode`), its customer roles reach the whole account
 * (or only some retailers: then account-wide uniqueness cannot be checked), and `--retailer-id` exists for it. Where
 * the login may not read its own roles or the retailers, that is said as a warning, never guessed.
 */
export async function checkAccount(
  client: Pick<FluentClient, 'readLogin' | 'findRetailer' | 'listRetailers'>,
  input: {
    retailerId: string;
    dryRun: boolean;
    allowScopedLogin: boolean;
    /** `--mode`: an update-only run needs no CUSTOMER_CREATE, a create-only one no CUSTOMER_UPDATE. */
    writeMode?: WriteMode | undefined;
  },
): Promise<{ lines: CheckLine[]; uniqueness: UniquenessScope }> {
  const lines: CheckLine[] = [];
  let uniqueness: UniquenessScope;
  const needs: readonly CustomerPermission[] = neededPermissions(input);

  const login = await client.readLogin();
  if (!login.ok) {
    const reason = clean(login.reason);
    lines.push({
      check: 'login',
      status: 'warn',
      message: `cannot read this Fluent login's roles (${reason}); its permissions and whether it sees the whole account are not checked before the run, so a username held by a retailer it cannot see would not be found`,
    });
    uniqueness = { checkedAcross: 'unchecked', reason: `the login's roles could not be read: ${reason}` };
  } else {
    const assessment = assessLogin(login.login, { retailerId: input.retailerId, needs });
    const roles = assessment.customerRoles.length > 0 ? assessment.customerRoles.map(clean).join(', ') : 'none';
    // The login's name is FLUENT_USERNAME, a credential: never printed.
    lines.push({ check: 'login', status: 'ok', message: `roles read; customer roles: ${roles}` });
    lines.push(
      assessment.missing.length > 0
        ? {
            check: 'permissions',
            status: 'fail',
            message: `the Fluent login lacks ${assessment.missing.join(', ')} for retailer ${input.retailerId} (customer roles: ${roles}); ask an account admin to grant ${assessment.missing.length === 1 ? 'it' : 'them'} to the login's role in the account context${input.dryRun ? '' : ', or try --dry-run, which needs only CUSTOMER_VIEW'}`,
          }
        : { check: 'permissions', status: 'ok', message: `${needs.join(', ')} held for retailer ${input.retailerId}` },
    );
    if (assessment.reach.kind === 'account') {
      uniqueness = { checkedAcross: 'account' };
      lines.push({
        check: 'reach',
        status: 'ok',
        message: 'the login sees the whole account: usernames are checked across every retailer',
      });
    } else {
      const { retailers } = assessment.reach;
      const named =
        retailers.length > 0 ? `retailer${retailers.length === 1 ? '' : 's'} ${retailers.join(', ')}` : 'no retailer';
      uniqueness = { checkedAcross: 'retailers', retailers };
      lines.push(
        input.allowScopedLogin
          ? {
              check: 'reach',
              status: 'warn',
              message: `the login's customer roles hold only ${named}: usernames are checked for uniqueness across ${retailers.length === 1 ? 'it' : 'those'} only (--allow-scoped-login)`,
            }
          : {
              check: 'reach',
              status: 'fail',
              message: `the Fluent login's customer roles hold only retailer contexts (${named}), so it cannot see other retailers' customers and account-wide username uniqueness cannot be checked; use a login whose customer role holds the account context, or pass --allow-scoped-login to check across ${named} only`,
            },
      );
    }
  }

  lines.push(await checkRetailer(client, input.retailerId));
  return { lines, uniqueness };
}

async function checkRetailer(
  client: Pick<FluentClient, 'findRetailer' | 'listRetailers'>,
  retailerId: string,
): Promise<CheckLine> {
  const found = await client.findRetailer(retailerId);
  if (!found.ok) {
    return {
      check: 'retailer',
      status: 'warn',
      message: `cannot check that retailer ${retailerId} exists (${clean(found.reason)}); a wrong --retailer-id would make every create fail`,
    };
  }
  if (found.retailer === null) {
    const listed = await client.listRetailers();
    const seen =
      listed.ok && listed.retailers.length > 0
        ? ` (it can see retailer${listed.retailers.length === 1 ? '' : 's'} ${listed.retailers
            .slice(0, SUGGESTED_RETAILERS)
            .map((r) => clean(r.tradingName ? `${r.id} (${r.tradingName})` : r.id))
            .join(', ')}${listed.retailers.length > SUGGESTED_RETAILERS ? ', …' : ''})`
        : '';
    return {
      check: 'retailer',
      status: 'fail',
      message: `retailer ${retailerId} does not exist for this Fluent login${seen}; check --retailer-id`,
    };
  }
  const { retailer } = found;
  const name = retailer.tradingName ? ` (${clean(retailer.tradingName)})` : '';
  if (retailer.status && retailer.status.toUpperCase() !== 'ACTIVE') {
    return {
      check: 'retailer',
      status: 'warn',
      message: `retailer ${retailerId}${name} is ${clean(retailer.status)}; customers created for it may not be usable`,
    };
  }
  return { check: 'retailer', status: 'ok', message: `retailer ${retailerId}${name} exists` };
}

/** Text from the OMS, safe to print: no control characters. */
function clean(text: string): string {
  return escapeControl(text);
}
