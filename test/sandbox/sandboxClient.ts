/**
 * A tiny HTTP client for the sandbox tests (the project's real client lives in src/fluent and is tested on
 * its own): real requests over 127.0.0.1 with fetch.
 */
import type { Sandbox } from '../../src/sandbox/startSandbox.js';

export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes
  body: any;
  text: string;
}

export async function postForm(
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const response = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params).toString(),
  });
  return toReply(response);
}

export const GOOD_GRANT = {
  grant_type: 'password',
  scope: 'api',
  client_id: 'client',
  client_secret: 'secret',
  username: 'user',
  password: 'pass',
};

/** A valid access token from a password grant (for the login `username`, default `user`). */
export async function grantToken(sandbox: Sandbox, username = GOOD_GRANT.username): Promise<string> {
  const reply = await postForm(sandbox.url, { ...GOOD_GRANT, username });
  if (reply.status !== 200) throw new Error(`grant failed: ${reply.status} ${reply.text}`);
  return reply.body.access_token;
}

export async function postGraphql(
  sandbox: Sandbox,
  token: string | undefined,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const response = await fetch(`${sandbox.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  return toReply(response);
}

export async function toReply(response: Response): Promise<Reply> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

export const CUSTOMER_FIELDS_SELECTION =
  'id ref username title firstName lastName primaryEmail primaryPhone timezone promotionOptIn department country status createdOn updatedOn retailer { id ref }';

export const CREATE = `mutation Create($input: CreateCustomerInput) {
  createCustomer(input: $input) { ${CUSTOMER_FIELDS_SELECTION} }
}`;

export const UPDATE = `mutation Update($input: UpdateCustomerInput) {
  updateCustomer(input: $input) { ${CUSTOMER_FIELDS_SELECTION} }
}`;

export const FIND = `query Find($username: [String], $ref: [String], $primaryEmail: [String], $first: Int, $after: String) {
  customers(username: $username, ref: $ref, primaryEmail: $primaryEmail, first: $first, after: $after) {
    edges { node { id username primaryEmail retailer { id } } cursor }
    pageInfo { hasNextPage hasPreviousPage }
  }
}`;

export function createInput(username: string, retailerId = '1', extra: Record<string, unknown> = {}) {
  return {
    input: {
      username,
      primaryEmail: `${username}@example.com`,
      promotionOptIn: false,
      retailer: { id: retailerId },
      ...extra,
    },
  };
}

/** The usernames of a `customers` answer's nodes, in order. */
export function usernamesOf(reply: Reply): string[] {
  return reply.body.data.customers.edges.map((edge: { node: { username: string } }) => edge.node.username);
}

/** The one error of an answer: its code (from extensions) and message. */
export function onlyError(reply: Reply): { code: string; message: string } {
  const errors = reply.body?.errors;
  if (!Array.isArray(errors) || errors.length !== 1) throw new Error(`expected one error, got ${reply.text}`);
  return { code: errors[0].extensions?.code, message: errors[0].message };
}

/** POST /_sandbox/faults as a person or a process-level test does: a JSON body, with a token when given. */
export async function postFaults(url: string, body: string, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(`${url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return toReply(response);
}
