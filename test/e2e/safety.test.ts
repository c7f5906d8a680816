import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCustomersCsv } from '../helpers/generateCsv.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { useSandboxes } from '../helpers/sandboxes.js';
import { makeWorkspace, readReport } from '../helpers/workspace.js';

const ws = makeWorkspace();
afterAll(() => ws.remove());
const { aSandbox, envFor } = useSandboxes();

/** Every file below `dir`, as bytes. */
function filesBelow(dir: string): { file: string; bytes: Buffer }[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).flatMap((entry) => {
    const file = path.join(entry.parentPath, entry.name);
    return entry.isFile() ? [{ file, bytes: fs.readFileSync(file) }] : [];
  });
}

describe('secrets', () => {
  it('never appear in stdout, stderr, logs at any verbosity, reports or the checkpoint', async () => {
    const sandbox = await aSandbox({ faults: { random5xxRate: 0.2, tokenLifetimeSeconds: 1, seed: 5 } });
    const file = ws.write('secrets.csv', `${generateCustomersCsv(30)}not-an-email,Bad,Row,,yes\n`);
    const outputs: string[] = [];
    for (const flags of [
      ['--verbose'],
      ['--verbose', '--log-format', 'json'],
      ['--quiet'],
      ['--dry-run', '--verbose'],
    ]) {
      const result = await runCli(
        [
          'sync',
          file,
          '--checkpoint',
          ws.path('secrets', 'cp.sqlite'),
          '--report-dir',
          ws.path('secrets', flags.join('')),
          '--rate',
          '100',
          ...flags,
        ],
        { env: envFor(sandbox, '1', { FLUENT_ACCOUNT_ID: 'ACCT-7731-secret' }) },
      );
      expect(result.code).toBe(1);
      outputs.push(result.stdout, result.stderr);
    }
    const secrets = [TEST_CREDENTIALS.FLUENT_CLIENT_SECRET, TEST_CREDENTIALS.FLUENT_PASSWORD, 'ACCT-7731-secret'];
    for (const secret of secrets) {
      for (const text of outputs) expect(text).not.toContain(secret);
      for (const { file: f, bytes } of filesBelow(ws.path('secrets'))) {
        expect(bytes.includes(secret), `${secret} in ${f}`).toBe(false);
      }
    }
  });

  it('refused credentials exit 3 naming the variables, never their values', async () => {
    const sandbox = await aSandbox({
      credentials: { clientId: 'real-id', clientSecret: 'real-secret', username: 'real-user', password: 'real-pass' },
    });
    const result = await runCli(
      [
        'sync',
        ws.write('refused.csv', generateCustomersCsv(3)),
        '--checkpoint',
        ws.path('refused', 'cp.sqlite'),
        '--report-dir',
        ws.path('refused', 'r'),
      ],
      { env: envFor(sandbox) },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/FLUENT_CLIENT_SECRET/);
    for (const value of Object.values(TEST_CREDENTIALS)) expect(result.stderr + result.stdout).not.toContain(value);
  });

  it('report files and the checkpoint are owner-only', async () => {
    const sandbox = await aSandbox();
    const result = await runCli(
      [
        'sync',
        ws.write('modes.csv', generateCustomersCsv(3)),
        '--checkpoint',
        ws.path('modes', 'state', 'cp.sqlite'),
        '--report-dir',
        ws.path('modes', 'out', 'r'),
      ],
      { env: envFor(sandbox) },
    );
    expect(result.code).toBe(0);
    for (const { file } of filesBelow(ws.path('modes'))) expect(fs.statSync(file).mode & 0o777, file).toBe(0o600);
    for (const dir of ['state', 'out', 'out/r'])
      expect(fs.statSync(ws.path('modes', dir)).mode & 0o777, dir).toBe(0o700);
  });
});

describe('stopping and sharing a checkpoint', () => {
  it('a second run on a busy checkpoint exits 2 naming the holder; SIGTERM writes a partial report and exits 3', async () => {
    const sandbox = await aSandbox({ faults: { latencyMs: 40 } });
    const file = ws.write('slow.csv', generateCustomersCsv(200));
    const checkpoint = ws.path('shared', 'cp.sqlite');
    let pid = 0;
    const first = runCli(['sync', file, '--checkpoint', checkpoint, '--report-dir', ws.path('shared', 'first')], {
      env: envFor(sandbox),
      onSpawn: (p) => {
        pid = p;
      },
    });
    while (sandbox.stats().mutations < 5) await new Promise((r) => setTimeout(r, 20));

    const second = await runCli(
      ['sync', file, '--checkpoint', checkpoint, '--report-dir', ws.path('shared', 'second')],
      {
        env: envFor(sandbox),
      },
    );
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/in use by run \S+ \(pid \d+/);

    process.kill(pid, 'SIGTERM');
    const stopped = await first;
    expect(stopped.code).toBe(3);
    const partial = readReport(ws.path('shared', 'first'));
    expect(partial.status).toBe('aborted');
    expect(partial.totals.read).toBe(200);
    expect(partial.totals.skipped).toBeGreaterThan(0);
    expect(partial.totals.created + partial.totals.skipped).toBe(200);
    const applied = sandbox.stats().creates;
    expect(partial.totals.created).toBe(applied);

    const resumed = await runCli(
      ['sync', file, '--checkpoint', checkpoint, '--report-dir', ws.path('shared', 'resumed'), '--rate', '200'],
      {
        env: envFor(sandbox),
      },
    );
    expect(resumed.code).toBe(0);
    expect(readReport(ws.path('shared', 'resumed')).totals).toMatchObject({
      read: 200,
      created: 200 - applied,
      unchanged: applied,
    });
    expect(sandbox.customers()).toHaveLength(200);
  });
});

describe('an OMS that cannot be reached', () => {
  it('exits 3 after the retry budget with a partial report that names the host', async () => {
    // A port that was just free: connections to it are refused, as to an OMS that is down.
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));

    const file = ws.write('down.csv', generateCustomersCsv(5));
    const result = await runCli(
      ['sync', file, '--checkpoint', ws.path('down', 'cp.sqlite'), '--report-dir', ws.path('down', 'r')],
      { env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: `http://127.0.0.1:${port}`, FLUENT_RETAILER_ID: '1' } },
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} could not be reached after \\d+ attempts`));
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const report = readReport(ws.path('down', 'r'));
    expect(report).toMatchObject({ status: 'aborted', totals: { read: 5, skipped: 5 } });
  });
});
