import { describe, expect, it } from 'vitest';
import { FIND, GOOD_GRANT, grantToken, postForm, postGraphql, toReply } from './sandboxClient.js';
import { useSandbox } from './useSandbox.js';

const { start } = useSandbox({ grant: false });

describe('POST /oauth/token', () => {
  it('grants a bearer token for any non-empty credentials', async () => {
    const s = await start();
    const reply = await postForm(s.url, GOOD_GRANT);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
    expect(reply.body.access_token).toMatch(/^\S{16,}$/);
    expect(reply.body.refresh_token).toBeUndefined();
    expect((await postGraphql(s, reply.body.access_token, FIND)).status).toBe(200);
    expect(s.stats().tokenGrants).toBe(1);
  });

  it('takes the parameters from the query string too, as Fluent’s docs show them', async () => {
    const s = await start();
    const response = await fetch(`${s.url}/oauth/token?${new URLSearchParams(GOOD_GRANT)}`, { method: 'POST' });
    const reply = await toReply(response);
    expect(reply.status).toBe(200);
    expect(reply.body.access_token).toBeTruthy();
  });

  it('gives a different token on every grant', async () => {
    const s = await start();
    expect(await grantToken(s)).not.toBe(await grantToken(s));
  });

  it('refuses an empty credential with 401 invalid_grant', async () => {
    const s = await start();
    const reply = await postForm(s.url, { ...GOOD_GRANT, password: '' });
    expect(reply.status).toBe(401);
    expect(reply.body.error).toBe('invalid_grant');
    expect(s.stats().unauthorized).toBe(1);
  });

  it('needs scope=api and a known grant type', async () => {
    const s = await start();
    expect((await postForm(s.url, { ...GOOD_GRANT, scope: 'other' })).status).toBe(400);
    const refresh = await postForm(s.url, { grant_type: 'refresh_token', refresh_token: 'x' });
    expect(refresh.status).toBe(400);
    expect(refresh.body.error).toBe('unsupported_grant_type');
  });

  it('accepts exactly the configured credentials and never echoes the secret', async () => {
    const credentials = { clientId: 'cid', clientSecret: 's3cr3t-value', username: 'ops', password: 'pw-value' };
    const s = await start({ credentials });
    const good = {
      ...GOOD_GRANT,
      client_id: 'cid',
      client_secret: 's3cr3t-value',
      username: 'ops',
      password: 'pw-value',
    };
    expect((await postForm(s.url, good)).status).toBe(200);
    for (const wrong of [{ password: 'nope' }, { client_secret: 'nope' }, { username: 'OPS' }, { client_id: 'x' }]) {
      const reply = await postForm(s.url, { ...good, ...wrong });
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('invalid_grant');
      expect(reply.text).not.toContain('s3cr3t-value');
      expect(reply.text).not.toContain('pw-value');
    }
  });

  it('issues single-use refresh tokens when asked: a spent one is refused with 400 invalid_grant', async () => {
    const s = await start({ faults: { issueRefreshTokens: true, tokenLifetimeSeconds: 120 } });
    const first = await postForm(s.url, GOOD_GRANT);
    expect(first.body.expires_in).toBe(120);
    expect(first.body.refresh_token).toBeTruthy();
    const refresh = {
      grant_type: 'refresh_token',
      client_id: 'client',
      client_secret: 'secret',
      refresh_token: first.body.refresh_token,
    };
    const refreshed = await postForm(s.url, refresh);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(first.body.access_token);
    expect(refreshed.body.refresh_token).toBeTruthy();
    expect(refreshed.body.refresh_token).not.toBe(first.body.refresh_token);
    expect((await postGraphql(s, refreshed.body.access_token, FIND)).status).toBe(200);

    const spent = await postForm(s.url, refresh);
    expect(spent.status).toBe(400);
    expect(spent.body.error).toBe('invalid_grant');
    const unknown = await postForm(s.url, { ...refresh, refresh_token: 'made-up' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toBe('invalid_grant');
    // The new refresh token works once, like the first.
    const next = await postForm(s.url, { ...refresh, refresh_token: refreshed.body.refresh_token });
    expect(next.status).toBe(200);
    expect(s.stats()).toMatchObject({ tokenGrants: 1, refreshGrants: 2 });
  });

  it('needs the client on a refresh grant, and the configured one when credentials are set', async () => {
    const credentials = { clientId: 'cid', clientSecret: 'csecret', username: 'ops', password: 'pw' };
    const s = await start({ credentials, faults: { issueRefreshTokens: true } });
    const grant = async () =>
      (
        await postForm(s.url, {
          ...GOOD_GRANT,
          client_id: 'cid',
          client_secret: 'csecret',
          username: 'ops',
          password: 'pw',
        })
      ).body.refresh_token as string;
    const bare = await postForm(s.url, { grant_type: 'refresh_token', refresh_token: await grant() });
    expect(bare.status).toBe(401);
    expect(bare.body.error).toBe('invalid_grant');
    const wrong = await postForm(s.url, {
      grant_type: 'refresh_token',
      client_id: 'cid',
      client_secret: 'nope',
      refresh_token: await grant(),
    });
    expect(wrong.status).toBe(401);
    const right = await postForm(s.url, {
      grant_type: 'refresh_token',
      client_id: 'cid',
      client_secret: 'csecret',
      refresh_token: await grant(),
    });
    expect(right.status).toBe(200);
    expect(s.stats().refreshGrants).toBe(1);
  });

  it('answers a grant as Fluent documents it: the tokens, then who the login is', async () => {
    const s = await start({ faults: { issueRefreshTokens: true } });
    const reply = await postForm(s.url, GOOD_GRANT);
    expect(Object.keys(reply.body).sort()).toEqual(
      [
        'access_token',
        'token_type',
        'expires_in',
        'scope',
        'Retailer_id',
        'FirstName',
        'LastName',
        'Roles',
        'refresh_token',
      ].sort(),
    );
    expect(reply.body).toMatchObject({ token_type: 'bearer', expires_in: 3600, scope: 'api', Retailer_id: '1' });
    expect(reply.body.Roles).toContain('CUSTOMER_SYNC');
    expect(reply.body.FirstName).toEqual(expect.any(String));
    expect(reply.body.LastName).toEqual(expect.any(String));
    await s.close();

    const scoped = await start({ loginScope: { kind: 'retailer', retailerId: '2' } });
    expect((await postForm(scoped.url, GOOD_GRANT)).body.Retailer_id).toBe('2');
  });
});

describe('bearer tokens on POST /graphql', () => {
  it('answers 401 invalid_token without a token or with an unknown one', async () => {
    const s = await start();
    for (const token of [undefined, 'not-a-token']) {
      const reply = await postGraphql(s, token, FIND);
      expect(reply.status).toBe(401);
      expect(reply.body.error).toBe('invalid_token');
    }
    expect(s.stats().unauthorized).toBe(2);
  });

  it('answers 401 once a token outlives its lifetime', async () => {
    let clock = Date.parse('2024-05-01T00:00:00Z');
    const s = await start({ now: () => clock, faults: { tokenLifetimeSeconds: 60 } });
    const token = await grantToken(s);
    clock += 59_000;
    expect((await postGraphql(s, token, FIND)).status).toBe(200);
    clock += 1_000;
    const expired = await postGraphql(s, token, FIND);
    expect(expired.status).toBe(401);
    expect(expired.body.error).toBe('invalid_token');
    expect((await postGraphql(s, await grantToken(s), FIND)).status).toBe(200);
  });

  it('records the fluent.account header of the last token and GraphQL requests', async () => {
    const s = await start();
    expect(s.stats().accountHeader).toEqual({ oauth: null, graphql: null });
    const token = (await postForm(s.url, GOOD_GRANT, { 'fluent.account': 'ACME' })).body.access_token;
    expect(s.stats().accountHeader).toEqual({ oauth: 'ACME', graphql: null });
    const reply = await postGraphql(s, token, FIND, {}, { 'fluent.account': 'ACME' });
    expect(reply.status).toBe(200);
    expect(reply.body.data.customers.edges).toEqual([]);
    expect(s.stats().accountHeader).toEqual({ oauth: 'ACME', graphql: 'ACME' });
    // The last request decides: one without the header shows as null.
    await postGraphql(s, token, FIND);
    expect(s.stats().accountHeader).toEqual({ oauth: 'ACME', graphql: null });
  });
});
