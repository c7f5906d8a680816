/**
 * The GraphQL documents the client sends, as constants. Every value travels as a variable, never spliced
 * into the text (SPEC §1). A test validates each one against Fluent's schema (customer and access parts), and the
 * customer documents against the sandbox's too.
 */

/**
 * The customer fields every operation selects; `retailer{id}` tells which retailer holds a username, and the whole
 * attribute list lets an update send it back with only the file's attributes changed.
 */
const CUSTOMER_SELECTION = `id ref username title firstName lastName primaryEmail primaryPhone timezone
      promotionOptIn department country status retailer { id } attributes { name type value }`;

/**
 * Looks customers up by username across the account. Fluent pages 10 by default, so callers always pass
 * `first` and follow `pageInfo.hasNextPage` with the last edge's cursor (PageInfo has no endCursor).
 */
export const FIND_CUSTOMERS = `query FindCustomers($usernames: [String], $first: Int, $after: String) {
  customers(username: $usernames, first: $first, after: $after) {
    edges {
      cursor
      node {
        ${CUSTOMER_SELECTION}
      }
    }
    pageInfo { hasNextPage }
  }
}`;

/**
 * Every customer of the account, a page at a time, for `--report-missing`. Fluent's `customers` has no retailer
 * filter, so the caller keeps its own retailer's. Only what missing.csv needs is selected: a page holds thousands.
 */
export const LIST_CUSTOMERS = `query ListCustomers($first: Int, $after: String) {
  customers(first: $first, after: $after) {
    edges {
      cursor
      node { id username primaryEmail retailer { id } }
    }
    pageInfo { hasNextPage }
  }
}`;

/** Creates one customer for one retailer; Fluent sets `ref` from the username. */
export const CREATE_CUSTOMER = `mutation CreateCustomer($input: CreateCustomerInput) {
  createCustomer(input: $input) {
    ${CUSTOMER_SELECTION}
  }
}`;

/** Updates one customer, identified by username; only the changed fields travel (attributes: the whole list). */
export const UPDATE_CUSTOMER = `mutation UpdateCustomer($input: UpdateCustomerInput) {
  updateCustomer(input: $input) {
    ${CUSTOMER_SELECTION}
  }
}`;

/**
 * Who the login is: its roles, each with its permissions and the contexts (account, retailer, location) it holds
 * them in. Not in Fluent's schema snapshot; Fluent's own SDK asks it to test a connection.
 */
export const READ_LOGIN = `query ReadLogin {
  me {
    id
    username
    roles {
      role { name permissions { name } }
      contexts { contextType contextId }
    }
  }
}`;

const RETAILER_SELECTION = 'id ref status tradingName';

/** One retailer by id; Fluent answers null (or C0120E) when there is none. */
export const FIND_RETAILER = `query FindRetailer($id: ID!) {
  retailerById(id: $id) { ${RETAILER_SELECTION} }
}`;

/** Every retailer of the account, a page at a time (paged like customers: the last edge's cursor). */
export const LIST_RETAILERS = `query ListRetailers($first: Int, $after: String) {
  retailers(first: $first, after: $after) {
    edges {
      cursor
      node { ${RETAILER_SELECTION} }
    }
    pageInfo { hasNextPage }
  }
}`;

/** What one alias of a batch sends. */
export type BatchMutationKind = 'create' | 'update';

/**
 * Up to N creates and updates aliased in one request (`--batch N`): alias `c0` is a create, `u1` an update, each with
 * its input in the variable of the same name, so every alias's data or error (`path[0]`) names its row. Creates come
 * first, so a document depends only on how many of each it holds: a few distinct texts for Fluent to parse and cache.
 *
 * @param counts how many creates and updates, at least one in all
 * @returns the document and its aliases in order: the creates, then the updates
 */
export function batchMutation(counts: { creates: number; updates: number }): { query: string; aliases: string[] } {
  const kinds: BatchMutationKind[] = [
    ...Array.from({ length: counts.creates }, () => 'create' as const),
    ...Array.from({ length: counts.updates }, () => 'update' as const),
  ];
  if (kinds.length === 0) throw new RangeError('a batch holds at least one mutation');
  const aliases = kinds.map((kind, index) => `${kind === 'create' ? 'c' : 'u'}${index}`);
  const variables = kinds.map(
    (kind, index) => `$${aliases[index]}: ${kind === 'create' ? 'CreateCustomerInput' : 'UpdateCustomerInput'}`,
  );
  const fields = kinds.map(
    (kind, index) =>
      `  ${aliases[index]}: ${kind}Customer(input: $${aliases[index]}) {\n    ${CUSTOMER_SELECTION}\n  }`,
  );
  return { query: `mutation CustomerBatch(${variables.join(', ')}) {\n${fields.join('\n')}\n}`, aliases };
}

/**
 * Two lookups aliased in one request: what `doctor --batch N` asks to learn, without writing anything, whether
 * Fluent answers aliased fields one by one as a batch of mutations needs.
 */
export const PROBE_ALIASES = `query ProbeAliases($first: [String], $second: [String], $size: Int) {
  a0: customers(username: $first, first: $size) { edges { node { id } } }
  a1: customers(username: $second, first: $size) { edges { node { id } } }
}`;
