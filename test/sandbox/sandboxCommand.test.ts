import { describe, expect, it } from 'vitest';
import { parseSandboxFlags } from '../../src/sandbox/parseSandboxFlags.js';
import { resolveSandboxSettings } from '../../src/sandbox/resolveSandboxSettings.js';
import { runCli } from '../helpers/runCli.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';
import {
  CREATE,
  createInput,
  FIND,
  GOOD_GRANT,
  onlyError,
  postFaults,
  postForm,
  type Reply,
  toReply,
  UPDATE,
} from './sandboxClient.js';
import { useSandboxCommand } from './useSandbox.js';

const serve = useSandboxCommand();

function graphqlAt(url: string, token: string) {
  return async (query: string, variables: Record<string, unknown> = {}): Promise<Reply> =>
    toReply(
      await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      }),
    );
}

describe('customer-sync sandbox: how strict the account is', () => {
  it('takes every account flag and behaves accordingly', async () => {
    const url = await serve([
      '--retailers',
      '5, 6',
      '--login-scope',
      'retailer:6',
      '--missing-permission',
      'CUSTOMER_UPDATE',
      '--missing-permission',
      'user_view',
      '--lookup-match',
      'like',
      '--unique-ci',
      '--rate-limit-as-error',
    ]);
    const state = await toReply(await fetch(`${url}/_sandbox/state`));
    expect(state.body.settings).toEqual({
      retailers: ['5', '6'],
      loginScope: { kind: 'retailer', retailerId: '6' },
      missingPermissions: ['CUSTOMER_UPDATE', 'USER_VIEW'],
      lookupMatch: 'like',
      uniqueCi: true,
      rateLimitAsError: true,
      attributeUpdates: 'replace',
      nullUpdates: 'clear',
      account: null,
    });

    const graphql = graphqlAt(url, (await postForm(url, GOOD_GRANT)).body.access_token);
    expect(onlyError(await graphql(CREATE, createInput('a_b', '5'))).code).toBe('C0020E');
    expect((await graphql(CREATE, createInput('a_b', '6'))).body.errors).toBeUndefined();
    expect(onlyError(await graphql(CREATE, createInput('A_B', '6'))).code).toBe('C0123E');
    expect(onlyError(await graphql(CREATE, createInput('x', '1'))).code).toBe('C0020E');
    const like = await graphql(FIND, { username: ['A%'] });
    expect(like.body.data.customers.edges.map((edge: { node: { username: string } }) => edge.node.username)).toEqual([
      'a_b',
    ]);
    expect(onlyError(await graphql(UPDATE, { input: { username: 'a_b', firstName: 'X' } })).code).toBe('C0020E');
    expect(onlyError(await graphql('{ me { id } }')).code).toBe('C0020E');

    const set = await postFaults(url, JSON.stringify({ random429Rate: 1 }));
    expect(set.status).toBe(200);
    const limited = await graphql(FIND);
    expect(limited.status).toBe(200);
    expect(onlyError(limited).code).toBe('C0011E');
  });

  it('plays the data variants and the account it is told, and guards its state with SANDBOX_CREDENTIALS', async () => {
    const url = await serve(['--attributes', 'merge', '--null', 'ignore', '--account', 'ACME'], {
      SANDBOX_CREDENTIALS: 'cid:csecret:ops:pw',
    });
    const grant = { ...GOOD_GRANT, client_id: 'cid', client_secret: 'csecret', username: 'ops', password: 'pw' };
    expect((await postForm(url, grant)).status).toBe(401);
    const token = (await postForm(url, grant, { 'fluent.account': 'ACME' })).body.access_token as string;
    expect((await toReply(await fetch(`${url}/_sandbox/state`))).status).toBe(401);
    const state = await toReply(
      await fetch(`${url}/_sandbox/state`, { headers: { authorization: `Bearer ${token}` } }),
    );
    expect(state.body.settings).toMatchObject({ attributeUpdates: 'merge', nullUpdates: 'ignore', account: 'ACME' });

    const graphql = (query: string, variables: Record<string, unknown>) =>
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'fluent.account': 'ACME' },
        body: JSON.stringify({ query, variables }),
      }).then(toReply);
    const attributes = [{ name: 'tier', type: 'STRING', value: 'gold' }];
    expect((await graphql(CREATE, createInput('jane', '1', { title: 'Ms', attributes }))).body.errors).toBeUndefined();
    const updated = await graphql(
      'mutation($input: UpdateCustomerInput) { updateCustomer(input: $input) { title attributes { name value } } }',
      { input: { username: 'jane', title: null, attributes: [{ name: 'crmId', type: 'STRING', value: 'C-1' }] } },
    );
    expect(updated.body.data.updateCustomer).toEqual({
      title: 'Ms',
      attributes: [
        { name: 'tier', value: 'gold' },
        { name: 'crmId', value: 'C-1' },
      ],
    });
  });

  it('refuses a malformed account flag with exit 2 and one line naming it', async () => {
    // One spawned run for each place a flag is refused: its form (parseSandboxFlags), its value (startSandbox), and
    // yargs' choices; the other refusals go through the same functions in-process below.
    const cases: [args: string[], message: RegExp][] = [
      [['--login-scope', 'shop:1'], /--login-scope must be account or retailer:ID/],
      [['--login-scope', 'retailer:9'], /scoped to retailer '9', which it does not hold/],
      [['--lookup-match', 'fuzzy'], /lookup-match/],
      [['--attributes', 'upsert'], /--attributes must be one of replace, merge/],
    ];
    const results = await Promise.all(cases.map(([args]) => runCli(['sandbox', '--port', '0', ...args])));
    for (const [i, [args, message]] of cases.entries()) {
      const result = results[i];
      expect(result?.code, args.join(' ')).toBe(2);
      expect(result?.stdout).toBe('');
      expect(result?.stderr.trim().split('\n')).toHaveLength(1);
      expect(result?.stderr).toMatch(message);
    }
  });

  it('refuses a malformed account setting in one line, as the command reads its flags and starts the sandbox', () => {
    const cases: [flags: Record<string, unknown>, message: RegExp][] = [
      [{ retailers: '1,,2' }, /--retailers must list retailer ids/],
      [{ 'missing-permission': ['CUSTOMER_DELETE'] }, /unknown sandbox permission 'CUSTOMER_DELETE'/],
      [{ account: 'two words' }, /sandbox account 'two words' must be/],
    ];
    for (const [flags, message] of cases) {
      expect(usageErrorMessage(() => resolveSandboxSettings(parseSandboxFlags(flags), []))).toMatch(message);
    }
  });
});

describe('parseSandboxFlags', () => {
  it('reads the flags’ forms and leaves out those not given', () => {
    expect(parseSandboxFlags({})).toEqual({});
    expect(
      parseSandboxFlags({
        retailers: ' 1,2 ,30',
        'login-scope': 'Account',
        'missing-permission': ['customer_view,RETAILER_VIEW', 'USER_VIEW'],
        'lookup-match': 'ci',
        'unique-ci': true,
        'rate-limit-as-error': false,
        attributes: 'merge',
        null: 'ignore',
        account: 'ACME',
      }),
    ).toEqual({
      retailers: ['1', '2', '30'],
      loginScope: { kind: 'account' },
      missingPermissions: ['CUSTOMER_VIEW', 'RETAILER_VIEW', 'USER_VIEW'],
      lookupMatch: 'ci',
      uniqueCi: true,
      rateLimitAsError: false,
      attributeUpdates: 'merge',
      nullUpdates: 'ignore',
      account: 'ACME',
    });
    expect(parseSandboxFlags({ 'login-scope': 'retailer: 42' }).loginScope).toEqual({
      kind: 'retailer',
      retailerId: '42',
    });
  });

  it('never prints a control character it was given', () => {
    const message = usageErrorMessage(() => parseSandboxFlags({ 'login-scope': 'shop\u001b[2J' }));
    expect(message).toContain('shop\\u001b[2J');
  });
});
