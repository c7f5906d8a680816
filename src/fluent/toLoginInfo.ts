/**
 * The login as Fluent's `me` describes it, in plain values a preflight can check: which roles it holds, with
 * which permissions, in which contexts (SPEC §1: a login whose customer roles hold only retailer contexts cannot
 * see other retailers' customers).
 */

export interface LoginInfo {
  id: string;
  username: string;
  roles: LoginRole[];
}

export interface LoginRole {
  name: string;
  /** Permission names, e.g. `CUSTOMER_VIEW`. */
  permissions: string[];
  /** Where the role holds; `type` lower-cased (`account`, `retailer`, `location`), since Fluent's case varies. */
  contexts: { type: string; id: string }[];
}

/** The `me` selection of READ_LOGIN, as it comes off the wire (any part may be null). */
export interface UserNode {
  id?: unknown;
  username?: unknown;
  roles?: Array<{
    role?: { name?: unknown; permissions?: Array<{ name?: unknown } | null> | null } | null;
    contexts?: Array<{ contextType?: unknown; contextId?: unknown } | null> | null;
  } | null> | null;
}

/** Reads `me` into a LoginInfo, leaving out null entries and nameless roles or permissions. */
export function toLoginInfo(node: UserNode): LoginInfo {
  const roles: LoginRole[] = [];
  for (const entry of node.roles ?? []) {
    const name = entry?.role?.name;
    if (typeof name !== 'string' || name === '') continue;
    roles.push({
      name,
      permissions: (entry?.role?.permissions ?? []).flatMap((permission) =>
        typeof permission?.name === 'string' && permission.name !== '' ? [permission.name] : [],
      ),
      contexts: (entry?.contexts ?? []).flatMap((context) =>
        typeof context?.contextType === 'string' && context.contextId !== undefined && context.contextId !== null
          ? [{ type: context.contextType.toLowerCase(), id: String(context.contextId) }]
          : [],
      ),
    });
  }
  return { id: String(node.id ?? ''), username: String(node.username ?? ''), roles };
}
