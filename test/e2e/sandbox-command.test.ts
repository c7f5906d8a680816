import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CLI, PROJECT_ROOT } from '../helpers/runCli.js';
import { fixture } from '../helpers/workspace.js';

/** `customer-sync sandbox`: announces itself in one line, serves the seed, misbehaves on request, stops on SIGTERM. */
describe('customer-sync sandbox', () => {
  it('serves a seeded OMS with faults until SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'sandbox', '--port', '0', '--seed', fixture('sandbox-seed.json'), '--fail-429', '1', '--fault-seed', '4'],
      { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^sandbox listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
    });

    const state = (await (await fetch(`${url}/_sandbox/state`)).json()) as { customers: unknown[] };
    expect(state.customers).toHaveLength(7);
    const token = (await (
      await fetch(`${url}/oauth/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          scope: 'api',
          client_id: 'a',
          client_secret: 'b',
          username: 'c',
          password: 'd',
        }),
      })
    ).json()) as { access_token: string };
    const answer = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ customers { edges { node { id } } } }' }),
    });
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('1');

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('refuses a bad fault setting with exit 2 and one line', async () => {
    const child = spawn(process.execPath, [CLI, 'sandbox', '--fail-5xx', '2'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/^error: sandbox: --fail-5xx must be a number from 0 to 1$/);
  });
});
