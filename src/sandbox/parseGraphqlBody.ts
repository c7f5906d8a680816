import type { GraphqlRequest } from './createSandboxExecutor.js';

/** The body of POST /graphql as a request, or a message saying why it is not one (answered with 400). */
export function parseGraphqlBody(body: Buffer): GraphqlRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return 'Malformed JSON body';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'The body must be a JSON object';
  const { query, variables, operationName } = value as Record<string, unknown>;
  if (typeof query !== 'string' || query === '') return 'The body must hold a query string';
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return 'variables must be a JSON object';
  }
  if (operationName != null && typeof operationName !== 'string') return 'operationName must be a string';
  return {
    query,
    variables: (variables as Record<string, unknown> | null | undefined) ?? null,
    operationName: operationName ?? null,
  };
}
