/**
 * Reads Fluent's answer to a batch of aliased mutations alias by alias (`--batch N`, SPEC §2): each alias's data or
 * error belongs to its own row, errors found by their `path[0]`.
 */
import { FluentDataError, PermissionDeniedError } from './errors.js';
import { readFluentErrors } from './readFluentErrors.js';

/** What became of one alias of a batch. */
export type BatchAliasResult =
  /** Applied: the customer node Fluent answered. */
  | { kind: 'done'; node: object }
  /** Refused for good by a data rule, a length, a validation (or as already existing: see FluentDataError). */
  | { kind: 'refused'; error: FluentDataError }
  /** No answer to trust (a server error, a rate limit inside the batch, no data): it may have been applied. */
  | { kind: 'lost'; detail: string }
  /** The login lacks the permission: not applied, and the run stops (see BatchReading.denied). */
  | { kind: 'denied' };

export interface BatchReading {
  /** One result per alias, in the order the aliases were given. */
  results: BatchAliasResult[];
  /** Aliases refused for the rate (C0011E). */
  rateLimited: number;
  /**
   * The first C0020E anywhere in the answer: every further row would fail the same way, so the run stops once what
   * was applied is recorded.
   */
  denied: PermissionDeniedError | undefined;
}

interface GraphqlError {
  message?: unknown;
  path?: unknown;
  extensions?: unknown;
}

/**
 * Reads a batch's answer alias by alias, or returns undefined when the answer is about the whole request (errors
 * with no alias's path and no alias applied): the client then treats it as it treats any request's errors.
 *
 * @param answer the parsed JSON body
 * @param aliases the batch's aliases, e.g. `c0`, `u1`; `c` names a create, `u` an update
 * @param clean applied to every message first: masks secrets, escapes control characters
 */
export function readBatchAnswer(
  answer: unknown,
  aliases: readonly string[],
  clean: (text: string) => string,
): BatchReading | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const body = answer as { data?: unknown; errors?: unknown };
  const data = typeof body.data === 'object' && body.data !== null ? (body.data as Record<string, unknown>) : {};
  const errors = Array.isArray(body.errors) ? (body.errors as (GraphqlError | null)[]) : [];
  const known = new Set(aliases);
  const byAlias = new Map<string, GraphqlError[]>();
  const general: GraphqlError[] = [];
  for (const error of errors) {
    const alias = Array.isArray(error?.path) ? error.path[0] : undefined;
    if (typeof alias === 'string' && known.has(alias)) byAlias.set(alias, [...(byAlias.get(alias) ?? []), error ?? {}]);
    else general.push(error ?? {});
  }
  const applied = aliases.some((alias) => isNode(data[alias]));
  if (byAlias.size === 0 && !applied && (errors.length > 0 || typeof body.data !== 'object' || body.data === null)) {
    return undefined;
  }

  let rateLimited = 0;
  let denied: PermissionDeniedError | undefined;
  const deny = (alias: string, text: string, permission: string | undefined) => {
    const create = alias.startsWith('c');
    denied ??= new PermissionDeniedError(
      create ? 'CreateCustomer' : 'UpdateCustomer',
      permission ?? (create ? 'CUSTOMER_CREATE' : 'CUSTOMER_UPDATE'),
      text,
    );
  };
  // An error of no alias beside aliases that were applied: what it meant for the others cannot be told.
  const generalRead = general.length > 0 ? readFluentErrors({ errors: general }, clean) : undefined;
  const results = aliases.map((alias): BatchAliasResult => {
    const own = byAlias.get(alias);
    const read = own ? readFluentErrors({ errors: own }, clean) : undefined;
    if (read?.kind === 'permission') deny(alias, read.text, read.permission);
    // A node means the mutation ran and answered: an error below it (a field of the answer) does not undo that.
    const node = data[alias];
    if (isNode(node)) return { kind: 'done', node };
    if (read === undefined && generalRead?.kind === 'permission') deny(alias, generalRead.text, generalRead.permission);
    const reason = read ?? generalRead;
    if (reason?.kind === 'permission') return { kind: 'denied' };
    if (read === undefined) {
      return {
        kind: 'lost',
        detail: generalRead ? `no answer for ${alias} (${generalRead.text})` : `no answer for ${alias}`,
      };
    }
    if (read.kind === 'data') return { kind: 'refused', error: new FluentDataError(read.text, read.code) };
    if (read.code === 'C0011E') rateLimited++;
    return { kind: 'lost', detail: `Fluent ${read.code ?? 'error'} for ${alias}` };
  });
  return { results, rateLimited, denied };
}

function isNode(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
