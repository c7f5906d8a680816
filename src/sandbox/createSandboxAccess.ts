import { SANDBOX_PERMISSIONS, type SandboxPermission, type SandboxSettings } from './sandboxTypes.js';

/** The account's id when it is not named (`account`): the context id of a role held across the whole account. */
export const SANDBOX_ACCOUNT_ID = 'SANDBOX';

/** What `me` and the token answer call the login. */
const LOGIN_NAME = { firstName: 'Sandbox', lastName: 'Login' };

/** The role that lets the login sync customers, holding every permission the sandbox knows unless told otherwise. */
export const CUSTOMER_ROLE_NAME = 'CUSTOMER_SYNC';

/**
 * A second role every login holds, as real logins hold several: no customer permission, in a location context.
 * A client that decides the login's scope from all its roles instead of its customer roles gets it wrong here.
 */
const OTHER_ROLE = {
  role: { id: '2', name: 'ORDER_VIEWER', permissions: [{ name: 'ORDER_VIEW' }] },
  contexts: [{ contextType: 'location', contextId: '1001' }],
};

/** A role assignment as `me { roles { role { ... } contexts { ... } } }` answers it. */
export interface SandboxUserRole {
  role: { id: string; name: string; permissions: { name: string }[] };
  contexts: { contextType: string; contextId: string }[];
}

/** A login as `me` and `user` answer it, less `primaryRetailer`, which the GraphQL layer resolves from the id. */
export interface SandboxUser {
  id: string;
  ref: string;
  username: string;
  firstName: string;
  lastName: string;
  type: string;
  status: string;
  createdOn: string;
  updatedOn: string;
  primaryRetailerId: string | undefined;
  roles: SandboxUserRole[];
}

/** Fluent's extra fields in a token answer, beside access_token, token_type, expires_in and scope. */
export interface TokenProfile {
  Retailer_id: string | null;
  FirstName: string;
  LastName: string;
  Roles: string[];
}

export interface SandboxAccess {
  /** Whether the login holds this permission. */
  permits(permission: SandboxPermission): boolean;
  /** Whether the login's customer role reaches this retailer: always for an account login. */
  reaches(retailerId: string): boolean;
  /** The retailers the login sees, or undefined when it sees the whole account. */
  visibleRetailers(): ReadonlySet<string> | undefined;
  /** The user a token of this username stands for; the same id for the same username for the sandbox's life. */
  userFor(username: string): SandboxUser;
  /** What a token answer says of the login. */
  tokenProfile(): TokenProfile;
}

/**
 * Who the sandbox's login is and what it may do (the access schema's facts): one customer role in an account
 * context, or in one retailer's context for a retailer-scoped login, holding every permission the sandbox
 * knows except the missing ones; and an unrelated second role.
 */
export function createSandboxAccess(settings: SandboxSettings, now: () => number): SandboxAccess {
  const scope = settings.loginScope;
  const held = new Set<SandboxPermission>(
    SANDBOX_PERMISSIONS.filter((name) => !settings.missingPermissions.includes(name)),
  );
  const visible = scope.kind === 'retailer' ? new Set([scope.retailerId]) : undefined;
  const primaryRetailerId = scope.kind === 'retailer' ? scope.retailerId : settings.retailers[0];
  const customerRole: SandboxUserRole = {
    role: { id: '1', name: CUSTOMER_ROLE_NAME, permissions: [...held].map((name) => ({ name })) },
    contexts: [
      scope.kind === 'retailer'
        ? { contextType: 'retailer', contextId: scope.retailerId }
        : { contextType: 'account', contextId: settings.account ?? SANDBOX_ACCOUNT_ID },
    ],
  };
  const users = new Map<string, SandboxUser>();

  function userFor(username: string): SandboxUser {
    let user = users.get(username);
    if (!user) {
      const at = new Date(now()).toISOString();
      user = {
        id: String(1001 + users.size),
        ref: username,
        username,
        firstName: LOGIN_NAME.firstName,
        lastName: LOGIN_NAME.lastName,
        // Fluent's user types: ADMIN for an account user, RETAILER for a user of one retailer.
        type: scope.kind === 'retailer' ? 'RETAILER' : 'ADMIN',
        status: 'ACTIVE',
        createdOn: at,
        updatedOn: at,
        primaryRetailerId,
        roles: [customerRole, OTHER_ROLE],
      };
      users.set(username, user);
    }
    return user;
  }

  return {
    permits: (permission) => held.has(permission),
    reaches: (retailerId) => visible === undefined || visible.has(retailerId),
    visibleRetailers: () => visible,
    userFor,
    tokenProfile: () => ({
      Retailer_id: primaryRetailerId ?? null,
      FirstName: LOGIN_NAME.firstName,
      LastName: LOGIN_NAME.lastName,
      Roles: [customerRole.role.name, OTHER_ROLE.role.name],
    }),
  };
}
