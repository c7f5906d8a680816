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
import type { SandboxAccess, SandboxUser } from './createSandboxAccess.js';
import { type FluentErrorCode, fluentError } from './fluentError.js';
import type {
  CreateCustomerArgs,
  CustomerFilter,
  RetailerFilter,
  SandboxRetailer,
  SandboxStore,
  StoredCustomer,
  StoreResult,
  UpdateCustomerArgs,
} from './sandboxStoreTypes.js';
import type { SandboxPermission } from './sandboxTypes.js';
import { SANDBOX_SCHEMA_SDL } from './schema.js';
import type { Page, PageRequest } from './slicePage.js';

/** The account's data rules beyond the schema's: a rule refuses a mutation of a username (SandboxFaults). */
export interface DataRules {
  refuses(username: string): boolean;
}

/** A GraphQL request body, already checked to have a query string. */
export interface GraphqlRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** Who sends the request: the login its bearer token was granted to. */
export interface GraphqlCaller {
  username: string;
}

export interface GraphqlExecution {
  /** The JSON body, answered with HTTP 200 whether or not it holds `errors` (Fluent's style). */
  body: ExecutionResult;
  /** The kind of operation that ran, or undefined when the request was refused before running. */
  executed: 'query' | 'mutation' | undefined;
}

type PreparedDocument = { document: DocumentNode } | { errors: readonly GraphQLError[] };

/** Arguments every connection takes. */
interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

/** Clients send a handful of distinct documents; the cap only guards against one that builds queries as text. */
const MAX_CACHED_DOCUMENTS = 500;
const FLUENT_CODE = /^[CST]\d{4}E$/;

/**
 * Builds the GraphQL side of the sandbox: the schema of SANDBOX_SCHEMA_SDL with resolvers over the store, each
 * operation guarded by the permission Fluent protects it with (C0020E without it) and seeing only what the
 * login reaches. Every error carries one of Fluent's codes. Parsed and validated documents are cached by query
 * text, so a client repeating its few documents costs one execution per request.
 */
export function createSandboxExecutor(
  store: SandboxStore,
  access: SandboxAccess,
  rules: DataRules = { refuses: () => false },
): (request: GraphqlRequest, caller: GraphqlCaller) => GraphqlExecution {
  const schema = buildSchema(SANDBOX_SCHEMA_SDL);
  const prepared = new Map<string, PreparedDocument>();
  const reach = access.visibleRetailers();

  function prepareDocument(query: string): PreparedDocument {
    const cached = prepared.get(query);
    if (cached) return cached;
    let entry: PreparedDocument;
    try {
      const document = parse(query);
      const errors = validate(schema, document);
      entry = errors.length > 0 ? { errors: errors.map(withFluentCode) } : { document };
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      entry = { errors: [withFluentCode(error)] };
    }
    if (prepared.size >= MAX_CACHED_DOCUMENTS) prepared.clear();
    prepared.set(query, entry);
    return entry;
  }

  /** Fails the mutation with C0160E when a data rule refuses its username: this mutation alone, nothing applied. */
  function applyRules(input: { username?: unknown } | null | undefined): void {
    if (typeof input?.username === 'string' && rules.refuses(input.username)) {
      throw fluentError('C0160E', 'Invalid input: the username is refused by a data rule (injected fault)');
    }
  }

  /** Fails the field with C0020E, as Fluent fails an operation the login has no permission for. */
  function demand(permission: SandboxPermission): void {
    if (!access.permits(permission)) {
      throw fluentError('C0020E', `Insufficient permissions: the login lacks ${permission}`);
    }
  }

  function toRetailerView(retailer: SandboxRetailer | undefined) {
    if (!retailer) return null;
    const { position: _, ...view } = retailer;
    return view;
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
      retailer: () => toRetailerView(store.retailer(customer.retailerId)),
    };
  }

  function toUserView(user: SandboxUser) {
    const { primaryRetailerId, ...view } = user;
    return {
      ...view,
      primaryRetailer: () =>
        toRetailerView(primaryRetailerId === undefined ? undefined : store.retailer(primaryRetailerId)),
    };
  }

  function toPageRequest(args: ConnectionArgs, positionOf: (cursor: string) => number): PageRequest {
    return {
      first: args.first,
      last: args.last,
      after: args.after == null ? undefined : positionOf(args.after),
      before: args.before == null ? undefined : positionOf(args.before),
    };
  }

  /** A retailer cursor names the retailer; its place in the account's list is where the page goes on. */
  function retailerPosition(cursor: string): number {
    const id = decodeCursor(cursor, 'retailer');
    const retailer = store.retailer(id);
    if (!retailer) throw fluentError('C0160E', `Invalid cursor '${cursor}'`);
    return retailer.position;
  }

  const rootValue = {
    customer: ({ ref }: { ref: string }) => {
      demand('CUSTOMER_VIEW');
      return toCustomerView(store.findByRef(ref, reach));
    },
    customerById: ({ id }: { id: string }) => {
      demand('CUSTOMER_VIEW');
      return toCustomerView(store.findById(id, reach));
    },
    customers: (args: CustomerFilter & ConnectionArgs) => {
      demand('CUSTOMER_VIEW');
      const page = unwrap(store.findCustomers(args, toPageRequest(args, customerPosition), reach));
      return toConnection(page, 'customer', toCustomerView);
    },
    createCustomer: ({ input }: { input?: CreateCustomerArgs | null }) => {
      demand('CUSTOMER_CREATE');
      applyRules(input);
      return toCustomerView(unwrap(store.createCustomer(requireInput(input), reach)));
    },
    updateCustomer: ({ input }: { input?: UpdateCustomerArgs | null }) => {
      demand('CUSTOMER_UPDATE');
      applyRules(input);
      return toCustomerView(unwrap(store.updateCustomer(requireInput(input), reach)));
    },
    me: (_args: unknown, caller: GraphqlCaller) => {
      demand('USER_VIEW');
      return toUserView(access.userFor(caller.username));
    },
    // The sandbox knows one user, the caller: any other id or username is no user (null, as for a miss).
    user: ({ id, username }: { id?: string | null; username?: string | null }, caller: GraphqlCaller) => {
      demand('USER_VIEW');
      const user = access.userFor(caller.username);
      if (id == null && username == null) return null;
      if ((id != null && id !== user.id) || (username != null && username !== user.username)) return null;
      return toUserView(user);
    },
    retailerById: ({ id }: { id: string }) => {
      demand('RETAILER_VIEW');
      return reach === undefined || reach.has(id) ? toRetailerView(store.retailer(id)) : null;
    },
    retailers: (args: RetailerFilter & ConnectionArgs) => {
      demand('RETAILER_VIEW');
      const page = unwrap(store.findRetailers(args, toPageRequest(args, retailerPosition), reach));
      return toConnection(page, 'retailer', toRetailerView);
    },
  };

  return (request, caller) => {
    const entry = prepareDocument(request.query);
    if ('errors' in entry) return { body: { errors: entry.errors }, executed: undefined };
    const operation = getOperationAST(entry.document, request.operationName ?? undefined);
    const result = executeSync({
      schema,
      document: entry.document,
      rootValue,
      contextValue: caller,
      variableValues: request.variables ?? undefined,
      operationName: request.operationName ?? undefined,
    });
    const body = result.errors ? { ...result, errors: result.errors.map(withFluentCode) } : result;
    // No `data` means the request failed before running (bad variables, unknown operation name).
    const kind = operation?.operation;
    return { body, executed: body.data !== undefined && kind !== 'subscription' ? kind : undefined };
  };
}

function unwrap<T>(result: StoreResult<T>): T {
  if (!result.ok) throw fluentError(result.code, result.message);
  return result.value;
}

function requireInput<T>(input: T | null | undefined): T {
  if (input == null) throw fluentError('C0140E', 'input is required');
  return input;
}

/**
 * Gives an error graphql-js raised itself (a syntax or validation error, bad variables) one of Fluent's codes:
 * C0140E for variables that are missing or do not fit their type, C0160E for anything else.
 */
function withFluentCode(error: GraphQLError): GraphQLError {
  const code = error.extensions.code;
  if (typeof code === 'string' && FLUENT_CODE.test(code)) return error;
  const fluentCode: FluentErrorCode = /^Variable "\$/.test(error.message) ? 'C0140E' : 'C0160E';
  return fluentError(fluentCode, error.message, { cause: error });
}

/** Cursors are opaque to clients; inside they name the customer or retailer id, so paging survives inserts. */
/** A page as a GraphQL connection: each item's view with its cursor, and whether there are pages either side. */
function toConnection<T extends { id: string }, View>(
  page: Page<T>,
  kind: 'customer' | 'retailer',
  toView: (item: T) => View,
): { edges: { node: View; cursor: string }[]; pageInfo: { hasPreviousPage: boolean; hasNextPage: boolean } } {
  return {
    edges: page.items.map((item) => ({ node: toView(item), cursor: encodeCursor(kind, item.id) })),
    pageInfo: { hasPreviousPage: page.hasPreviousPage, hasNextPage: page.hasNextPage },
  };
}

function encodeCursor(kind: 'customer' | 'retailer', id: string): string {
  return Buffer.from(`${kind}:${id}`).toString('base64url');
}

function decodeCursor(cursor: string, kind: 'customer' | 'retailer'): string {
  const text = Buffer.from(cursor, 'base64url').toString();
  const id = text.startsWith(`${kind}:`) ? text.slice(kind.length + 1) : '';
  if (id === '') throw fluentError('C0160E', `Invalid cursor '${cursor}'`);
  return id;
}

function customerPosition(cursor: string): number {
  const id = decodeCursor(cursor, 'customer');
  if (!/^\d+$/.test(id)) throw fluentError('C0160E', `Invalid cursor '${cursor}'`);
  return Number(id);
}
