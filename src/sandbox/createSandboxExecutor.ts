import {
  buildSchema,
  type DocumentNode,
  type ExecutionResult,
  executeSync,
  GraphQLError,
  getOperationAST,
  parse,
  validate,
} from 'graphql';
import type {
  CreateCustomerArgs,
  CustomerFilter,
  SandboxStore,
  StoredCustomer,
  StoreResult,
  UpdateCustomerArgs,
} from './createSandboxStore.js';
import { SANDBOX_SCHEMA_SDL } from './schema.js';

/** A GraphQL request body, already checked to have a query string. */
export interface GraphqlRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

export interface GraphqlExecution {
  /** The JSON body, answered with HTTP 200 whether or not it holds `errors` (Fluent's style). */
  body: ExecutionResult;
  /** The kind of operation that ran, or undefined when the request was refused before running. */
  executed: 'query' | 'mutation' | undefined;
}

type PreparedDocument = { document: DocumentNode } | { errors: readonly GraphQLError[] };

/** Clients send a handful of distinct documents; the cap only guards against one that builds queries as text. */
const MAX_CACHED_DOCUMENTS = 500;

/**
 * Builds the GraphQL side of the sandbox: the schema of SANDBOX_SCHEMA_SDL with resolvers over the store.
 * Parsed and validated documents are cached by query text, so a client repeating its few documents costs
 * one execution per request.
 */
export function createSandboxExecutor(store: SandboxStore): (request: GraphqlRequest) => GraphqlExecution {
  const schema = buildSchema(SANDBOX_SCHEMA_SDL);
  const prepared = new Map<string, PreparedDocument>();

  function prepareDocument(query: string): PreparedDocument {
    const cached = prepared.get(query);
    if (cached) return cached;
    let entry: PreparedDocument;
    try {
      const document = parse(query);
      const errors = validate(schema, document);
      entry = errors.length > 0 ? { errors } : { document };
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      entry = { errors: [error] };
    }
    if (prepared.size >= MAX_CACHED_DOCUMENTS) prepared.clear();
    prepared.set(query, entry);
    return entry;
  }

  function toCustomerView(customer: StoredCustomer | undefined) {
    if (!customer) return null;
    return {
      id: customer.id,
      ref: customer.ref,
      status: customer.status,
      createdOn: customer.createdOn,
      updatedOn: customer.updatedOn,
      attributes: customer.attributes,
      title: customer.title,
      department: customer.department,
      country: customer.country,
      firstName: customer.firstName,
      lastName: customer.lastName,
      username: customer.username,
      primaryEmail: customer.primaryEmail,
      primaryPhone: customer.primaryPhone,
      timezone: customer.timezone,
      promotionOptIn: customer.promotionOptIn,
      // A function, so the default resolver looks the retailer up only when the query asks for it.
      retailer: () => store.retailer(customer.retailerId),
    };
  }

  const rootValue = {
    customer: ({ ref }: { ref: string }) => toCustomerView(store.findByRef(ref)),
    customerById: ({ id }: { id: string }) => toCustomerView(store.findById(id)),
    customers: (args: CustomerFilter & { first?: number; last?: number; after?: string; before?: string }) => {
      const page = unwrap(
        store.findCustomers(args, {
          first: args.first,
          last: args.last,
          afterId: args.after == null ? undefined : decodeCursor(args.after),
          beforeId: args.before == null ? undefined : decodeCursor(args.before),
        }),
      );
      return {
        edges: page.customers.map((customer) => ({ node: toCustomerView(customer), cursor: encodeCursor(customer) })),
        pageInfo: { hasPreviousPage: page.hasPreviousPage, hasNextPage: page.hasNextPage },
      };
    },
    createCustomer: ({ input }: { input?: CreateCustomerArgs | null }) =>
      toCustomerView(unwrap(store.createCustomer(requireInput(input)))),
    updateCustomer: ({ input }: { input?: UpdateCustomerArgs | null }) =>
      toCustomerView(unwrap(store.updateCustomer(requireInput(input)))),
  };

  return (request) => {
    const entry = prepareDocument(request.query);
    if ('errors' in entry) return { body: { errors: entry.errors }, executed: undefined };
    const operation = getOperationAST(entry.document, request.operationName ?? undefined);
    const body = executeSync({
      schema,
      document: entry.document,
      rootValue,
      variableValues: request.variables ?? undefined,
      operationName: request.operationName ?? undefined,
    });
    // No `data` means the request failed before running (bad variables, unknown operation name).
    const kind = operation?.operation;
    return { body, executed: body.data !== undefined && kind !== 'subscription' ? kind : undefined };
  };
}

function unwrap<T>(result: StoreResult<T>): T {
  if (!result.ok) throw new GraphQLError(result.message, { extensions: { code: result.code } });
  return result.value;
}

function requireInput<T>(input: T | null | undefined): T {
  if (input == null) throw new GraphQLError('input is required', { extensions: { code: 'INVALID' } });
  return input;
}

/** Cursors are opaque to clients; inside they name the customer id, so paging survives inserts. */
function encodeCursor(customer: StoredCustomer): string {
  return Buffer.from(`customer:${customer.id}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^customer:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new GraphQLError(`Invalid cursor '${cursor}'`, { extensions: { code: 'INVALID' } });
  return Number(match[1]);
}
