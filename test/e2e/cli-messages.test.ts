import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { sendJson, startStubServer } from '../fluent/stubServer.js';
import { PROJECT_ROOT, runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readReport } from '../helpers/workspace.js';

/** A command line that explains itself (SPEC §2): every mistake is one line, exit 2, before anything is sent. */
describe('the command line', () => {
  const ws = makeWorkspace();
  const csv = ws.write('customers.csv', 'Email,First Name\nann@example.com,Ann\n');
  const typoJob = ws.write('typo.json', JSON.stringify({ 'retailer-id': '1', sandbox: true, 'on-duplcate': 'first' }));
  afterAll(() => ws.remove());

  const cases: [string, string[], Record<string, string>, string][] = [
    [
      'a rate that is not a number',
      ['sync', csv, '--sandbox', '--retailer-id', '1', '--rate', 'fast'],
      {},
      '--rate must be a number of requests per second from 0.01 to 10000 (or auto), got "fast"',
    ],
    [
      'a choice that does not exist',
      ['sync', csv, '--sandbox', '--retailer-id', '1', '--on-duplicate', 'keep'],
      {},
      '--on-duplicate must be one of reject, first, last, got "keep"',
    ],
    [
      'a bad value from the environment',
      ['sync', csv, '--sandbox', '--retailer-id', '1'],
      { FLUENT_MODE: 'create_only' },
      'FLUENT_MODE must be one of upsert, create-only, update-only, got "create_only" (did you mean create-only?)',
    ],
    [
      'a mistyped flag',
      ['sync', csv, '--dry-rn'],
      {},
      'unknown option --dry-rn; did you mean --dry-run? (customer-sync sync --help lists them all)',
    ],
    [
      'a mistyped flag given as --flag=value',
      ['sync', csv, '--retailerid=1'],
      {},
      'unknown option --retailerid; did you mean --retailer-id? (customer-sync sync --help lists them all)',
    ],
    [
      'sync with no file',
      ['sync'],
      {},
      'sync needs the file to read: customer-sync sync <file> (a .csv, .csv.gz or .xlsx file, or - for standard input)',
    ],
    [
      'a second file',
      ['sync', csv, 'more.csv'],
      {},
      'sync takes one file, got also "more.csv" (quote a path that holds spaces; run once per file)',
    ],
    [
      'a flag with its value missing',
      ['sync', csv, '--limit'],
      {},
      '--limit needs a value: read only the first N data rows: a sample run',
    ],
    [
      '--dry-run with validate',
      ['validate', csv, '--dry-run'],
      {},
      '--dry-run and validate cannot be used together: validate never sends anything; use sync --dry-run to see what a sync would change',
    ],
    [
      'a sync option given to validate',
      ['validate', csv, '--rate', '5'],
      {},
      '--rate does not apply to validate; drop it (it is an option of sync, doctor and undo)',
    ],
    [
      '--sandbox with an API host from the environment',
      ['sync', csv, '--sandbox', '--retailer-id', '1'],
      { FLUENT_API_HOST: 'https://acme.sandbox.api.fluentretail.com' },
      '--sandbox and FLUENT_API_HOST cannot be used together: --sandbox runs against an in-process OMS, not a host; drop one of them',
    ],
    [
      '--verbose with --quiet',
      ['sync', csv, '--sandbox', '--retailer-id', '1', '--verbose', '--quiet'],
      {},
      '--verbose and --quiet cannot be used together: pick one',
    ],
    [
      'an unknown command',
      ['synch', csv],
      {},
      'unknown command "synch"; did you mean sync? (commands: sync, validate, doctor, runs, report, explain, undo, sandbox)',
    ],
    [
      'no command',
      [],
      {},
      'name a command: sync, validate, doctor, runs, report, explain, undo, sandbox (see customer-sync --help)',
    ],
    [
      'a mistyped job-file key',
      ['sync', csv, '--config', typoJob],
      {},
      `job file ${typoJob} has an unknown option "on-duplcate"; did you mean "on-duplicate"?`,
    ],
    [
      'a limit of no rows',
      ['sync', csv, '--sandbox', '--retailer-id', '1', '--limit', '0'],
      {},
      '--limit must be a whole number of rows from 1 to 9007199254740991, got "0"',
    ],
  ];
  it.each(cases)('%s: one line, exit 2', async (_, args, env, message) => {
    const result = await runCli(args, { env, cwd: ws.dir });
    expect(result.stderr).toBe(`error: ${message}\n`);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(2);
  });

  it('--version prints the version of the package', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `customer-sync ${version}\n`, stderr: '' });
  });

  it("each command's --help lists only that command's options", async () => {
    const flagsOf = (text: string) => new Set([...text.matchAll(/^\s+(?:-\w, )?--([\w-]+)/gm)].map((m) => m[1]));
    const validate = flagsOf((await runCli(['validate', '--help'])).stdout);
    const sync = flagsOf((await runCli(['sync', '--help'])).stdout);
    for (const network of [
      'api-host',
      'rate',
      'concurrency',
      'checkpoint',
      'sandbox',
      'mode',
      'dry-run',
      'full-compare',
    ]) {
      expect(validate.has(network), network).toBe(false);
      expect(sync.has(network), network).toBe(true);
    }
    for (const shared of ['mapping', 'limit', 'report-dir', 'log-format', 'quiet', 'config']) {
      expect(validate.has(shared), shared).toBe(true);
    }
  });
});

describe('a host that is not Fluent', () => {
  const ws = makeWorkspace();
  const csv = ws.write('customers.csv', 'primaryEmail,firstName\nann@example.com,Ann\n');
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
    ws.remove();
  });

  it('answering 404 is exit 2 "not a Fluent API host", found by the first request, with nothing sent after', async () => {
    const server = await startStubServer((_, response) => sendJson(response, 404, { message: 'Not Found' }));
    try {
      for (const [env, endpoint] of [
        [TEST_CREDENTIALS, '/oauth/token'],
        [{ FLUENT_ACCESS_TOKEN: 'a-ready-made-token' }, '/graphql'],
      ] as const) {
        const before = server.requests.length;
        const result = await runCli(
          ['sync', csv, '--checkpoint', ws.path('cp.sqlite'), '--report-dir', ws.path('r404')],
          { env: { ...env, FLUENT_API_HOST: server.url, FLUENT_RETAILER_ID: '1' } },
        );
        expect(result.code).toBe(2);
        expect(result.stderr).toBe(
          `error: ${server.url} answered HTTP 404 to ${endpoint}: it is not a Fluent API host; check --api-host, which is the account's base URL without a path, e.g. https://ACCOUNT.sandbox.api.fluentretail.com\n`,
        );
        expect(server.requests.slice(before).map((r) => r.path)).toEqual([endpoint]);
      }
    } finally {
      await server.close();
    }
  });

  it('an --api-host copied with /graphql on it is corrected with one warning, and the run goes through', async () => {
    const result = await runCli(
      ['sync', csv, '--checkpoint', ws.path('cp.sqlite'), '--report-dir', ws.path('suffix')],
      { env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: `${sandbox.url}/graphql`, FLUENT_RETAILER_ID: '1' } },
    );
    expect(result.code).toBe(0);
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warn:'));
    expect(warnings).toEqual([`warn: FLUENT_API_HOST ends in an endpoint the tool adds itself; using ${sandbox.url}`]);
    expect(readReport(ws.path('suffix')).totals).toMatchObject({ read: 1, created: 1 });
  });
});
