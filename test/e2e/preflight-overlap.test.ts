import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, PROJECT_ROOT, TEST_CREDENTIALS } from '../helpers/runCli.js';
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

  it('reaches the OMS while the rows still come, and refuses a bad row at once while the check still waits', async () => {
    const { port } = silent.address() as net.AddressInfo;
    const child = spawn(
      process.execPath,
      [CLI, 'sync', '-', '--checkpoint', ws.path('state', 'checkpoint.sqlite'), '--report-dir', ws.path('report')],
      {
        cwd: PROJECT_ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          ...TEST_CREDENTIALS,
          FLUENT_API_HOST: `http://127.0.0.1:${port}`,
          FLUENT_RETAILER_ID: '1',
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.resume();
    child.stdin.on('error', () => {});
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // More than the 64 KB sniffed before the header; then the pipe stays open, the run waiting for more rows.
    const rows = Array.from({ length: 3000 }, (_, i) => `user${i + 1}@example.com,Ann ${i + 1}\n`).join('');
    child.stdin.write(`primaryEmail,firstName\n${rows}`);
    // The account check reaches the OMS while the file is still being read.
    const deadline = Date.now() + 15_000;
    while (connections === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(connections).toBeGreaterThan(0);
    const ended = Date.now();
    child.stdin.end('last@example.com,"never closed\n');
    expect(await exited).toBe(2);
    expect(stderr).toMatch(/the record starting on line 3002 opens a quote that is never closed/);
    // Far less than the OMS's silence would take to give up on (retries of a request that never answers).
    expect(Date.now() - ended).toBeLessThan(10_000);
    expect(fs.existsSync(ws.path('report'))).toBe(false);
  });
});
