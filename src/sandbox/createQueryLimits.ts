/**
 * The limits Fluent documents for every query ("GraphQL Query Limits"), as the sandbox applies them before running
 * one: `first` is clamped to 1–5000 (or a lower `maxFirst`), and a query whose total complexity is over 11,111 is
 * refused with C0001E.
 *
 * Complexity, as Fluent documents it: "Total Complexity equals the number of queries to be executed" (11,111 is
 * 1 + 10 + 100 + 1,000 + 10,000: five levels of connections at the default page of 10). Here a query is executed for
 * each root field, each connection, and each entity (a type implementing Node) reached through a field of another
 * entity; a field below a connection runs once per item of its page (`first`, else `last`, else 10). The edges, the
 * node of an edge and plain objects (attributes, roles, pageInfo) come with their parent's query.
 */
import {
  buildSchema,
  type DocumentNode,
  type FieldNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  getNamedType,
  getOperationAST,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  print,
  type SelectionSetNode,
  type ValueNode,
  visit,
} from 'graphql';
import type { GraphqlRequest } from './createSandboxExecutor.js';
import { fluentError } from './fluentError.js';
import { SANDBOX_SCHEMA_SDL } from './schema.js';

/** Fluent's lower bound on `first`; the upper one is `maxFirst` (Fluent's is 5000). */
export const MIN_FIRST = 1;
/** Fluent's page when a connection is asked for neither `first` nor `last`. */
const DEFAULT_PAGE = 10;
const MAX_CACHED_DOCUMENTS = 500;

export type LimitedRequest = { ok: true; request: GraphqlRequest } | { ok: false; body: { errors: unknown[] } };

export interface QueryLimits {
  /** The request with `first` clamped, or the C0001E answer when it is too complex. */
  apply(request: GraphqlRequest): LimitedRequest;
  /** The complexity of a request as Fluent documents it (undefined when it does not parse). */
  complexityOf(request: GraphqlRequest): number | undefined;
}

/**
 * Creates the limits. A request that does not parse, or names no operation of its document, passes unchanged: the
 * executor answers it with the error graphql-js finds.
 */
export function createQueryLimits(options: { maxComplexity: number; maxFirst: number }): QueryLimits {
  const schema = buildSchema(SANDBOX_SCHEMA_SDL);
  const documents = new Map<string, DocumentNode | null>();

  const documentOf = (query: string): DocumentNode | undefined => {
    let document = documents.get(query);
    if (document === undefined) {
      try {
        document = parse(query);
      } catch {
        document = null;
      }
      if (documents.size >= MAX_CACHED_DOCUMENTS) documents.clear();
      documents.set(query, document);
    }
    return document ?? undefined;
  };

  const measure = (request: GraphqlRequest) => {
    const document = documentOf(request.query);
    if (!document) return undefined;
    const operation = getOperationAST(document, request.operationName ?? undefined);
    if (!operation) return undefined;
    const root = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
    if (!root) return undefined;
    const walk = createWalk(schema, document, request.variables ?? {}, options.maxFirst);
    return { document, complexity: walk.cost(operation.selectionSet, root, 1, true), clamps: walk.clamps };
  };

  return {
    complexityOf: (request) => measure(request)?.complexity,
    apply(request) {
      const measured = measure(request);
      if (!measured) return { ok: true, request };
      if (measured.complexity > options.maxComplexity) {
        const error = fluentError(
          'C0001E',
          `Query complexity ${measured.complexity} exceeds the maximum of ${options.maxComplexity}; ask for smaller pages or fewer fields`,
        );
        return { ok: false, body: { errors: [error.toJSON()] } };
      }
      return { ok: true, request: clampFirst(request, measured.document, measured.clamps) };
    },
  };
}

/** A `first` argument out of bounds: a variable to change, or a literal in the document. */
type Clamp = { variable: string; value: number } | { literal: ValueNode; value: number };

function createWalk(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  maxFirst: number,
) {
  const clamps: Clamp[] = [];
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );

  const intArgument = (field: FieldNode, name: string, clamp: boolean): number | undefined => {
    const argument = field.arguments?.find((a) => a.name.value === name);
    if (!argument) return undefined;
    const { value } = argument;
    let number: number | undefined;
    if (value.kind === Kind.INT) number = Number(value.value);
    else if (value.kind === Kind.VARIABLE) {
      const given = variables[value.name.value];
      number = typeof given === 'number' ? given : undefined;
    }
    if (number === undefined) return undefined;
    const bounded = Math.min(maxFirst, Math.max(MIN_FIRST, number));
    if (clamp && bounded !== number) {
      clamps.push(
        value.kind === Kind.VARIABLE
          ? { variable: value.name.value, value: bounded }
          : { literal: value, value: bounded },
      );
    }
    return bounded;
  };

  const isEntity = (type: GraphQLNamedType) =>
    (isObjectType(type) || isInterfaceType(type)) && type.getInterfaces().some((i) => i.name === 'Node');

  const cost = (set: SelectionSetNode | undefined, parent: GraphQLNamedType, runs: number, root: boolean): number => {
    if (!set || !(isObjectType(parent) || isInterfaceType(parent))) return 0;
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += type ? cost(selection.selectionSet, type, runs, root) : 0;
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        total += fragment && type ? cost(fragment.selectionSet, type, runs, root) : 0;
        continue;
      }
      const definition = parent.getFields()[selection.name.value];
      if (!definition) continue;
      const type = getNamedType(definition.type);
      const connection = type.name.endsWith('Connection');
      const nodeOfEdge = parent.name.endsWith('Edge') && selection.name.value === 'node';
      const query = root || connection || (isEntity(type) && !nodeOfEdge);
      const page = connection
        ? (intArgument(selection, 'first', true) ?? intArgument(selection, 'last', false) ?? DEFAULT_PAGE)
        : 1;
      total += (query ? runs : 0) + cost(selection.selectionSet, type, runs * page, false);
    }
    return total;
  };
  return { cost, clamps };
}

/** The request with every out-of-bounds `first` brought within 1–`maxFirst`, as Fluent clamps it. */
function clampFirst(request: GraphqlRequest, document: DocumentNode, clamps: readonly Clamp[]): GraphqlRequest {
  if (clamps.length === 0) return request;
  const variables = { ...request.variables };
  const literals = new Map<ValueNode, number>();
  for (const clamp of clamps) {
    if ('variable' in clamp) variables[clamp.variable] = clamp.value;
    else literals.set(clamp.literal, clamp.value);
  }
  const query =
    literals.size === 0
      ? request.query
      : print(
          visit(document, {
            IntValue: (node) => {
              const value = literals.get(node);
              return value === undefined ? undefined : { ...node, value: String(value) };
            },
          }),
        );
  return { ...request, query, variables };
}
