import { UsageError } from '../errors.js';
import type { SandboxCredentials } from './sandboxTypes.js';

/**
 * The only credentials the sandbox should accept, from `SANDBOX_CREDENTIALS=id:secret:user:pass` (SPEC §6).
 * The password is everything after the third colon, so it may hold colons itself.
 *
 * @returns undefined when the variable is unset or empty: the sandbox then accepts any non-empty values
 * @throws UsageError when malformed; the message never repeats the value, which holds secrets
 */
export function readSandboxCredentials(env: NodeJS.ProcessEnv): SandboxCredentials | undefined {
  const value = env.SANDBOX_CREDENTIALS;
  if (value === undefined || value === '') return undefined;
  const first = value.indexOf(':');
  const second = first < 0 ? -1 : value.indexOf(':', first + 1);
  const third = second < 0 ? -1 : value.indexOf(':', second + 1);
  const parts = [
    value.slice(0, first),
    value.slice(first + 1, second),
    value.slice(second + 1, third),
    value.slice(third + 1),
  ];
  if (third < 0 || parts.some((part) => part === '')) {
    throw new UsageError(
      'SANDBOX_CREDENTIALS must be clientId:clientSecret:username:password with no part empty (value not shown)',
    );
  }
  const [clientId, clientSecret, username, password] = parts as [string, string, string, string];
  return { clientId, clientSecret, username, password };
}
