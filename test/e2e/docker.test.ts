import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/runCli.js';
import { makeWorkspace, readReport } from '../helpers/workspace.js';

const hasDocker = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
if (!hasDocker) {
  console.log('Dockerfile test skipped: `docker info` does not succeed here (no Docker, or no daemon to build with).');
}

/** The image of ./Dockerfile, as jobs/k8s-indexed-job.yaml runs it: built where Docker is, and run. */
describe.skipIf(!hasDocker)('the Dockerfile', () => {
  const TAG = `customer-sync-test:${process.pid}`;
  const ws = makeWorkspace();
  const docker = (...args: string[]) => spawnSync('docker', args, { encoding: 'utf8', timeout: 120_000 });
  afterAll(() => {
    spawnSync('docker', ['rmi', '-f', TAG], { stdio: 'ignore' });
    ws.remove();
  });

  it('builds an image that runs the CLI as a non-root user, with its state on the volume', () => {
    // better-sqlite3 may compile from source: minutes, not seconds.
    execFileSync('docker', ['build', '--tag', TAG, PROJECT_ROOT], { stdio: 'inherit', timeout: 1_200_000 });

    const help = docker('run', '--rm', TAG, '--help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('sync <file>');
    expect(docker('run', '--rm', '--entrypoint', 'id', TAG, '-u').stdout.trim()).not.toBe('0');
    expect(docker('run', '--rm', '--entrypoint', 'test', TAG, '-x', '/app/jobs/k8s-entrypoint.sh').status).toBe(0);

    fs.chmodSync(ws.dir, 0o777);
    ws.write('customers.csv', 'primaryEmail,firstName\nann@example.com,Ann\nbob@example.com,Bob\n');
    fs.chmodSync(ws.path('customers.csv'), 0o644);
    const run = docker(
      'run',
      '--rm',
      '--volume',
      `${ws.dir}:/data`,
      TAG,
      'sync',
      '/data/customers.csv',
      '--sandbox',
      '--retailer-id',
      '1',
      '--report-dir',
      '/data/report',
    );
    expect(run.status, run.stderr).toBe(0);
    expect(readReport(ws.path('report')).totals).toMatchObject({ read: 2, created: 2 });
  }, 1_500_000);
});
