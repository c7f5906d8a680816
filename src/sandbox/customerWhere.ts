import { customerFieldsBut } from '../types.js';
import type { CustomerFilter, Reach } from './sandboxStoreTypes.js';
import type { SandboxLookupMatch } from './sandboxTypes.js';

/** A WHERE condition over the `customers` table and its parameters, in order. */
export type CustomerWhere = { ok: true; sql: string; params: unknown[] } | { ok: false; message: string };

/**
 * List filters on columns compared as they are (the value in the list, or NULL when the list holds null): `status` and
 * every customer field but username, which matches as `ref` does.
 */
const PLAIN_LISTS = ['status', ...customerFieldsBut('username')] as const;

/**
 * The condition a `customers` query puts on the table (the columns are named as the fields): within a list values
 * are OR-ed, different filters AND-ed, an empty list filters nothing (like an absent argument), and the login sees
 * only the retailers it reaches. `username` and `ref` match under the account's lookup matching: exactly, without
 * regard to case (`fold`, the SQL function the store registers), or like SQL LIKE on folded text (`%` any run of
 * characters, `_` any one, no escape character). The other lists match exactly, and a null in one matches a
 * customer without that field.
 *
 * @returns the condition, or a message for dates that are not ISO 8601
 */
export function customerWhere(filter: CustomerFilter, reach: Reach, lookupMatch: SandboxLookupMatch): CustomerWhere {
  const terms: string[] = [];
  const params: unknown[] = [];
  for (const column of ['username', 'ref'] as const) {
    const values = filter[column];
    if (!values || values.length === 0) continue;
    const texts = values.filter((value): value is string => typeof value === 'string');
    if (lookupMatch === 'exact') terms.push(`${column} IN (SELECT value FROM json_each(?))`);
    else if (lookupMatch === 'ci') terms.push(`fold(${column}) IN (SELECT value FROM json_each(?))`);
    else terms.push(`EXISTS (SELECT 1 FROM json_each(?) WHERE fold(customers.${column}) LIKE value)`);
    params.push(JSON.stringify(lookupMatch === 'exact' ? texts : texts.map(foldCase)));
  }
  for (const column of PLAIN_LISTS) {
    const values = filter[column] as readonly unknown[] | null | undefined;
    if (!values || values.length === 0) continue;
    const nullable = values.includes(null);
    terms.push(`(${column} IN (SELECT value FROM json_each(?))${nullable ? ` OR ${column} IS NULL` : ''})`);
    params.push(JSON.stringify(values.filter((value) => value !== null)));
  }
  for (const column of ['createdOn', 'updatedOn'] as const) {
    const range = filter[column];
    if (!range) continue;
    const from = range.from == null ? undefined : Date.parse(range.from);
    const to = range.to == null ? undefined : Date.parse(range.to);
    if (Number.isNaN(from) || Number.isNaN(to)) return { ok: false, message: `${column} must hold ISO 8601 dates` };
    if (from !== undefined) {
      terms.push(`epoch_ms(${column}) >= ?`);
      params.push(from);
    }
    if (to !== undefined) {
      terms.push(`epoch_ms(${column}) <= ?`);
      params.push(to);
    }
  }
  if (reach !== undefined) {
    terms.push('retailerId IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify([...reach]));
  }
  return { ok: true, sql: terms.length === 0 ? '1' : terms.join(' AND '), params };
}

/** Case folding for case-insensitive matching: the client's own (usernameKey), for all of Unicode. */
export function foldCase(text: string): string {
  return text.toLowerCase();
}
