import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/startSandbox.js';
import { FIND, GOOD_GRANT, grantToken, postForm, postGraphql, toReply } from './sandboxClient.js';

let sandbox: Sandbox | undefined;
async function start(options: SandboxOptions = {}): Promise<Sandbox> {
  sandbox = await startSandbox(options);
  return sandbox;
}
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

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

  it('issues refresh tokens when asked, and grants a new token for one', async () => {
    const s = await start({ faults: { issueRefreshTokens: true, tokenLifetimeSeconds: 120 } });
    const first = await postForm(s.url, GOOD_GRANT);
    expect(first.body.expires_in).toBe(120);
    expect(first.body.refresh_token).toBeTruthy();
    const refreshed = await postForm(s.url, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(first.body.access_token);
    expect((await postGraphql(s, refreshed.body.access_token, FIND)).status).toBe(200);
    const unknown = await postForm(s.url, { grant_type: 'refresh_token', refresh_token: 'made-up' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe('invalid_grant');
    expect(s.stats()).toMatchObject({ tokenGrants: 1, refreshGrants: 1 });
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

  it('accepts and ignores the fluent.account header', async () => {
    const s = await start();
    const reply = await postGraphql(s, await grantToken(s), FIND, {}, { 'fluent.account': 'ACME' });
    expect(reply.status).toBe(200);
    expect(reply.body.data.customers.edges).toEqual([]);
  });
});
