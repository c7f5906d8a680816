/**
 * Tokens as Fluent documents them: the fluent.account header on both routes, single-use refresh tokens, the login
 * facts of the token answer, and one scrubber for everything a server may echo back.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { RetryEvent } from '../../src/fluent/createFluentClient.js';
import type { Credentials } from '../../src/fluent/credentials.js';
import { CredentialsRefusedError, FluentDataError, PermissionDeniedError } from '../../src/fluent/errors.js';
import { createScrubber } from '../../src/shared/createScrubber.js';
import { grantRequests as grantsOf, noWait, useFluentFixtures } from './fixtures.js';
import { formOf, type StubRequest, type StubServer, sendJson, sendToken } from './stubServer.js';

const fx = useFluentFixtures();
const emptyPage = { data: { customers: { edges: [], pageInfo: { hasNextPage: false } } } };

const grantTypes = (server: StubServer) => grantsOf(server).map((r) => formOf(r).grant_type);
/** Every refresh token the client sent, in order. */
const refreshTokensSent = (server: StubServer) =>
  grantsOf(server).flatMap((r) => (formOf(r).grant_type === 'refresh_token' ? [formOf(r).refresh_token] : []));

/**
 * A Fluent whose refresh tokens are single-use, as documented: each answer hands out a new one, and a spent or
 * unknown one is refused with invalid_grant (and counted). Tokens live 120 s, so one is refreshed after 90 s.
 */
async function startSingleUseFluent(
  handle: {
    refresh?: (request: StubRequest, response: ServerResponse, serial: number) => boolean;
    graphql?: (request: StubRequest, response: ServerResponse) => boolean;
    refreshFor?: (serial: number) => string;
  } = {},
) {
  const live = new Set<string>();
  const counts = { reused: 0, passwordGrants: 0, refreshGrants: 0 };
  let serial = 0;
  const issue = (response: ServerResponse) => {
    serial += 1;
    const refreshToken = handle.refreshFor?.(serial) ?? `refresh-${serial}`;
    live.add(refreshToken);
    sendToken(response, `access-${serial}`, { expires_in: 120, refresh_token: refreshToken });
  };
  const stub = await fx.stub((request, response) => {
    if (request.path === '/graphql') {
      if (handle.graphql?.(request, response)) return;
      return sendJson(response, 200, emptyPage);
    }
    const form = formOf(request);
    if (form.grant_type === 'password') {
      counts.passwordGrants += 1;
      return issue(response);
    }
    const token = form.refresh_token ?? '';
    if (!live.delete(token)) {
      counts.reused += 1;
      return sendJson(response, 400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
    }
    counts.refreshGrants += 1;
    if (handle.refresh?.(request, response, serial)) return;
    issue(response);
  });
  return { stub, counts };
}

describe('the fluent.account header', () => {
  it('goes to /oauth/token (password and refresh grants) and to /graphql', async () => {
    let time = 0;
    const { stub } = await startSingleUseFluent();
    const client = fx.client(stub.url, { ...noWait(0), accountId: 'ACME', now: () => time });
    await client.findCustomers(['x']);
    time += 95_000;
    await client.findCustomers(['x']);

    expect(grantTypes(stub)).toEqual(['password', 'refresh_token']);
    expect(stub.requests.map((r) => [r.path, r.headers['fluent.account']])).toEqual([
      ['/oauth/token', 'ACME'],
      ['/graphql', 'ACME'],
      ['/oauth/token', 'ACME'],
      ['/graphql', 'ACME'],
    ]);
  });

  it('is left out when no account id is set', async () => {
    const { stub } = await startSingleUseFluent();
    const client = fx.client(stub.url, { ...noWait(0) });
    await client.findCustomers(['x']);
    expect(stub.requests.map((r) => 'fluent.account' in r.headers)).toEqual([false, false]);
  });
});

describe('single-use refresh tokens', () => {
  it('never sends one twice across many refreshes, concurrent requests and a 401', async () => {
    let time = 0;
    let revoked = false;
    const { stub, counts } = await startSingleUseFluent({
      // Fluent revokes the third access token once: the 401 renews through a refresh like any other.
      graphql: (request, response) => {
        if (request.headers.authorization !== 'Bearer access-3' || revoked) return false;
        revoked = true;
        sendJson(response, 401, { error: 'invalid_token' });
        return true;
      },
    });
    const client = fx.client(stub.url, {
      ...noWait(0),
      now: () => time, // The rate limiter waits on this clock between concurrent sends: it must move when slept on.
      sleep: async (ms) => {
        time += ms;
      },
    });
    const lookups = () => Promise.all(Array.from({ length: 8 }, (_, i) => client.findCustomers([`u${i}`])));
    await lookups();
    for (let cycle = 0; cycle < 5; cycle++) {
      time += 95_000;
      await lookups();
    }

    const sent = refreshTokensSent(stub);
    expect(sent).toHaveLength(6);
    expect(new Set(sent).size).toBe(sent.length);
    expect(revoked).toBe(true);
    expect(counts).toEqual({ reused: 0, passwordGrants: 1, refreshGrants: 6 });
  });

  for (const [loss, refresh] of [
    ['the connection is cut', (_request: StubRequest, response: ServerResponse) => response.socket?.destroy()],
    ['the answer never comes', () => {}],
  ] as const) {
    it(`forgets a refresh token whose answer is lost (${loss}) and falls back to the password grant`, async () => {
      let time = 0;
      let lost = false;
      const { stub, counts } = await startSingleUseFluent({
        refresh: (request, response) => {
          if (lost) return false;
          lost = true;
          refresh(request, response);
          return true;
        },
      });
      const client = fx.client(stub.url, { ...noWait(0), now: () => time, requestTimeoutMs: 300 });
      await client.findCustomers(['x']);
      time += 95_000;
      expect(await client.findCustomers(['x'])).toEqual([]);
      time += 95_000;
      await client.findCustomers(['x']);

      // No transport retry of the lost refresh: the password grant follows, then its own refresh token is used.
      expect(grantTypes(stub)).toEqual(['password', 'refresh_token', 'password', 'refresh_token']);
      expect(refreshTokensSent(stub)).toEqual(['refresh-1', 'refresh-2']);
      expect(counts.reused).toBe(0);
    });
  }

  it('sends a refresh answered 503 once, then uses the password grant', async () => {
    let time = 0;
    const { stub, counts } = await startSingleUseFluent({
      refresh: (_request, response) => {
        sendJson(response, 503, {});
        return true;
      },
    });
    const retries: RetryEvent[] = [];
    const client = fx.client(stub.url, { ...noWait(0), now: () => time, onRetry: (e) => retries.push(e) });
    await client.findCustomers(['x']);
    time += 95_000;
    await client.findCustomers(['x']);
    expect(grantTypes(stub)).toEqual(['password', 'refresh_token', 'password']);
    expect(retries).toEqual([]);
    expect(counts.reused).toBe(0);
  });

  it('never sends a refresh token it already spent, even when the server hands it out again', async () => {
    let time = 0;
    // A server that hands the same refresh token out with every password grant.
    const { stub, counts } = await startSingleUseFluent({
      refreshFor: () => 'same-refresh',
      refresh: (_request, response) => {
        sendJson(response, 400, { error: 'invalid_grant' });
        return true;
      },
    });
    const client = fx.client(stub.url, { ...noWait(0), now: () => time });
    for (let cycle = 0; cycle < 3; cycle++) {
      await client.findCustomers(['x']);
      time += 95_000;
    }
    expect(refreshTokensSent(stub)).toEqual(['same-refresh']);
    expect(grantTypes(stub)).toEqual(['password', 'refresh_token', 'password', 'password']);
    expect(counts.reused).toBe(0);
  });
});

describe('grantDetails', () => {
  const facts = { Retailer_id: 7, Roles: ['ADMIN', 'CUSTOMER_SERVICE'], FirstName: 'Rosalind', LastName: 'Quill' };

  it('reads Retailer_id, Roles, FirstName and LastName from the token answer', async () => {
    const stub = await fx.stub((request, response) => {
      if (request.path === '/oauth/token') return sendToken(response, 'tok-1', { scope: 'api', ...facts });
      sendJson(response, 200, emptyPage);
    });
    const client = fx.client(stub.url, { ...noWait(0) });
    expect(client.grantDetails()).toBeUndefined();
    await client.authenticate();
    expect(client.grantDetails()).toEqual({
      retailerId: '7',
      roles: ['ADMIN', 'CUSTOMER_SERVICE'],
      firstName: 'Rosalind',
      lastName: 'Quill',
    });
  });

  it('reads Roles given as one comma-separated string', async () => {
    const stub = await fx.stub((_request, response) =>
      sendToken(response, 'tok-1', { Retailer_id: '12', Roles: 'ADMIN, CUSTOMER_SERVICE' }),
    );
    const client = fx.client(stub.url, { ...noWait(0) });
    await client.authenticate();
    expect(client.grantDetails()).toEqual({ retailerId: '12', roles: ['ADMIN', 'CUSTOMER_SERVICE'] });
  });

  it('is undefined with FLUENT_ACCESS_TOKEN, which has no token answer', async () => {
    const client = fx.client('http://127.0.0.1:9', {
      ...noWait(0),
      credentials: { kind: 'token', accessToken: 'tok-static' },
    });
    await client.authenticate();
    expect(client.grantDetails()).toBeUndefined();
  });

  it('never puts them in a retry event or an error message', async () => {
    let answered = 0;
    const stub = await fx.stub((request, response) => {
      if (request.path === '/oauth/token') return sendToken(response, `tok-${grantsOf(stub).length}`, facts);
      answered += 1;
      if (answered === 1) return sendJson(response, 429, {}, { 'retry-after': '1' });
      if (answered === 2) return sendJson(response, 401, { error: 'invalid_token' });
      sendJson(response, 200, { errors: [{ message: 'C0160E: validation failed' }] });
    });
    const events: RetryEvent[] = [];
    const client = fx.client(stub.url, { ...noWait(0), onRetry: (e) => events.push(e) });
    const error = await client.updateCustomer({ username: 'u', firstName: 'A' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FluentDataError);
    expect(events).toHaveLength(2);
    const said = JSON.stringify([events, (error as Error).message, client.stats()]);
    for (const value of ['Rosalind', 'Quill', 'CUSTOMER_SERVICE', 'ADMIN']) expect(said).not.toContain(value);
  });
});

describe('one scrubber for everything a server echoes back', () => {
  // A password and a secret that change when URL-encoded, as they travel in the grant's form body.
  const awkward: Credentials = {
    kind: 'password',
    clientId: 'cid-8WQ',
    clientSecret: 'se+cret/3VB=',
    username: 'api-user-6JX',
    password: 'p@ss word-1YT',
  };
  const secrets = [awkward.clientSecret, awkward.password, encodeURIComponent(awkward.clientSecret), 'p%40ss+word-1YT'];

  /** A Fluent that grants `access-N`/`refresh-N` and then echoes the Authorization header and body in an error. */
  async function startEchoingFluent(graphqlStatus: number) {
    const stub = await fx.stub((request, response) => {
      if (request.path === '/oauth/token') {
        const n = grantsOf(stub).length;
        return sendToken(response, `access-${n}-Q7`, { refresh_token: `refresh-${n}-Q7` });
      }
      const echo = `\u001b[31mrefused ${request.headers.authorization} for ${request.body}`;
      sendJson(response, graphqlStatus, { errors: [{ message: echo }] });
    });
    return stub;
  }

  it('masks granted tokens in Fluent’s error messages, and shares them with the run’s scrubber', async () => {
    const scrubber = createScrubber();
    const stub = await startEchoingFluent(200);
    const client = fx.client(stub.url, { ...noWait(0), credentials: awkward, scrubber });
    const error = await client.updateCustomer({ username: 'u', firstName: 'A' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FluentDataError);
    const message = (error as Error).message;
    expect(message).toContain('refused Bearer *** for');
    expect(message).not.toContain('access-1-Q7');
    // Control characters from the server come out as visible escapes.
    expect(message).not.toContain('\u001b');
    expect(message).toContain('\\u001b[31m');
    // The run's scrubber now masks both tokens of the answer, for every other output path.
    expect(scrubber.scrub('a access-1-Q7 b refresh-1-Q7')).toBe('a *** b ***');
    expect(scrubber.scrub(awkward.password)).toBe('***');
  });

  it('masks an echoed token in a 403’s permission error', async () => {
    const stub = await startEchoingFluent(403);
    const client = fx.client(stub.url, { ...noWait(0), credentials: awkward });
    const error = await client.findCustomers(['x']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect((error as Error).message).toContain('refused Bearer ***');
    expect((error as Error).message).not.toContain('access-1-Q7');
  });

  it('masks the password and client secret, raw or URL-encoded, echoed by a refused grant', async () => {
    const stub = await fx.stub((request, response) =>
      sendJson(response, 401, { error: 'invalid_client', error_description: `bad login in ${request.body}` }),
    );
    const client = fx.client(stub.url, { ...noWait(0), credentials: awkward });
    const error = await client.findCustomers(['x']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsRefusedError);
    const message = (error as Error).message;
    expect(message).toContain('invalid_client: bad login in');
    expect(stub.requests[0]?.body).toContain('p%40ss+word-1YT');
    for (const secret of secrets) expect(message).not.toContain(secret);
  });
});
