/**
 * Sorts a failed HTTP exchange into "never sent" (safe to retry, even a mutation) and "maybe applied".
 */

/** Failures that happen while connecting, before a byte of the request is written. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export interface TransportFailure {
  /** False only when the request certainly never left: a mutation may then be retried. */
  sent: boolean;
  /** One line for logs and error messages, e.g. `connect ECONNREFUSED 127.0.0.1:9`. */
  message: string;
}

/**
 * Describes an error thrown by undici (or Node's net layer) for one request. Anything not known to happen
 * before sending — a reset, a closed socket, a headers or body timeout — counts as sent: a mutation is then
 * ambiguous, and the caller looks it up rather than risk creating a customer twice.
 */
export function describeTransportError(error: unknown): TransportFailure {
  const code = findErrorCode(error);
  const message = findErrorMessage(error);
  return {
    sent: code === undefined || !NOT_SENT_CODES.has(code),
    message: code && !message.includes(code) ? `${code}: ${message}` : message,
  };
}

/** Node wraps happy-eyeballs connect failures in an AggregateError and undici sometimes sets `cause`. */
function findErrorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 3) return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  if (Array.isArray(errors)) {
    for (const inner of errors) {
      const found = findErrorCode(inner, depth + 1);
      if (found) return found;
    }
  }
  return findErrorCode(cause, depth + 1);
}

/** An AggregateError's own message is often empty; its first inner error says what happened. */
function findErrorMessage(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  const inner = (error as { errors?: unknown } | null)?.errors;
  if (Array.isArray(inner) && inner[0] instanceof Error && inner[0].message) return inner[0].message;
  return String(error);
}
