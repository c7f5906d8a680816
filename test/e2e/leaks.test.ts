import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { type StubServer, sendJson, startStubServer } from '../fluent/stubServer.js';
import { generateCustomersCsv } from '../helpers/generateCsv.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace } from '../helpers/workspace.js';

/**
 * An OMS that echoes what it was sent in its error messages: the bearer token, the client secret, the password, the
 * refresh token. Whatever it echoes must reach no output: not stdout or stderr (text or JSON logs), not a report
 * file, not the checkpoint (WAL included).
 */
const ws = makeWorkspace('cs-leaks-');
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
  ws.remove();
});

/** A password with the characters JSON escapes, so its escaped form is checked too. */
const CREDENTIALS = { ...TEST_CREDENTIALS, FLUENT_PASSWORD: 'P4ss"word\\with-quote-73e1' };

/** Forwards to a sandbox, recording every token it grants, and answers some requests with an echo of everything. */
async function echoingOms(sandbox: Sandbox, echoOn: (operation: string, count: number) => boolean) {
  const seen = { tokens: new Set<string>(), form: new URLSearchParams() };
  const counts = new Map<string, number>();
  const stub: StubServer = await startStubServer(async (request, response) => {
    const echo = () =>
      `Authorization: ${request.headers.authorization}; client_secret=${seen.form.get('client_secret')}; password=${seen.form.get('password')}; tokens=${[...seen.tokens].join(',')}`;
    if (request.path.startsWith('/graphql')) {
      const operation = (JSON.parse(request.body) as { operationName?: string }).operationName ?? '';
      const count = (counts.get(operation) ?? 0) + 1;
      counts.set(operation, count);
      if (echoOn(operation, count)) {
        const code = operation === 'FindCustomers' ? 'C0020E' : 'C0160E';
        sendJson(response, 200, {
          data: null,
          errors: [{ message: `${code}: refused (${echo()})`, extensions: { code } }],
        });
        return;
      }
    } else {
      seen.form = new URLSearchParams(request.body);
    }
    const forwarded = await fetch(`${sandbox.url}${request.path}`, {
      method: 'POST',
      headers: { 'content-type': String(request.headers['content-type'] ?? ''), ...authorization(request.headers) },
      body: request.body,
    });
    const text = await forwarded.text();
    if (request.path.startsWith('/oauth')) {
      const grant = JSON.parse(text) as { access_token?: string; refresh_token?: string };
      for (const token of [grant.access_token, grant.refresh_token]) if (token) seen.tokens.add(token);
    }
    response.writeHead(forwarded.status, { 'content-type': 'application/json' });
    response.end(text);
  });
  closers.push(() => stub.close());
  return { url: stub.url, seen };
}

function authorization(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const value = headers.authorization;
  return typeof value === 'string' ? { authorization: value } : {};
}

/** Every secret value and the forms a file or log could hold it in (raw, JSON-escaped, URL-encoded). */
function forms(values: Iterable<string>): string[] {
  return [...values].flatMap((value) => [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]);
}

function filesBelow(dir: string): { file: string; bytes: Buffer }[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).flatMap((entry) => {
    const file = path.join(entry.parentPath, entry.name);
    return entry.isFile() ? [{ file, bytes: fs.readFileSync(file) }] : [];
  });
}

describe('an OMS that echoes secrets in its error messages', () => {
  it('leaks nothing into reports, the checkpoint, or text and JSON logs', async () => {
    const sandbox = await startSandbox({ faults: { tokenLifetimeSeconds: 2, issueRefreshTokens: true } });
    closers.push(() => sandbox.close());
    const outputs: string[] = [];
    const granted = new Set<string>();
    for (const flags of [['--verbose'], ['--verbose', '--log-format', 'json'], ['--redact']]) {
      // One OMS session per run: it echoes what this run sent it, as a real server would.
      const oms = await echoingOms(sandbox, (operation, count) => operation === 'CreateCustomer' && count % 3 === 0);
      const name = flags.join('');
      const result = await runCli(
        [
          'sync',
          ws.write(`${name}.csv`, generateCustomersCsv(30, { domain: `${name.replace(/\W/g, '')}.example.com` })),
          '--checkpoint',
          ws.path('out', 'cp.sqlite'),
          '--report-dir',
          ws.path('out', name),
          '--max-error-rate',
          '1',
          '--rate',
          '100',
          ...flags,
        ],
        { env: { ...CREDENTIALS, FLUENT_API_HOST: oms.url, FLUENT_RETAILER_ID: '1' } },
      );
      expect(result.code).toBe(1);
      outputs.push(result.stdout, result.stderr);
      for (const token of oms.seen.tokens) granted.add(token);
    }
    expect(granted.size).toBeGreaterThan(3);
    const secrets = forms([CREDENTIALS.FLUENT_CLIENT_SECRET, CREDENTIALS.FLUENT_PASSWORD, ...granted]);
    const files = filesBelow(ws.path('out'));
    expect(files.map((f) => path.basename(f.file))).toEqual(expect.arrayContaining(['rejects.csv', 'report.html']));
    const failed = files.find((f) => f.file.endsWith(`${path.sep}--verbose${path.sep}rejects.csv`));
    expect(failed?.bytes.toString()).toMatch(/C0160E: refused \(Authorization: Bearer \*\*\*; client_secret=\*\*\*/);
    for (const secret of secrets) {
      for (const text of outputs) expect(text.includes(secret), `secret in output: ${text.slice(0, 200)}`).toBe(false);
      for (const { file, bytes } of files) expect(bytes.includes(secret), `secret in ${file}`).toBe(false);
    }
  });

  it('an abort whose message echoes the password leaks nothing into the JSON log line or the partial report', async () => {
    const sandbox = await startSandbox();
    closers.push(() => sandbox.close());
    const oms = await echoingOms(sandbox, (operation) => operation === 'FindCustomers');
    const result = await runCli(
      [
        'sync',
        ws.write('abort.csv', generateCustomersCsv(5)),
        '--checkpoint',
        ws.path('abort', 'cp.sqlite'),
        '--report-dir',
        ws.path('abort', 'r'),
        '--log-format',
        'json',
      ],
      { env: { ...CREDENTIALS, FLUENT_API_HOST: oms.url, FLUENT_RETAILER_ID: '1' } },
    );
    expect(result.code).toBe(3);
    const last = JSON.parse(result.stderr.trim().split('\n').at(-1) ?? '{}') as { level?: string; message?: string };
    expect(last).toMatchObject({ level: 'error', message: expect.stringContaining('CUSTOMER_VIEW') });
    const secrets = forms([CREDENTIALS.FLUENT_CLIENT_SECRET, CREDENTIALS.FLUENT_PASSWORD, ...oms.seen.tokens]);
    for (const secret of secrets) {
      expect(result.stderr + result.stdout).not.toContain(secret);
      for (const { file, bytes } of filesBelow(ws.path('abort'))) expect(bytes.includes(secret), file).toBe(false);
    }
  });
});
