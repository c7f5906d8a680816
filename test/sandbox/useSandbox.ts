import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { afterEach } from 'vitest';
import { type Sandbox, type SandboxOptions, startSandbox } from '../../src/sandbox/startSandbox.js';
import { CLI, PROJECT_ROOT } from '../helpers/runCli.js';
import { grantToken } from './sandboxClient.js';

/**
 * The sandbox of a test file's current test: `start` starts it (closing the one before, if a test starts two) and
 * grants a token for the default login, and it is closed after each test.
 */
export function useSandbox(options: { grant?: boolean } = {}) {
  let current: Sandbox | undefined;
  let token = '';
  afterEach(async () => {
    await current?.close();
    current = undefined;
    token = '';
  });
  return {
    async start(sandboxOptions: SandboxOptions = {}): Promise<Sandbox> {
      await current?.close();
      current = await startSandbox(sandboxOptions);
      token = options.grant === false ? '' : await grantToken(current);
      return current;
    },
    /** A token of the default login for the sandbox started last. */
    get token(): string {
      return token;
    },
    /** The sandbox started last. */
    get sandbox(): Sandbox {
      if (!current) throw new Error('no sandbox started');
      return current;
    },
  };
}

/**
 * `customer-sync sandbox --port 0 ARGS` as a child process for a test file: the function starts one and resolves
 * with the URL of its one line; every one started is stopped (SIGTERM) after each test.
 */
export function useSandboxCommand(): (args: readonly string[], env?: Record<string, string>) => Promise<string> {
  const children: ChildProcessByStdio<null, Readable, Readable>[] = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
  return (args, env = {}) => {
    const child = spawn(process.execPath, [CLI, 'sandbox', '--port', '0', ...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    return new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^sandbox listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      child.on('exit', (code) => reject(new Error(`sandbox exited ${code}: ${stderr}`)));
    });
  };
}
