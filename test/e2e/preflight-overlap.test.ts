import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace } from '../helpers/workspace.js';

/**
 * A sync checks the account (token, login, retailer) while it reads the file. Whatever the account check is doing, a
 * file found bad is refused as it always was: at once, with the file's problem, and nothing left behind.
 */
describe('a sync that checks the account while it reads', () => {
  const ws = makeWorkspace();
  /** An OMS that takes connections and never answers: its account check cannot end. */
  let silent: net.Server;
  const sockets = new Set<net.Socket>();
  let connections = 0;

  beforeAll(async () => {
    silent = net.createServer((socket) => {
      connections++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    ws.remove();
  });

  it('refuses a bad file at once while the account check still waits for the OMS', async () => {
    const lines = ['primaryEmail,firstName'];
    for (let i = 1; i <= 20_000; i++) lines.push(`user${i}@example.com,Ann ${i}`);
    const file = ws.path('export.csv');
    fs.writeFileSync(file, `${lines.join('\n')}\nlast@example.com,"never closed\n`);
    const { port } = silent.address() as net.AddressInfo;
    const started = Date.now();
    const result = await runCli(
      ['sync', file, '--checkpoint', ws.path('state', 'checkpoint.sqlite'), '--report-dir', ws.path('report')],
      { env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: `http://127.0.0.1:${port}`, FLUENT_RETAILER_ID: '1' } },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the record starting on line 20002 opens a quote that is never closed/);
    // Far less than the OMS's silence would take to give up on (retries of a request that never answers).
    expect(Date.now() - started).toBeLessThan(20_000);
    // The account check was under way: it had reached the OMS.
    expect(connections).toBeGreaterThan(0);
    expect(fs.existsSync(ws.path('report'))).toBe(false);
  });
});
