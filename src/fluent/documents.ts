/**
 * The GraphQL documents the client sends, as constants. Every value travels as a variable, never spliced
 * into the text (SPEC §1). A test validates each one against Fluent's customer schema and the sandbox's.
 */

/** The customer fields every operation selects; `retailer{id}` tells which retailer holds a username. */
const CUSTOMER_SELECTION = `id ref username title firstName lastName primaryEmail primaryPhone timezone
      promotionOptIn department country status retailer { id }`;

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

/** Creates one customer for one retailer; Fluent sets `ref` from the username. */
export const CREATE_CUSTOMER = `mutation CreateCustomer($input: CreateCustomerInput) {
  createCustomer(input: $input) {
    ${CUSTOMER_SELECTION}
  }
}`;

/** Updates one customer, identified by username; only the changed fields travel. */
export const UPDATE_CUSTOMER = `mutation UpdateCustomer($input: UpdateCustomerInput) {
  updateCustomer(input: $input) {
    ${CUSTOMER_SELECTION}
  }
}`;
