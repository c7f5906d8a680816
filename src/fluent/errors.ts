/**
 * The ways a Fluent request can end other than with data. Three of them stop the run (exit 3, via AbortError);
 * the other two are about one customer and end as that row's outcome.
 */
import { AbortError, UsageError } from '../errors.js';

/** Env variables that hold password-grant credentials; named in messages, their values never are. */
export const PASSWORD_CREDENTIAL_VARIABLES = [
  'FLUENT_CLIENT_ID',
  'FLUENT_CLIENT_SECRET',
  'FLUENT_USERNAME',
  'FLUENT_PASSWORD',
] as const;

/** Env variable that holds a ready-made access token. */
export const TOKEN_CREDENTIAL_VARIABLE = 'FLUENT_ACCESS_TOKEN';

/**
 * A mutation may or may not have been applied: Fluent answered 5xx, the request timed out, or the connection
 * was reset or cut after the request was sent. Never retry it blindly; look the username up first (SPEC §1).
 */
export class AmbiguousMutationError extends Error {
  override name = 'AmbiguousMutationError';
  /** What happened, e.g. `HTTP 502` or `socket closed after the request was sent`; never holds a secret. */
  readonly detail: string;
  constructor(operationName: string, detail: string) {
    super(`${operationName}: the response was lost (${detail}); it may or may not have been applied`);
    this.detail = detail;
  }
}

/** Fluent refused the request for what it says (GraphQL `errors[]`, HTTP 413): permanent, retrying will not help. */
export class FluentDataError extends Error {
  override name = 'FluentDataError';
  /** True when Fluent says the customer already exists (a duplicate create): code C0123E, or its message says so. */
  readonly alreadyExists: boolean;
  /** Fluent's error code when it gave one, e.g. `C0123E` (unique constraint) or `C0141E` (field too long). */
  readonly code: string | undefined;
  /**
   * @param message Fluent's own message(s), joined, already scrubbed of secrets
   * @param code Fluent's error code, from `errors[].extensions.code` or the message
   */
  constructor(message: string, code?: string) {
    super(message);
    this.code = code;
    this.alreadyExists = code === 'C0123E' || /already exist/i.test(message);
  }
}

/**
 * The login lacks a permission the operation needs (Fluent's C0020E, or a 401/403 that says so): every row would
 * fail the same way, so the run stops (exit 3) and the message says which permission to grant and where.
 */
export class PermissionDeniedError extends AbortError {
  override name = 'PermissionDeniedError';
  /** The permission named by Fluent or implied by the operation, e.g. `CUSTOMER_CREATE`; undefined when neither says. */
  readonly permission: string | undefined;
  /** What Fluent answered (scrubbed, one line), e.g. `C0020E: ...` or `HTTP 403`; for a caller's own reason text. */
  readonly detail: string;
  /**
   * @param operationName the GraphQL operation refused, e.g. `CreateCustomer`
   * @param permission the missing permission, when known
   * @param detail what Fluent answered; must hold no secret
   */
  constructor(operationName: string, permission: string | undefined, detail: string) {
    const what = permission ? `the permission ${permission}` : 'a permission it needs';
    super(
      `Fluent refused ${operationName} because the login lacks ${what} (${detail}); grant ${permission ?? 'it'} to ` +
        "the login's role in the account context, then run again (customer-sync doctor checks the login's permissions)",
    );
    this.permission = permission;
    this.detail = detail;
  }
}

/** Fluent refused the credentials: the run stops (exit 3). The message names the env variables, never their values. */
export class CredentialsRefusedError extends AbortError {
  override name = 'CredentialsRefusedError';
  /**
   * @param variables the env variables the credentials came from
   * @param detail what Fluent answered, e.g. `HTTP 401 from /oauth/token`; must not hold a secret
   * @param grantedMomentsAgo true when the refused token was granted by /oauth/token for this very request: the
   *   credentials worked, so the login more likely lacks a permission (Fluent answers 401 for both)
   */
  constructor(variables: readonly string[], detail: string, grantedMomentsAgo = false) {
    super(
      grantedMomentsAgo
        ? `Fluent refused a token that /oauth/token granted moments ago for the credentials from ${variables.join(', ')} ` +
            `(${detail}): the credentials were accepted, so the login may lack a permission rather than have wrong ` +
            "credentials; run customer-sync doctor to see the login's roles and permissions"
        : `Fluent refused the credentials from ${variables.join(', ')} (${detail}); check those variables and run again`,
    );
  }
}

/**
 * Transient failures outlasted the retry budget (a count of attempts, or minutes of refusals for the rate): the run
 * stops (exit 3) and the next run resumes.
 */
export class OmsUnreachableError extends AbortError {
  override name = 'OmsUnreachableError';
  /**
   * @param host the API host (origin) that could not be reached
   * @param lastError the last failure, e.g. `HTTP 503` or `connect ECONNREFUSED 127.0.0.1:9`
   * @param attempts how many attempts were made
   * @param advice what to do, when not "check --api-host and the network" (e.g. after refusals for the rate)
   */
  constructor(host: string, lastError: string, attempts: number, advice?: string) {
    super(
      `Fluent at ${host} could not be reached after ${attempts} attempt${attempts === 1 ? '' : 's'} (last: ${lastError}); ` +
        (advice ?? 'check --api-host and the network, then run again to resume'),
    );
  }
}

/**
 * The API host answered 404 or 405 where Fluent's endpoints are: it is not a Fluent API host, or not its base URL.
 * A usage problem (exit 2), not an outage: no rerun will fix it. The first request finds it (the token grant or the
 * preflight), before any mutation.
 */
export class NotFluentHostError extends UsageError {
  override name = 'NotFluentHostError';
  /**
   * @param apiHost the base URL the client was given
   * @param endpoint the path that was refused, e.g. `/graphql`
   * @param status the HTTP status, 404 or 405
   */
  constructor(apiHost: string, endpoint: string, status: number) {
    super(
      `${apiHost} answered HTTP ${status} to ${endpoint}: it is not a Fluent API host; check --api-host, which is ` +
        "the account's base URL without a path, e.g. https://ACCOUNT.sandbox.api.fluentretail.com",
    );
  }
}
