import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { GOOD_GRANT, postFaults, postForm, type Reply, toReply } from './sandboxClient.js';
import { useSandbox } from './useSandbox.js';

/** The control endpoints (`/_sandbox/state`, `/_sandbox/faults`): who may read the state and change the faults. */
const fixture = useSandbox({ grant: false });
const CREDENTIALS = { clientId: 'cid', clientSecret: 'csecret', username: 'ops', password: 'pw' };
const RIGHT_GRANT = { ...GOOD_GRANT, client_id: 'cid', client_secret: 'csecret', username: 'ops', password: 'pw' };

const getState = async (url: string, headers: Record<string, string> = {}): Promise<Reply> =>
  toReply(await fetch(`${url}/_sandbox/state`, { headers }));

/** A raw request, so the Host header can be another site's (fetch always sends the URL's). */
function rawGet(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = request({ host: '127.0.0.1', port, path: '/_sandbox/state', headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    sent.on('error', reject);
    sent.end();
  });
}

describe('the control endpoints', () => {
  it('need a token the sandbox granted when SANDBOX_CREDENTIALS is set', async () => {
    const sandbox = await fixture.start({ credentials: CREDENTIALS, seed: [{ retailerId: '1', username: 'pii' }] });
    const anonymous = await getState(sandbox.url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toContain('pii');
    expect((await getState(sandbox.url, { authorization: 'Bearer made-up' })).status).toBe(401);
    expect((await postFaults(sandbox.url, '{"random429Rate": 1}')).status).toBe(401);
    expect(sandbox.stats().tokenGrants).toBe(0);
    // Only the configured credentials get a token, and the token opens the endpoints.
    expect((await postForm(sandbox.url, GOOD_GRANT)).status).toBe(401);
    const token = (await postForm(sandbox.url, RIGHT_GRANT)).body.access_token as string;
    const authorization = `Bearer ${token}`;
    const state = await getState(sandbox.url, { authorization });
    expect(state.status).toBe(200);
    expect(state.body.customers.map((customer: { username: string }) => customer.username)).toEqual(['pii']);
    expect((await postFaults(sandbox.url, '{"random429Rate": 1}', { authorization })).status).toBe(200);
    expect(sandbox.stats().tokenGrants).toBe(1);
  });

  it('take faults only as a JSON body, so a web page’s simple POST cannot change them', async () => {
    const sandbox = await fixture.start();
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const simple = await fetch(`${sandbox.url}/_sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: '{"random5xxRate": 1}',
      });
      expect(simple.status, contentType).toBe(415);
      await simple.text();
    }
    const bare = await toReply(await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', body: '{}' }));
    expect(bare.status).toBe(415);
    expect(sandbox.stats().serverErrors).toBe(0);
    expect(await toReply(await fetch(`${sandbox.url}/_sandbox/faults`))).toMatchObject({ body: { faults: {} } });
    const json = await postFaults(sandbox.url, '{"random5xxRate": 1}', {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(json.status).toBe(200);
  });

  it('refuse a request from another site or to another host name (DNS rebinding)', async () => {
    const sandbox = await fixture.start();
    const crossSite = await postFaults(sandbox.url, '{"random5xxRate": 1}', { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect((await getState(sandbox.url, { origin: 'http://127.0.0.1:1' })).status).toBe(403);
    expect((await getState(sandbox.url, { origin: sandbox.url })).status).toBe(200);
    expect(await rawGet(sandbox.port, `evil.example:${sandbox.port}`)).toBe(403);
    expect(await rawGet(sandbox.port, `localhost:${sandbox.port}`)).toBe(200);
    expect((await toReply(await fetch(`${sandbox.url}/_sandbox/faults`))).body.faults).toEqual({});
  });

  it('answer a method they do not take with 405', async () => {
    const sandbox = await fixture.start();
    expect((await fetch(`${sandbox.url}/_sandbox/state`, { method: 'DELETE' })).status).toBe(405);
  });
});
