/**
 * Fluent credentials come only from the environment (SPEC §2), apart from the options, so they never land in
 * the options object, a report, a log line or the checkpoint.
 */
import { UsageError } from '../errors.js';
import { PASSWORD_CREDENTIAL_VARIABLES, TOKEN_CREDENTIAL_VARIABLE } from './errors.js';

export type Credentials =
  | { kind: 'token'; accessToken: string }
  | { kind: 'password'; clientId: string; clientSecret: string; username: string; password: string };

/**
 * Reads the credentials from env: `FLUENT_ACCESS_TOKEN` (used as is, no grant) or all four of `FLUENT_CLIENT_ID`,
 * `FLUENT_CLIENT_SECRET`, `FLUENT_USERNAME`, `FLUENT_PASSWORD`. Empty values count as unset.
 *
 * @returns undefined when none is set (the caller decides whether it needs them, e.g. `validate` does not)
 * @throws UsageError when only part of the password set is given, naming the missing variables (never a value)
 */
export function readCredentials(env: NodeJS.ProcessEnv): Credentials | undefined {
  const accessToken = env[TOKEN_CREDENTIAL_VARIABLE];
  if (accessToken) return { kind: 'token', accessToken };
  const [clientId, clientSecret, username, password] = PASSWORD_CREDENTIAL_VARIABLES.map((name) => env[name]);
  const missing = PASSWORD_CREDENTIAL_VARIABLES.filter((name) => !env[name]);
  if (missing.length === PASSWORD_CREDENTIAL_VARIABLES.length) return undefined;
  if (missing.length > 0 || !clientId || !clientSecret || !username || !password) {
    throw new UsageError(
      `incomplete Fluent credentials: ${missing.join(', ')} not set; set all of ` +
        `${PASSWORD_CREDENTIAL_VARIABLES.join(', ')} (or ${TOKEN_CREDENTIAL_VARIABLE})`,
    );
  }
  return { kind: 'password', clientId, clientSecret, username, password };
}

/**
 * The credential values to scrub from any output (logs, reports, error messages). The client id and username
 * are included too: SPEC §2 says credentials are never echoed, not only the secret parts.
 */
export function secretValues(c: Credentials): string[] {
  const values = c.kind === 'token' ? [c.accessToken] : [c.clientSecret, c.password, c.clientId, c.username];
  return values.filter((value) => value.length > 0);
}
