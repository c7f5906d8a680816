/**
 * What one answer to a GraphQL request means for the client, decided in one place from the HTTP status and the body
 * (SPEC §1). Pure: the same answer always gets the same verdict, so every code position and format is table-tested.
 */
import type { HttpAnswer } from './createTransport.js';
import { type BatchReading, readBatchAnswer } from './readBatchAnswer.js';
import { readFluentErrors } from './readFluentErrors.js';

/** A query can be asked again; a mutation (alone or a batch of aliases) may have been applied by a failed exchange. */
export type OperationKind = 'query' | 'mutation' | 'batch';

export interface AnswerContext {
  operationName: string;
  kind: OperationKind;
  /** A batch's aliases (`c0`, `u1`, …): its answer is read alias by alias before the errors of the whole request. */
  aliases?: readonly string[];
  /**
   * This request was answered 401 before, and the token just refused was granted after that: the credentials are
   * refused rather than a token expired.
   */
  refusedOnNewerToken: boolean;
  /** Applied to every text Fluent sends back before it is read or quoted: masks secrets, escapes control characters. */
  clean: (text: string) => string;
}

/**
 * The verdict:
 * - `ok`: the data (a batch: read alias by alias; `rateLimited` aliases were refused for the rate).
 * - `transient-rate`: refused for the rate (HTTP 429, C0011E); not applied; wait (Retry-After, else long) and resend.
 * - `transient-server`: not applied, or a query: back off and resend (5xx to a query, 408, network, C0003E, S/T codes).
 * - `renew-token`: a 401 on a token that may have expired: renew it (one grant for all) and resend at once.
 * - `credentials-refused`: a 401 on a token granted after this request's previous 401.
 * - `ambiguous-mutation`: a mutation's answer cannot be trusted (5xx, S/T code, cut, unreadable): maybe applied.
 * - `permission-denied`: C0020E, a 403, or a 401 that says so: the login lacks a permission; the run stops.
 * - `complexity`: C0001E, over Fluent's query complexity limit: a smaller page or batch may pass.
 * - `already-exists`: C0123E or "already exists": a create that a lookup must resolve.
 * - `data-error`: Fluent refused the request for what it says (other codes, 413, a 4xx): permanent.
 * - `not-fluent-host`: 404 or 405 where /graphql should be.
 */
export type AnswerVerdict =
  | { kind: 'ok'; data: Record<string, unknown>; batch?: BatchReading; rateLimited: number }
  | { kind: 'transient-rate'; reason: string; retryAfter: string | undefined }
  | { kind: 'transient-server'; reason: string; retryAfter: string | undefined }
  | { kind: 'renew-token' }
  | { kind: 'credentials-refused'; detail: string }
  | { kind: 'ambiguous-mutation'; detail: string }
  | { kind: 'permission-denied'; permission: string | undefined; detail: string }
  | { kind: 'complexity'; message: string }
  | { kind: 'already-exists'; message: string; code: string | undefined }
  | { kind: 'data-error'; message: string; code: string | undefined }
  | { kind: 'not-fluent-host'; status: number };

/** The permission each customer operation needs (Fluent's "GraphQL Permissions": ENTITY_ACTION). */
const OPERATION_PERMISSIONS: Readonly<Record<string, string>> = {
  FindCustomers: 'CUSTOMER_VIEW',
  ListCustomers: 'CUSTOMER_VIEW',
  CreateCustomer: 'CUSTOMER_CREATE',
  UpdateCustomer: 'CUSTOMER_UPDATE',
};

/** Fluent's retry-later codes, said in a few fixed words: a server's own text may echo anything. */
const TRANSIENT_WORDS: Readonly<Record<string, string>> = {
  C0011E: 'rate limit exceeded',
  C0003E: 'not ready yet, retry later',
};

/**
 * Classifies one answer (or its absence) to a GraphQL request. Fluent's error codes decide before the HTTP status,
 * since Fluent sends them inside HTTP 200 as often as with 400; what a code means follows SPEC §1.
 */
export function classifyAnswer(answer: HttpAnswer, context: AnswerContext): AnswerVerdict {
  const { operationName, kind, clean } = context;
  const mutation = kind !== 'query';
  if (answer.kind === 'lost') {
    if (mutation && answer.sent) return { kind: 'ambiguous-mutation', detail: answer.message };
    return { kind: 'transient-server', reason: answer.message, retryAfter: undefined };
  }
  const { status, retryAfter, text } = answer;

  if (status === 401 || status === 403) {
    // Fluent answers 401 for a bad token and for a missing permission alike; the body tells them apart.
    const refusal = readFluentErrors(parseJson(text) ?? plainText(text), clean);
    if (status === 403 || refusal?.deniesPermission) {
      return {
        kind: 'permission-denied',
        permission: refusal?.permission ?? OPERATION_PERMISSIONS[operationName],
        detail: refusal ? `HTTP ${status}: ${refusal.text}` : `HTTP ${status}`,
      };
    }
    if (context.refusedOnNewerToken) return { kind: 'credentials-refused', detail: `HTTP 401 to ${operationName}` };
    return { kind: 'renew-token' };
  }
  if (status === 429) return { kind: 'transient-rate', reason: 'HTTP 429', retryAfter };
  // 408: the server gave up before reading the whole request, so nothing was applied.
  if (status === 408) return { kind: 'transient-server', reason: 'HTTP 408', retryAfter: undefined };
  if (status === 413)
    return { kind: 'data-error', message: 'request too large for Fluent (HTTP 413)', code: undefined };
  if (status >= 500) {
    if (mutation) return { kind: 'ambiguous-mutation', detail: `HTTP ${status}` };
    return { kind: 'transient-server', reason: `HTTP ${status}`, retryAfter };
  }
  if (status === 404 || status === 405) return { kind: 'not-fluent-host', status };

  const body = parseJson(text) as { data?: unknown; errors?: unknown } | undefined;
  if (kind === 'batch') {
    const batch = readBatchAnswer(body, context.aliases ?? [], clean);
    if (batch) return { kind: 'ok', data: {}, batch, rateLimited: batch.rateLimited };
  }
  const errors = readFluentErrors(body, clean);
  if (errors?.kind === 'permission') {
    return {
      kind: 'permission-denied',
      permission: errors.permission ?? OPERATION_PERMISSIONS[operationName],
      detail: errors.text,
    };
  }
  if (errors?.kind === 'transient' && errors.code) {
    const reason = `${errors.code} ${TRANSIENT_WORDS[errors.code] ?? 'retry later'}`;
    if (errors.code === 'C0011E') return { kind: 'transient-rate', reason, retryAfter };
    return { kind: 'transient-server', reason, retryAfter };
  }
  if (errors?.kind === 'server' && errors.code) {
    // A server failure after a mutation arrived may have come after it was applied.
    if (mutation) return { kind: 'ambiguous-mutation', detail: `Fluent ${errors.code}` };
    return { kind: 'transient-server', reason: `Fluent ${errors.code}`, retryAfter };
  }
  if (errors?.kind === 'complexity') return { kind: 'complexity', message: errors.text };
  if (errors) {
    const exists = errors.code === 'C0123E' || /already exist/i.test(errors.text);
    return { kind: exists ? 'already-exists' : 'data-error', message: errors.text, code: errors.code };
  }
  if (status >= 300) {
    return { kind: 'data-error', message: `Fluent answered HTTP ${status} to ${operationName}`, code: undefined };
  }
  if (typeof body?.data !== 'object' || body.data === null) {
    if (mutation) return { kind: 'ambiguous-mutation', detail: 'unreadable response body' };
    return { kind: 'transient-server', reason: 'unreadable response body', retryAfter: undefined };
  }
  return { kind: 'ok', data: body.data as Record<string, unknown>, rateLimited: 0 };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A 401/403 body that is not JSON, read as a message unless it is an HTML error page. */
function plainText(text: string): { message: string } | undefined {
  const trimmed = text.trim();
  return trimmed === '' || trimmed.startsWith('<') ? undefined : { message: trimmed };
}
