/**
 * Sends GraphQL operations: each attempt waits for the rate, carries the current token, goes over the transport, and
 * is classified once (classifyAnswer); the verdict becomes a value, a retry, or one of the client's errors.
 */

import { type AnswerVerdict, classifyAnswer, type OperationKind } from './classifyAnswer.js';
import type { RatePacer } from './createRatePacer.js';
import type { TokenSource } from './createTokenSource.js';
import type { Transport } from './createTransport.js';
import {
  AmbiguousMutationError,
  CredentialsRefusedError,
  FluentDataError,
  NotFluentHostError,
  PermissionDeniedError,
} from './errors.js';
import type { BatchReading } from './readBatchAnswer.js';
import { type Attempt, type RetryPolicy, retryAttempts } from './retryAttempts.js';

export interface GraphqlOperation {
  operationName: string;
  query: string;
  variables: object;
  kind: OperationKind;
  /** A batch's aliases, in order. */
  aliases?: readonly string[];
}

/** The data of an answer; for a batch, its reading alias by alias. */
export interface GraphqlResult {
  data: Record<string, unknown>;
  batch?: BatchReading;
}

/** The counts the executor keeps for ClientStats. */
export interface GraphqlCounts {
  graphql: number;
  retries: number;
  rateLimited: number;
}

/** Fluent's code for a query over its complexity limit, on the FluentDataError thrown for it. */
export const COMPLEXITY_CODE = 'C0001E';

/**
 * Creates the executor. Queries are retried on every transient failure; a mutation only when it certainly was not
 * applied (429, C0011E, 401, a connection that never opened): an answer that may follow its application throws
 * AmbiguousMutationError at once, for the caller to resolve by lookup. Every answer teaches the adaptive rate; a
 * refusal for the rate lowers it.
 */
export function createGraphqlExecutor(deps: {
  transport: Transport;
  tokens: TokenSource;
  pacer: RatePacer;
  retry: RetryPolicy;
  /** Sent with every request besides the content types and the token (the `fluent.account` header). */
  headers: Readonly<Record<string, string>>;
  clean: (text: string) => string;
  counts: GraphqlCounts;
}): (operation: GraphqlOperation) => Promise<GraphqlResult> {
  const { transport, tokens, pacer, counts } = deps;
  const headers = { 'content-type': 'application/json', accept: 'application/json', ...deps.headers };

  return (operation) => {
    const { operationName, kind } = operation;
    const body = JSON.stringify({ query: operation.query, variables: operation.variables, operationName });
    // The generation of the token Fluent last answered 401 to, for this request.
    let unauthorizedOn: number | undefined;

    const attempt = async (): Promise<Attempt<GraphqlResult>> => {
      // Rate first, token second: a token is never left to age in the limiter's queue.
      const sentAt = await pacer.take();
      let token: Awaited<ReturnType<TokenSource['current']>>;
      try {
        token = await tokens.current();
      } catch (error) {
        pacer.settle(sentAt, 'lost');
        throw error;
      }
      counts.graphql += 1;
      const answer = await transport.post('/graphql', { ...headers, authorization: `Bearer ${token.value}` }, body);
      const verdict = classifyAnswer(answer, {
        operationName,
        kind,
        aliases: operation.aliases,
        refusedOnNewerToken: unauthorizedOn !== undefined && token.generation > unauthorizedOn,
        clean: deps.clean,
      });
      if (answer.kind === 'answered') {
        const refusedFor = verdict.kind === 'transient-rate' ? 1 : verdict.kind === 'ok' ? verdict.rateLimited : 0;
        counts.rateLimited += refusedFor;
        pacer.settle(sentAt, refusedFor > 0 ? 'refused' : 'accepted', answer.retryAfter);
      } else pacer.settle(sentAt, 'lost');
      if (verdict.kind === 'renew-token') {
        unauthorizedOn = token.generation;
        await tokens.renew(token);
        return { again: true, status: 401 };
      }
      const status = answer.kind === 'answered' ? answer.status : undefined;
      return toAttempt(verdict, operationName, status);
    };

    const toAttempt = (verdict: AnswerVerdict, name: string, status: number | undefined): Attempt<GraphqlResult> => {
      switch (verdict.kind) {
        case 'ok':
          return { done: verdict.batch ? { data: verdict.data, batch: verdict.batch } : { data: verdict.data } };
        case 'transient-rate':
        case 'transient-server':
          return {
            transient: verdict.reason,
            rateLimited: verdict.kind === 'transient-rate',
            ...(status === undefined ? {} : { status }),
            retryAfter: verdict.retryAfter,
          };
        case 'renew-token':
          throw new Error('broken invariant: a renewal is handled before');
        case 'credentials-refused':
          throw new CredentialsRefusedError(tokens.variables, verdict.detail, true);
        case 'ambiguous-mutation':
          throw new AmbiguousMutationError(name, verdict.detail);
        case 'permission-denied':
          throw new PermissionDeniedError(name, verdict.permission, verdict.detail);
        case 'complexity':
          throw new FluentDataError(verdict.message, COMPLEXITY_CODE);
        case 'already-exists':
        case 'data-error':
          throw new FluentDataError(verdict.message, verdict.code);
        case 'not-fluent-host':
          throw new NotFluentHostError(transport.apiHost, '/graphql', verdict.status);
      }
    };

    return retryAttempts(attempt, deps.retry, () => {
      counts.retries += 1;
    });
  };
}
