/** The customer permissions a run needs (SPEC §1): every GraphQL operation is guarded by ENTITY_ACTION. */
export type CustomerPermission = 'CUSTOMER_VIEW' | 'CUSTOMER_CREATE' | 'CUSTOMER_UPDATE';

/** A login's roles as `me` answers them (context types compared without regard to case). */
export interface LoginRoles {
  roles: readonly { name: string; permissions: readonly string[]; contexts: readonly { type: string; id: string }[] }[];
}

/** How far the login's customer lookups reach, which is how far account-wide uniqueness can be checked. */
export type LoginReach = { kind: 'account' } | { kind: 'retailers'; retailers: string[] };

export interface LoginAssessment {
  reach: LoginReach;
  /** Needed permissions the login does not hold for the run's retailer, in the order asked. */
  missing: CustomerPermission[];
  /** Names of the roles that hold customer permissions, for messages. */
  customerRoles: string[];
}

/**
 * What a login may do for one retailer, from its roles (Fluent's "Users, Roles, and Permissions"): a permission counts
 * where a role holding it has an account context, or a retailer context of that retailer. The login's reach is that of
 * its CUSTOMER_VIEW roles: a login whose customer roles hold only retailer contexts sees only those retailers'
 * customers, so it cannot check that a username is free across the account. Location contexts count for neither.
 * Pure.
 */
export function assessLogin(
  login: LoginRoles,
  input: { retailerId: string; needs: readonly CustomerPermission[] },
): LoginAssessment {
  const holding = (permission: string) => login.roles.filter((role) => role.permissions.includes(permission));
  const isAccount = (context: { type: string }) => context.type.toLowerCase() === 'account';
  const isRetailer = (context: { type: string }) => context.type.toLowerCase() === 'retailer';

  const missing = input.needs.filter(
    (permission) =>
      !holding(permission).some((role) =>
        role.contexts.some((c) => isAccount(c) || (isRetailer(c) && c.id === input.retailerId)),
      ),
  );
  const viewers = holding('CUSTOMER_VIEW');
  const reach: LoginReach = viewers.some((role) => role.contexts.some(isAccount))
    ? { kind: 'account' }
    : {
        kind: 'retailers',
        retailers: [...new Set(viewers.flatMap((role) => role.contexts.filter(isRetailer).map((c) => c.id)))].sort(
          byNumber,
        ),
      };
  const customerRoles = login.roles
    .filter((role) => role.permissions.some((permission) => permission.startsWith('CUSTOMER_')))
    .map((role) => role.name);
  return { reach, missing, customerRoles };
}

function byNumber(a: string, b: string): number {
  return Number(a) - Number(b) || a.localeCompare(b);
}
