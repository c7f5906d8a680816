import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { generateCustomersCsv } from '../helpers/generateCsv.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';
import { fillDisk, makeUnwritable, mountTinyDisk, trapWorksHere } from '../report/fsTraps.js';

/**
 * The report folder as an adversary in a shared folder would leave it, the tool running as root: files and
 * symlinks planted at report names, a folder that refuses new files, a disk that fills up during the report.
 */
const ws = makeWorkspace('cs-report-safety-');
const sandboxes: Sandbox[] = [];
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
  ws.remove();
});
const aSandbox = async () => {
  const sandbox = await startSandbox();
  sandboxes.push(sandbox);
  return sandbox;
};

const IS_ROOT = process.getuid?.() === 0;
const OTHER_UID = 1234;
const UNWRITABLE = trapWorksHere(makeUnwritable);
const TINY_DISK = trapWorksHere((dir) => mountTinyDisk(dir, 64));
if (!TINY_DISK) console.log('full-disk e2e test skipped: mounting a tmpfs needs root');

const checkpointOf = (name: string) => ws.path('checkpoints', `${name}.sqlite`);

function sync(sandbox: Sandbox, name: string, reportDir: string, csv: string, extra: string[] = [], env = {}) {
  return runCli(
    [
      'sync',
      ws.write(`${name}.csv`, csv),
      '--checkpoint',
      checkpointOf(name),
      '--report-dir',
      reportDir,
      '--rate',
      '500',
      ...extra,
    ],
    { env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1', ...env } },
  );
}

/** Exit 2 with one line naming the folder, and nothing sent to the OMS. */
async function expectRefusedBeforeAnyRequest(sandbox: Sandbox, run: ReturnType<typeof sync>, dir: string) {
  const result = await run;
  expect(result.code).toBe(2);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toContain(dir);
  expect(sandbox.stats().mutations).toBe(0);
  expect(sandbox.customers()).toEqual([]);
  return result.stderr;
}

describe('a report folder shared with other users', () => {
  it.skipIf(!IS_ROOT)(
    'a report file another user created there is not replaced: exit 2 before any request, theirs as it was',
    async () => {
      const sandbox = await aSandbox();
      const dir = ws.path('shared');
      fs.mkdirSync(dir);
      fs.chmodSync(dir, 0o1777);
      const planted: Record<string, number> = {};
      for (const name of ['outcomes.csv', 'report.json']) {
        const file = path.join(dir, name);
        fs.writeFileSync(file, `theirs: ${name}`);
        fs.chmodSync(file, 0o644);
        fs.chownSync(file, OTHER_UID, OTHER_UID);
        planted[name] = fs.statSync(file).ino;
      }

      const stderr = await expectRefusedBeforeAnyRequest(
        sandbox,
        sync(sandbox, 'shared', dir, generateCustomersCsv(5)),
        dir,
      );

      expect(stderr).toMatch(
        /holds a (outcomes\.csv|report\.json) of another user \(uid 1234\), which customer-sync does not replace/,
      );
      for (const [name, ino] of Object.entries(planted)) {
        const theirs = fs.statSync(path.join(dir, name));
        expect({ ino: theirs.ino, uid: theirs.uid, mode: theirs.mode & 0o7777 }).toEqual({
          ino,
          uid: OTHER_UID,
          mode: 0o644,
        });
        expect(fs.readFileSync(path.join(dir, name), 'utf8')).toBe(`theirs: ${name}`);
      }
      expect(fs.readdirSync(dir).sort()).toEqual(['outcomes.csv', 'report.json']);
      expect(fs.statSync(dir).mode & 0o7777).toBe(0o1777);
    },
  );

  it('a symlink planted as report.json is not followed: its target is unchanged and the report is written', async () => {
    const sandbox = await aSandbox();
    const dir = ws.path('linked');
    fs.mkdirSync(dir);
    const victim = ws.write('victim.conf', 'precious');
    const nowhere = ws.path('would-be-created.csv');
    fs.symlinkSync(victim, path.join(dir, 'report.json'));
    fs.symlinkSync(nowhere, path.join(dir, 'outcomes.csv'));

    const result = await sync(sandbox, 'linked', dir, generateCustomersCsv(3));

    expect(result.code).toBe(0);
    expect(fs.readFileSync(victim, 'utf8')).toBe('precious');
    expect(fs.existsSync(nowhere)).toBe(false);
    expect(fs.lstatSync(path.join(dir, 'report.json')).isFile()).toBe(true);
    expect(readReport(dir).totals).toMatchObject({ read: 3, created: 3 });
    expect(readCsv(path.join(dir, 'outcomes.csv'))).toHaveLength(3);
    expect(sandbox.customers()).toHaveLength(3);
  });
});

describe('a report folder that cannot take the report: exit 2 before any request', () => {
  it('a file where the folder should be', async () => {
    const sandbox = await aSandbox();
    const dir = path.join(ws.write('blocker', 'not a folder'), 'report');
    const stderr = await expectRefusedBeforeAnyRequest(
      sandbox,
      sync(sandbox, 'blocked', dir, generateCustomersCsv(3)),
      dir,
    );
    expect(stderr).toContain('a part of the path is a file, not a folder');
  });

  it('a folder where report.json should be', async () => {
    const sandbox = await aSandbox();
    const dir = ws.path('taken');
    fs.mkdirSync(path.join(dir, 'report.json'), { recursive: true });
    const stderr = await expectRefusedBeforeAnyRequest(
      sandbox,
      sync(sandbox, 'taken', dir, generateCustomersCsv(3)),
      dir,
    );
    expect(stderr).toContain('a folder named report.json');
  });

  it.skipIf(!UNWRITABLE)('an existing folder where no file can be created, for root too (chattr +i)', async () => {
    const sandbox = await aSandbox();
    const dir = ws.path('read-only');
    fs.mkdirSync(dir);
    const undo = makeUnwritable(dir);
    try {
      const stderr = await expectRefusedBeforeAnyRequest(
        sandbox,
        sync(sandbox, 'ro', dir, generateCustomersCsv(3)),
        dir,
      );
      expect(stderr).toContain('files cannot be created there');
    } finally {
      undo?.();
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('a disk that fills up while the report is written', () => {
  it.skipIf(!TINY_DISK)(
    'exit 3 naming the folder; no file left there; the run recorded, and the next one resumes',
    async () => {
      const sandbox = await aSandbox();
      const disk = ws.path('disk');
      fs.mkdirSync(disk);
      const unmount = mountTinyDisk(disk, 64);
      try {
        const dir = path.join(disk, 'report');
        fillDisk(disk, 8 * 1024);
        const csv = generateCustomersCsv(40);

        const result = await sync(sandbox, 'full', dir, csv);

        expect(result.code).toBe(3);
        expect(result.stderr).toMatch(
          new RegExp(
            `cannot write the report in ${escapeRegExp(dir)}: the disk is full; every outcome of run \\S+ is kept`,
          ),
        );
        expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
        expect(fs.readdirSync(dir)).toEqual([]);
        expect(sandbox.customers()).toHaveLength(40);
        const db = new Database(checkpointOf('full'), { readonly: true });
        try {
          expect(db.prepare('SELECT status FROM runs').pluck().all()).toEqual(['completed']);
        } finally {
          db.close();
        }

        const again = await sync(sandbox, 'full', ws.path('full', 'report'), csv);
        expect(again.code).toBe(0);
        expect(readReport(ws.path('full', 'report')).totals).toMatchObject({ read: 40, unchanged: 40 });
        expect(sandbox.stats().mutations).toBe(40);
      } finally {
        unmount?.();
      }
    },
  );
});

describe('secrets and --redact in the report files', () => {
  it('credentials that reach a reason or a cell are masked in every report file', async () => {
    const sandbox = await aSandbox();
    const dir = ws.path('echo');
    const { FLUENT_CLIENT_SECRET: secret, FLUENT_PASSWORD: password } = TEST_CREDENTIALS;
    const csv = `${generateCustomersCsv(2)}${password},Bad,Row,,yes\nok@example.com,${secret},Row,,no\n`;
    const result = await sync(sandbox, 'echo', dir, csv);
    expect(result.code).toBe(1);
    expect(readReport(dir).totals).toMatchObject({ read: 4, created: 3, rejected: 1 });
    for (const name of fs.readdirSync(dir)) {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      for (const value of [secret, password]) expect(text, `a credential in ${name}`).not.toContain(value);
    }
    expect(readCsv(path.join(dir, 'rejects.csv'))[0]?.primaryEmail).toBe('***');
  });

  it('masks cannot be recomputed from report.json and the true emails; FLUENT_REDACT_KEY keeps them stable', async () => {
    const sandbox = await aSandbox();
    const csv = generateCustomersCsv(4);
    const usernames = [1, 2, 3, 4].map((i) => `1_user${i}@example.com`);
    const masksOf = (dir: string) => readCsv(path.join(dir, 'outcomes.csv')).map((row) => row.username ?? '');

    expect((await sync(sandbox, 'redact', ws.path('redact', 'a'), csv, ['--redact'])).code).toBe(0);
    const masks = masksOf(ws.path('redact', 'a'));
    expect(masks).toHaveLength(4);
    for (const mask of masks) expect(mask).toMatch(/^1\*\*\*@example\.com#[0-9a-f]{6}$/);

    // Everything report.json publishes, tried as the salt of the old scheme and as an HMAC key.
    const published = stringsIn(readReport(ws.path('redact', 'a')));
    expect(published.length).toBeGreaterThan(10);
    const tags = new Set(masks.map((mask) => mask.slice(-6)));
    for (const candidate of published) {
      for (const username of usernames) {
        const salted = crypto.createHash('sha256').update(candidate).update('\0').update(username).digest('hex');
        const keyed = crypto.createHmac('sha256', candidate).update(username).digest('hex');
        expect(tags.has(salted.slice(0, 6)) || tags.has(keyed.slice(0, 6)), candidate).toBe(false);
      }
    }

    // A re-run without a key: every row unchanged, every mask new.
    expect((await sync(sandbox, 'redact', ws.path('redact', 'b'), csv, ['--redact'])).code).toBe(0);
    const again = masksOf(ws.path('redact', 'b'));
    expect(again.filter((mask) => masks.includes(mask))).toEqual([]);

    // With the same FLUENT_REDACT_KEY, two runs give the same masks; the key itself appears nowhere.
    const key = { FLUENT_REDACT_KEY: 'team-shared-redact-key-5b1e' };
    for (const name of ['c', 'd']) {
      expect((await sync(sandbox, 'redact', ws.path('redact', name), csv, ['--redact'], key)).code).toBe(0);
    }
    expect(masksOf(ws.path('redact', 'd'))).toEqual(masksOf(ws.path('redact', 'c')));
    expect(masksOf(ws.path('redact', 'c'))).not.toEqual(masks);
    for (const name of fs.readdirSync(ws.path('redact', 'c'))) {
      expect(fs.readFileSync(ws.path('redact', 'c', name), 'utf8')).not.toContain(key.FLUENT_REDACT_KEY);
    }
    expect(sandbox.customers()).toHaveLength(4);
  });
});

/** Every string in a JSON value, keys included, and numbers as text: all a holder of report.json could try. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => [key, ...stringsIn(inner)]);
  }
  return [];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
