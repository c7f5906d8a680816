import { GraphQLError } from 'graphql';

/**
 * Fluent's error codes the sandbox answers with (the access schema's header lists them): C0001E query complexity
 * exceeded, C0011E rate limit
 * exceeded, C0020E insufficient permissions, C0120E not found, C0123E already exists, C0140E missing required
 * variables, C0141E field too long, C0160E any other validation, S0002E general server failure.
 */
export type FluentErrorCode =
  | 'C0001E'
  | 'C0011E'
  | 'C0020E'
  | 'C0120E'
  | 'C0123E'
  | 'C0140E'
  | 'C0141E'
  | 'C0160E'
  | 'S0002E';

/**
 * An error as Fluent answers it: the code at the start of the message (`C0123E: Customer ... already exists`)
 * and again in `extensions.code`, since clients read one or the other (SPEC §1).
 *
 * @param text what went wrong, without the code
 */
export function fluentError(code: FluentErrorCode, text: string, options: { cause?: GraphQLError } = {}): GraphQLError {
  const cause = options.cause;
  return new GraphQLError(`${code}: ${text}`, {
    nodes: cause?.nodes,
    source: cause?.source,
    positions: cause?.positions,
    path: cause?.path,
    originalError: cause?.originalError,
    extensions: { ...cause?.extensions, code },
  });
}
