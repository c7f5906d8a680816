/**
 * The variants Fluent's docs leave open, played by the sandbox and driven over 127.0.0.1 by the project's real
 * client: what an update with attributes and a null leaves, and an account that wants its `fluent.account` header.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createFluentClient, type FluentClient } from '../../src/fluent/createFluentClient.js';
import { CredentialsRefusedError } from '../../src/fluent/errors.js';
import type { SandboxOptions } from '../../src/sandbox/startSandbox.js';
import type { UpdateCustomerInput } from '../../src/types.js';
import { FIND, GOOD_GRANT, postForm, postGraphql } from './sandboxClient.js';
import { useSandbox } from './useSandbox.js';

const fixture = useSandbox({ grant: false });
const clients: FluentClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function clientFor(options: SandboxOptions, accountId?: string) {
  const sandbox = await fixture.start(options);
  const client = createFluentClient({
    apiHost: sandbox.url,
    credentials: { kind: 'password', clientId: 'c', clientSecret: 's', username: 'u', password: 'p' },
    accountId,
    ratePerSecond: 'auto',
    maxAttempts: 2,
    sleep: async () => {},
  });
  clients.push(client);
  return { sandbox, client };
}

/** The customer to update: a title and two attributes. */
const JANE = {
  username: 'jane',
  primaryEmail: 'jane@example.com',
  promotionOptIn: true,
  retailer: { id: '1' },
  title: 'Ms',
  attributes: [
    { name: 'crmId', type: 'STRING' as const, value: 'C-1' },
    { name: 'tier', type: 'STRING' as const, value: 'gold' },
  ],
};
/** An update that sends one attribute and clears the title the way a client would: with a null. */
const UPDATE = {
  username: 'jane',
  title: null,
  attributes: [{ name: 'crmId', type: 'STRING', value: 'C-2' }],
} as unknown as UpdateCustomerInput;

describe('what updateCustomer does with attributes and a null', () => {
  const cases: [variants: SandboxOptions, title: string | null, attributes: unknown[]][] = [
    [{}, null, [{ name: 'crmId', type: 'STRING', value: 'C-2' }]],
    [
      { attributeUpdates: 'merge', nullUpdates: 'ignore' },
      'Ms',
      [
        { name: 'crmId', type: 'STRING', value: 'C-2' },
        { name: 'tier', type: 'STRING', value: 'gold' },
      ],
    ],
    [
      { attributeUpdates: 'merge', nullUpdates: 'clear' },
      null,
      [
        { name: 'crmId', type: 'STRING', value: 'C-2' },
        { name: 'tier', type: 'STRING', value: 'gold' },
      ],
    ],
    [{ attributeUpdates: 'replace', nullUpdates: 'ignore' }, 'Ms', [{ name: 'crmId', type: 'STRING', value: 'C-2' }]],
  ];
  for (const [variants, title, attributes] of cases) {
    const name = `${variants.attributeUpdates ?? 'replace'} + ${variants.nullUpdates ?? 'clear'}`;
    it(`${name}: the answer and a later lookup hold title ${title} and ${attributes.length} attribute(s)`, async () => {
      const { sandbox, client } = await clientFor(variants);
      await client.createCustomer(JANE);
      const answered = await client.updateCustomer(UPDATE);
      expect(answered).toMatchObject({ username: 'jane', title, attributes });
      const [found] = await client.findCustomers(['jane']);
      expect(found).toMatchObject({ title, attributes, promotionOptIn: true });
      expect(sandbox.customers()[0]).toMatchObject({ title, promotionOptIn: true });
    });
  }
});

describe('an account that wants its fluent.account header', () => {
  it('refuses a client that does not send it, with 401 on the token request', async () => {
    const { sandbox, client } = await clientFor({ account: 'ACME' });
    await expect(client.authenticate()).rejects.toBeInstanceOf(CredentialsRefusedError);
    expect(sandbox.stats()).toMatchObject({ tokenGrants: 0, accountHeader: { oauth: null } });
  });

  it('serves a client that sends it (FLUENT_ACCOUNT_ID), and names the account in the login’s roles', async () => {
    const { sandbox, client } = await clientFor({ account: 'ACME' }, 'ACME');
    const login = await client.readLogin();
    expect(login.ok).toBe(true);
    expect(JSON.stringify(login)).toContain('ACME');
    expect(await client.findCustomers(['nobody'])).toEqual([]);
    expect(sandbox.stats().accountHeader).toEqual({ oauth: 'ACME', graphql: 'ACME' });
  });

  it('refuses another account’s header and a GraphQL request without it, never naming either value', async () => {
    const sandbox = await fixture.start({ account: 'ACME' });
    const other = await postForm(sandbox.url, GOOD_GRANT, { 'fluent.account': 'OTHER' });
    expect(other.status).toBe(401);
    expect(other.body.error).toBe('invalid_client');
    expect(other.text).not.toMatch(/ACME|OTHER/);
    const granted = await postForm(sandbox.url, GOOD_GRANT, { 'fluent.account': 'ACME' });
    expect(granted.status).toBe(200);
    const without = await postGraphql(sandbox, granted.body.access_token, FIND);
    expect(without.status).toBe(401);
    expect(without.text).not.toContain('ACME');
    const withIt = await postGraphql(sandbox, granted.body.access_token, FIND, {}, { 'fluent.account': 'ACME' });
    expect(withIt.status).toBe(200);
  });
});
