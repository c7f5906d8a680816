/**
 * The ways a Fluent request can end other than with data. Two of them stop the run (exit 3, via AbortError);
 * the other two are about one customer and end as that row's outcome.
 */
import { AbortError } from '../errors.js';

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
  /** True when Fluent says the customer already exists (a duplicate create). */
  readonly alreadyExists: boolean;
  /** @param message Fluent's own message(s), joined. */
  constructor(message: string) {
    super(message);
    this.alreadyExists = /already exist/i.test(message);
  }
}

/** Fluent refused the credentials: the run stops (exit 3). The message names the env variables, never their values. */
export class CredentialsRefusedError extends AbortError {
  override name = 'CredentialsRefusedError';
  /**
   * @param variables the env variables the credentials came from
   * @param detail what Fluent answered, e.g. `HTTP 401 from /oauth/token`; must not hold a secret
   */
  constructor(variables: readonly string[], detail: string) {
    super(
      `Fluent refused the credentials from ${variables.join(', ')} (${detail}); check those variables and run again`,
    );
  }
}

/** Transient failures outlasted the retry budget: the run stops (exit 3) and the next run resumes. */
export class OmsUnreachableError extends AbortError {
  override name = 'OmsUnreachableError';
  /**
   * @param host the API host (origin) that could not be reached
   * @param lastError the last failure, e.g. `HTTP 503` or `connect ECONNREFUSED 127.0.0.1:9`
   * @param attempts how many attempts were made
   */
  constructor(host: string, lastError: string, attempts: number) {
    super(
      `Fluent at ${host} could not be reached after ${attempts} attempt${attempts === 1 ? '' : 's'} (last: ${lastError}); ` +
        'check --api-host and the network, then run again to resume',
    );
  }
}
