import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(PROJECT_ROOT, 'bin/customer-sync');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Credentials the tests hand the CLI; distinctive so a leak is easy to grep for. */
export const TEST_CREDENTIALS = {
  FLUENT_CLIENT_ID: 'test-client-id',
  FLUENT_CLIENT_SECRET: 'S3cret-client-secret-9f2c',
  FLUENT_USERNAME: 'test-api-user',
  FLUENT_PASSWORD: 'P4ssword-not-for-logs-71b',
};

/**
 * Runs bin/customer-sync as a child process (asynchronously, so a sandbox in this process keeps serving) with a
 * clean environment: only what the test passes, plus PATH.
 */
export function runCli(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; onSpawn?: (pid: number) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
