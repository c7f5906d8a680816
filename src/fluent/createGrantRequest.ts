/**
 * POST /oauth/token over the transport, for createTokenSource: which answers are retried, which are the token source's
 * to read (success and refusal), and which say the API host is not Fluent's.
 */
import type { GrantAnswer } from './createTokenSource.js';
import type { Transport } from './createTransport.js';
import { NotFluentHostError, OmsUnreachableError } from './errors.js';
import { type Attempt, type RetryPolicy, retryAttempts } from './retryAttempts.js';

/**
 * Creates `requestGrant(form, retry)`: a password grant (`retry: true`) is retried like any request; a refresh grant
 * is sent once, its token being single-use, and any failure to get an answer comes back as `lost`.
 *
 * @param headers sent with every grant besides the form's content type (the `fluent.account` header)
 */
export function createGrantRequest(
  transport: Transport,
  retry: RetryPolicy,
  headers: Readonly<Record<string, string>>,
): (form: Record<string, string>, retry: boolean) => Promise<GrantAnswer> {
  const attemptGrant = async (form: Record<string, string>): Promise<Attempt<GrantAnswer>> => {
    const answer = await transport.post(
      '/oauth/token',
      { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
      new URLSearchParams(form).toString(),
    );
    if (answer.kind === 'lost') return { transient: `/oauth/token: ${answer.message}`, rateLimited: false };
    const { status, retryAfter, text } = answer;
    if (status === 429 || status === 408 || status >= 500) {
      return { transient: `HTTP ${status} from /oauth/token`, rateLimited: status === 429, status, retryAfter };
    }
    if (status === 400 || status === 401 || status === 403) return { done: { status, body: parseJson(text) } };
    if (status === 404 || status === 405) throw new NotFluentHostError(transport.apiHost, '/oauth/token', status);
    if (status >= 200 && status < 300) {
      const body = parseJson(text);
      if (body === undefined) return { transient: 'unreadable answer from /oauth/token', rateLimited: false, status };
      return { done: { status, body } };
    }
    throw new OmsUnreachableError(transport.origin, `HTTP ${status} from /oauth/token; is the API host right?`, 1);
  };

  return async (form, again) => {
    if (again) return retryAttempts(() => attemptGrant(form), retry);
    try {
      const result = await attemptGrant(form);
      if ('done' in result) return result.done;
      return { lost: 'transient' in result ? result.transient : 'no answer' };
    } catch (error) {
      if (error instanceof OmsUnreachableError) return { lost: error.message };
      throw error;
    }
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
