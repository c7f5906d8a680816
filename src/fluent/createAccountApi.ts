/**
 * The questions a preflight asks about the account: who the login is, which retailers exist, whether Fluent answers
 * aliased fields one by one (as `--batch` needs). Fluent refusing to answer is a finding (`ok: false`), not a failure.
 */
import type { GraphqlOperation, GraphqlResult } from './createGraphqlExecutor.js';
import { FIND_RETAILER, LIST_RETAILERS, PROBE_ALIASES, READ_LOGIN } from './documents.js';
import { FluentDataError, PermissionDeniedError } from './errors.js';
import type { AccountAnswer, FluentClient } from './fluentClientTypes.js';
import { type ConnectionPage, paginate } from './paginate.js';
import { type LoginInfo, toLoginInfo, type UserNode } from './toLoginInfo.js';
import { type RetailerInfo, type RetailerNode, toRetailerInfo } from './toRetailerInfo.js';

/** A preflight lists retailers to help pick `--retailer-id`; an account with more is listed in part. */
export const MAX_RETAILERS = 5000;
const RETAILER_PAGE_SIZE = 200;

type Execute = (operation: GraphqlOperation) => Promise<GraphqlResult>;

export type AccountApi = Pick<FluentClient, 'readLogin' | 'findRetailer' | 'listRetailers' | 'probeAliases'>;

/**
 * Creates the account API over `execute` (createGraphqlExecutor).
 *
 * @param clean makes an id fit for a message
 * @param random names the probe's usernames, which no customer has
 */
export function createAccountApi(execute: Execute, clean: (text: string) => string, random: () => number): AccountApi {
  const query = async (operationName: string, text: string, variables: object) =>
    (await execute({ operationName, query: text, variables, kind: 'query' })).data;

  return {
    readLogin: () =>
      askAccount<{ login: LoginInfo }>('read who the login is', async () => {
        const me = (await query('ReadLogin', READ_LOGIN, {})).me as UserNode | null | undefined;
        if (typeof me !== 'object' || me === null) {
          return { ok: false, reason: 'Fluent answered no login for this token (me is null)' };
        }
        return { ok: true, login: toLoginInfo(me) };
      }),
    findRetailer: (id) =>
      askAccount<{ retailer: RetailerInfo | null }>(`look retailer ${clean(id)} up`, async () => {
        try {
          const node = (await query('FindRetailer', FIND_RETAILER, { id })).retailerById as RetailerNode | null;
          return { ok: true, retailer: typeof node === 'object' && node !== null ? toRetailerInfo(node) : null };
        } catch (error) {
          // Some Fluent queries answer "not found" as an error rather than null.
          if (error instanceof FluentDataError && error.code === 'C0120E') return { ok: true, retailer: null };
          throw error;
        }
      }),
    listRetailers: () =>
      askAccount<{ retailers: RetailerInfo[]; truncated: boolean }>('list the retailers', async () => {
        const retailers: RetailerInfo[] = [];
        const listing = await paginate<RetailerNode>({
          fetchPage: async (after) =>
            (await query('ListRetailers', LIST_RETAILERS, { first: RETAILER_PAGE_SIZE, after }))
              .retailers as ConnectionPage<RetailerNode> | null,
          idOf: (node) => (node.id === undefined || node.id === null ? undefined : String(node.id)),
          onPage: (nodes) => {
            for (const node of nodes) retailers.push(toRetailerInfo(node));
            return retailers.length >= MAX_RETAILERS ? 'stop' : undefined;
          },
          noun: 'retailers',
        });
        if (listing.complete) return { ok: true, retailers, truncated: false };
        if (listing.stopped) return { ok: true, retailers: retailers.slice(0, MAX_RETAILERS), truncated: true };
        return { ok: false, reason: listing.warning };
      }),
    probeAliases: () =>
      askAccount<object>('answer aliased lookups', async () => {
        // Names no customer has, so the answer must be two empty lookups, each under its own alias.
        const probe = () => `customer-sync-probe-${random().toString(36).slice(2, 10)}`;
        const data = await query('ProbeAliases', PROBE_ALIASES, { first: [probe()], second: [probe()], size: 1 });
        const answered = ['a0', 'a1'].filter((alias) => {
          const connection = data[alias] as { edges?: unknown } | null | undefined;
          return typeof connection === 'object' && connection !== null && Array.isArray(connection.edges);
        });
        if (answered.length < 2) {
          return { ok: false, reason: 'Fluent did not answer each aliased lookup under its own alias' };
        }
        return { ok: true };
      }),
  };
}

/**
 * Runs a question about the account, turning "Fluent will not or cannot answer" into `ok: false`: a missing
 * permission, or a data error such as a schema without the field asked for.
 */
async function askAccount<T>(what: string, ask: () => Promise<AccountAnswer<T>>): Promise<AccountAnswer<T>> {
  try {
    return await ask();
  } catch (error) {
    if (error instanceof PermissionDeniedError) {
      return { ok: false, reason: `the login may not ${what} (${error.detail})` };
    }
    if (error instanceof FluentDataError) return { ok: false, reason: `Fluent cannot ${what}: ${error.message}` };
    throw error;
  }
}
