import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { serveSandbox } from '../../src/sandbox/serveSandbox.js';
import { startSandbox } from '../../src/sandbox/startSandbox.js';
import { CREATE, createInput, FIND, GOOD_GRANT, postFaults, postForm, toReply } from './sandboxClient.js';

function firstLine(stream: PassThrough): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text);
    });
  });
}

describe('serveSandbox', () => {
  it('prints one line with the URL, serves, and stops when the signal aborts', async () => {
    const out = new PassThrough();
    const controller = new AbortController();
    const lineRead = firstLine(out);
    const served = serveSandbox({ out, signal: controller.signal, seed: [{ retailerId: '1', username: 'seeded' }] });
    const line = await lineRead;
    expect(line).toMatch(/^sandbox listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    const url = line.trim().replace('sandbox listening on ', '');

    const token = (await postForm(url, GOOD_GRANT)).body.access_token;
    const graphql = (query: string, variables: unknown) =>
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      }).then(toReply);
    expect((await graphql(CREATE, createInput('jane'))).status).toBe(200);

    const state = await toReply(await fetch(`${url}/_sandbox/state`));
    expect(state.body.customers.map((customer: { username: string }) => customer.username)).toEqual(['seeded', 'jane']);
    expect(state.body.stats).toMatchObject({ tokenGrants: 1, creates: 1, graphql: 1 });

    // Process-level tests switch faults on over HTTP.
    const set = await postFaults(url, JSON.stringify({ random429Rate: 1 }));
    expect(set.status).toBe(200);
    expect((await graphql(FIND, {})).status).toBe(429);
    const bad = await postFaults(url, '{"random429Rate": 2}');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('random429Rate');

    controller.abort();
    await served;
    await expect(fetch(`${url}/_sandbox/state`)).rejects.toThrow();
  });
});

describe('startSandbox', () => {
  it('refuses a port in use with a one-line UsageError', async () => {
    const first = await startSandbox();
    try {
      const second = startSandbox({ port: first.port });
      await expect(second).rejects.toThrow(UsageError);
      await expect(second).rejects.toThrow(`127.0.0.1:${first.port}: it is in use`);
    } finally {
      await first.close();
    }
  });

  it('closes promptly while a client holds a keep-alive connection', async () => {
    const sandbox = await startSandbox();
    const reply = await postForm(sandbox.url, GOOD_GRANT);
    expect(reply.status).toBe(200);
    const started = performance.now();
    await sandbox.close();
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
