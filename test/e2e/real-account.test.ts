import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/startSandbox.js';
import { generateCustomersCsv } from '../helpers/generateCsv.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { useSandboxes } from '../helpers/sandboxes.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

/**
 * The user stories of a real Fluent account, each against the sandbox set to behave as a stricter account would:
 * a login scoped to retailers, a mistyped retailer, case-insensitive lookups and uniqueness, a missing permission,
 * rate limiting inside HTTP 200, the account header, phones read with an assumed country, and redaction.
 */
const ws = makeWorkspace('cs-account-');
afterAll(() => ws.remove());
const { aSandbox } = useSandboxes();
const TAKEN = { retailerId: '3', username: '1_taken@example.com', primaryEmail: 'taken@example.com' };
const lines = (text: string) => text.trim().split('\n').filter(Boolean);
let runs = 0;

/** Runs `sync` of `csv` against `sandbox` with a fresh checkpoint and report folder; returns the result and folder. */
async function sync(sandbox: Sandbox, csv: string, args: string[] = [], env: Record<string, string> = {}) {
  const name = `run${++runs}`;
  const reportDir = ws.path(name, 'report');
  const result = await runCli(
    [
      'sync',
      ws.write(`${name}.csv`, csv),
      '--checkpoint',
      ws.path(name, 'cp.sqlite'),
      '--report-dir',
      reportDir,
      ...args,
    ],
    { env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1', ...env } },
  );
  return { ...result, reportDir };
}

const csvOf = (...emails: string[]) => `primaryEmail,firstName\n${emails.map((e) => `${e},Someone`).join('\n')}\n`;

describe('a login whose customer roles hold only retailer contexts', () => {
  it('is refused before any lookup, naming the retailers, and nothing is created', async () => {
    const sandbox = await aSandbox({ seed: [TAKEN], loginScope: { kind: 'retailer', retailerId: '1' } });
    const before = sandbox.customers();
    for (const extra of [[], ['--dry-run']]) {
      const result = await sync(sandbox, csvOf('taken@example.com', 'new@example.com'), extra);
      expect(result.code).toBe(2);
      expect(lines(result.stderr)).toEqual([
        expect.stringMatching(/only retailer contexts \(retailer 1\).*--allow-scoped-login/),
      ]);
    }
    expect(sandbox.customers()).toEqual(before);
    expect(sandbox.stats().mutations).toBe(0);
  });

  it('runs with --allow-scoped-login, warning, and report.json says across which retailers uniqueness was checked', async () => {
    const sandbox = await aSandbox({ loginScope: { kind: 'retailer', retailerId: '1' } });
    const result = await sync(sandbox, csvOf('ann@example.com'), ['--allow-scoped-login']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warn: .*only retailer 1: usernames are checked for uniqueness across it only/);
    expect(readReport(result.reportDir).uniqueness).toEqual({ checkedAcross: 'retailers', retailers: ['1'] });
  });

  it('an account-wide login checks across the account, and says so', async () => {
    const sandbox = await aSandbox({ seed: [TAKEN] });
    const result = await sync(sandbox, csvOf('taken@example.com'));
    expect(result.code).toBe(1);
    expect(readReport(result.reportDir).uniqueness).toEqual({ checkedAcross: 'account' });
    expect(sandbox.customers().filter((c) => c.username === '1_taken@example.com')).toHaveLength(1);
  });
});

describe('a mistyped --retailer-id', () => {
  it('that does not exist stops the dry run and the real run with exit 2 and sends no mutation', async () => {
    const sandbox = await aSandbox();
    for (const extra of [['--dry-run'], []]) {
      const result = await sync(sandbox, csvOf('ann@example.com', 'bob@example.com'), [
        '--retailer-id',
        '99',
        ...extra,
      ]);
      expect(result.code).toBe(2);
      expect(lines(result.stderr)).toEqual([
        expect.stringMatching(
          /retailer 99 does not exist for this Fluent login \(it can see retailers 1 .*\); check --retailer-id/,
        ),
      ]);
      expect(fs.existsSync(ws.path(`run${runs}`, 'report', 'report.json'))).toBe(false);
    }
    expect(sandbox.stats().mutations).toBe(0);
    expect(sandbox.customers()).toEqual([]);
  });

  it('that is not an id at all is refused before any request', async () => {
    const sandbox = await aSandbox();
    const result = await sync(sandbox, csvOf('ann@example.com'), ['--retailer-id', 'abc']);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([expect.stringContaining('--retailer-id must be a Fluent retailer id')]);
    expect(sandbox.stats().requests).toBe(0);
  });
});

describe('usernames that differ only in case', () => {
  const seed = [{ retailerId: '1', username: '1_Jane@Example.com', primaryEmail: 'jane@example.com' }];

  for (const lookupMatch of ['ci', 'like'] as const) {
    it(`a lookup that matches without regard to case (${lookupMatch}) finds the variant: a conflict naming it`, async () => {
      const sandbox = await aSandbox({ seed, lookupMatch });
      const result = await sync(sandbox, csvOf('jane@example.com'));
      expect(result.code).toBe(1);
      expect(sandbox.customers().map((c) => c.username)).toEqual(['1_Jane@Example.com']);
      const [row] = readCsv(`${result.reportDir}/outcomes.csv`);
      expect(row).toMatchObject({ outcome: 'conflict', reason: expect.stringContaining('"1_Jane@Example.com"') });
    });
  }

  it('an exact lookup with case-insensitive uniqueness: the refused create ends as a conflict, not retried', async () => {
    const sandbox = await aSandbox({ seed, uniqueCi: true });
    const result = await sync(sandbox, csvOf('jane@example.com'));
    expect(result.code).toBe(1);
    expect(sandbox.customers().map((c) => c.username)).toEqual(['1_Jane@Example.com']);
    const [row] = readCsv(`${result.reportDir}/outcomes.csv`);
    expect(row?.outcome).toBe('conflict');
    expect(row?.reason).toMatch(/already existing \(.*C0123E.*\), but no lookup finds this username/);
    expect(readReport(result.reportDir).requests.retries).toBe(0);
  });
});

describe('a login without a permission the run needs', () => {
  it('missing CUSTOMER_CREATE stops the run before any lookup, naming the permission', async () => {
    const sandbox = await aSandbox({ missingPermissions: ['CUSTOMER_CREATE'] });
    const result = await sync(sandbox, generateCustomersCsv(20));
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/lacks CUSTOMER_CREATE for retailer 1/)]);
    expect(sandbox.stats().queries).toBeLessThanOrEqual(3);
    expect(sandbox.customers()).toEqual([]);
  });

  it('a dry run needs only CUSTOMER_VIEW', async () => {
    const sandbox = await aSandbox({ missingPermissions: ['CUSTOMER_CREATE', 'CUSTOMER_UPDATE'] });
    expect((await sync(sandbox, generateCustomersCsv(5), ['--dry-run'])).code).toBe(0);
  });

  it('where the login may not read its roles: a warning, then C0020E on the first creates stops the run at once', async () => {
    const sandbox = await aSandbox({ missingPermissions: ['USER_VIEW', 'CUSTOMER_CREATE'] });
    const result = await sync(sandbox, generateCustomersCsv(200), ['--concurrency', '4']);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/warn: cannot read this Fluent login's roles/);
    expect(result.stderr).toMatch(/error: .*CUSTOMER_CREATE/);
    const report = readReport(result.reportDir);
    expect(report.totals.created).toBe(0);
    // Only the creates in flight when the first refusal came back were sent; the rest were never tried.
    expect(report.totals.skipped).toBeGreaterThanOrEqual(200 - 4);
    expect(report.totals.failed).toBe(0);
  });
});

describe('rate limiting reported as C0011E inside HTTP 200', () => {
  it('is retried like a 429: every customer created exactly once, none failed', async () => {
    const sandbox = await aSandbox({ rateLimitAsError: true, faults: { rateLimitPerSecond: 40 } });
    const result = await sync(sandbox, generateCustomersCsv(60), ['--rate', '200']);
    expect(result.code).toBe(0);
    const report = readReport(result.reportDir);
    expect(report.totals).toMatchObject({ created: 60, failed: 0 });
    expect(report.requests.rateLimited).toBeGreaterThan(0);
    expect(sandbox.customers()).toHaveLength(60);
  });
});

describe('FLUENT_ACCOUNT_ID', () => {
  it('is sent as the fluent.account header on the token request and on GraphQL', async () => {
    const sandbox = await aSandbox();
    const result = await sync(sandbox, csvOf('ann@example.com'), [], { FLUENT_ACCOUNT_ID: 'ACME' });
    expect(result.code).toBe(0);
    expect(sandbox.stats().accountHeader).toEqual({ oauth: 'ACME', graphql: 'ACME' });
  });
});

describe('phones read with --default-country', () => {
  it('writes a national number only when it is valid in the assumed country, and names the country otherwise', async () => {
    const sandbox = await aSandbox();
    const csv = [
      'primaryEmail,primaryPhone',
      'au@example.com,0412 345 678',
      'fr@example.com,06 94 17 60 22',
      'br@example.com,(11) 98765-4321',
      'intl@example.com,+33 6 94 17 60 22',
    ].join('\n');
    const result = await sync(sandbox, `${csv}\n`, ['--default-country', 'AU']);
    expect(result.code).toBe(1);
    const phones = Object.fromEntries(sandbox.customers().map((c) => [c.primaryEmail, c.primaryPhone]));
    expect(phones).toEqual({ 'au@example.com': '+61412345678', 'intl@example.com': '+33694176022' });
    const rejected = readCsv(`${result.reportDir}/outcomes.csv`).filter((o) => o.outcome === 'rejected');
    expect(rejected).toHaveLength(2);
    for (const row of rejected) expect(row.reason).toMatch(/AU .*--default-country/);
  });
});

describe('--redact', () => {
  it('masks with a key no report holds: random per run, or FLUENT_REDACT_KEY for masks stable across runs', async () => {
    const sandbox = await aSandbox();
    const csv = csvOf('not-an-email', 'ann@example.com');
    const masksOf = async (env: Record<string, string>) => {
      const result = await sync(sandbox, csv, ['--redact', '--dry-run'], env);
      const report = fs.readFileSync(`${result.reportDir}/report.json`, 'utf8');
      const masks = readCsv(`${result.reportDir}/outcomes.csv`).map((o) => o.username);
      return { report, masks };
    };
    const keyed = { FLUENT_REDACT_KEY: 'a-key-the-data-owner-keeps-9d1f' };
    const [a, b, c] = [await masksOf(keyed), await masksOf(keyed), await masksOf({})];
    expect(a.masks[1]).toMatch(/^1\*\*\*@example\.com#[0-9a-f]{6}$/);
    expect(b.masks).toEqual(a.masks);
    expect(c.masks[1]).not.toEqual(a.masks[1]);
    expect(a.report).not.toContain(keyed.FLUENT_REDACT_KEY);
  });
});

describe('doctor', () => {
  const doctor = (sandbox: Sandbox, args: string[] = [], env: Record<string, string> = TEST_CREDENTIALS) =>
    runCli(
      ['doctor', '--api-host', sandbox.url, ...(args.includes('--retailer-id') ? [] : ['--retailer-id', '1']), ...args],
      {
        env,
      },
    );
  const statuses = (stdout: string) =>
    Object.fromEntries(
      lines(stdout)
        .filter((line) => !line.startsWith('doctor:'))
        .map((line) => {
          const [status, check] = line.split(/\s+/);
          return [check, status];
        }),
    );

  it('on a healthy setup: one ok line per check, exit 0, and nothing written', async () => {
    const sandbox = await aSandbox();
    const result = await doctor(sandbox);
    expect(result.code).toBe(0);
    expect(statuses(result.stdout)).toEqual({
      host: 'ok',
      token: 'ok',
      login: 'ok',
      permissions: 'ok',
      reach: 'ok',
      retailer: 'ok',
      lookup: 'ok',
    });
    expect(result.stdout).toMatch(/doctor: a sync can run safely/);
    expect(sandbox.stats().mutations).toBe(0);
    for (const secret of Object.values(TEST_CREDENTIALS)) expect(result.stdout + result.stderr).not.toContain(secret);
  });

  const broken: [string, SandboxOptions, string[], number, string, RegExp][] = [
    ['an unknown retailer', {}, ['--retailer-id', '99'], 2, 'retailer', /retailer 99 does not exist/],
    ['a scoped login', { loginScope: { kind: 'retailer', retailerId: '1' } }, [], 2, 'reach', /--allow-scoped-login/],
    ['a missing permission', { missingPermissions: ['CUSTOMER_UPDATE'] }, [], 2, 'permissions', /CUSTOMER_UPDATE/],
    [
      'roles it may not read',
      { missingPermissions: ['USER_VIEW'] },
      [],
      0,
      'login',
      /cannot read this Fluent login's roles/,
    ],
    [
      'refused credentials',
      { credentials: { clientId: 'x', clientSecret: 'y', username: 'z', password: 'w' } },
      [],
      3,
      'token',
      /refused the credentials/,
    ],
  ];
  for (const [name, options, args, code, check, message] of broken) {
    it(`on ${name}: exit ${code}, the ${check} line says what is wrong`, async () => {
      const sandbox = await aSandbox(options);
      const result = await doctor(sandbox, args);
      expect(result.code).toBe(code);
      const line = lines(result.stdout).find((l) => l.split(/\s+/)[1] === check);
      expect(line).toMatch(code === 0 ? /^warn/ : /^fail/);
      expect(line).toMatch(message);
    });
  }

  it('on a host that cannot be reached: exit 3 naming the host', async () => {
    const result = await runCli(['doctor', '--api-host', 'http://127.0.0.1:9', '--retailer-id', '1'], {
      env: TEST_CREDENTIALS,
    });
    expect(result.code).toBe(3);
    expect(lines(result.stdout)[0]).toMatch(/^fail\s+host\s+cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});
