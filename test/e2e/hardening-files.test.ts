import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/checkpoint/schema.js';
import { parseMetricsText } from '../../src/ops/parseMetricsText.js';
import type { Sandbox } from '../../src/sandbox/startSandbox.js';
import { generateCustomersCsv } from '../helpers/generateCsv.js';
import { CLI, PROJECT_ROOT, runCli } from '../helpers/runCli.js';
import { useSandboxes } from '../helpers/sandboxes.js';
import { fixture, makeWorkspace, readCsv } from '../helpers/workspace.js';
import { fillDisk, mountTinyDisk, trapWorksHere } from '../report/fsTraps.js';

/**
 * The review's breaks about other users' files, values that slip past a check and inputs that do not end, each tried
 * again with the real CLI as root against the sandbox: exit code, what the file system holds, what the OMS holds.
 */
const ws = makeWorkspace('cs-hardening-files-');
afterAll(() => ws.remove());
const { aSandbox, envFor } = useSandboxes();
const IS_ROOT = process.geteuid?.() === 0;
const OTHER_UID = 12345;
const TINY_DISK = trapWorksHere((dir) => mountTinyDisk(dir, 256));
if (!IS_ROOT) console.log('skipped: the tests of other users’ files need root to chown');
const lines = (stderr: string) => stderr.trim().split('\n').filter(Boolean);

/** A sync of a small file; `name` keeps each test's files apart. */
function sync(sandbox: Sandbox, name: string, extra: string[], csv = generateCustomersCsv(3), env = {}) {
  return runCli(
    [
      'sync',
      ws.write(`${name}.csv`, csv),
      '--checkpoint',
      ws.path(name, 'cp.sqlite'),
      '--report-dir',
      ws.path(name, 'report'),
      '--rate',
      '200',
      ...extra,
    ],
    { env: envFor(sandbox, '1', env) },
  );
}

/** Exit 2 in one line, before any request reached the OMS. */
function expectRefused(result: { code: number | null; stderr: string }, sandbox: Sandbox, message: string | RegExp) {
  expect(result.code, result.stderr).toBe(2);
  const line = typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message);
  expect(lines(result.stderr)).toEqual([line]);
  expect(sandbox.stats().requests).toBe(0);
  expect(sandbox.customers()).toEqual([]);
}

describe('break 3: control characters inside a JSON attribute', () => {
  it('reject the row naming the attribute; the OMS gets the other rows and nothing of that one', async () => {
    const sandbox = await aSandbox();
    const mapping = ws.write(
      'json-mapping.json',
      JSON.stringify({ attributes: { PREFS: { name: 'prefs', type: 'JSON' } } }),
    );
    const csv = [
      'primaryEmail,firstName,PREFS',
      'ann@example.com,Ann,"{""k"":""a\\u0000b\\u001b[31m""}"',
      'bob@example.com,Bob,"{""k"":""fine""}"',
    ].join('\n');
    const result = await sync(sandbox, 'json-control', ['--mapping', mapping], `${csv}\n`);
    expect(result.code, result.stderr).toBe(1);
    const [ann, bob] = readCsv(ws.path('json-control', 'report', 'outcomes.csv'));
    expect(ann).toMatchObject({ outcome: 'rejected' });
    expect(ann?.reason).toBe(
      'attribute prefs (column "PREFS", JSON): the JSON value at "k" has a control character (\\u0000)',
    );
    expect(bob).toMatchObject({ outcome: 'created' });
    expect(sandbox.customers().map((c) => c.username)).toEqual(['1_bob@example.com']);
    expect(JSON.stringify(sandbox.customers())).not.toMatch(/\\u0000|\\u001b/);
  });
});

describe.skipIf(!IS_ROOT)('breaks 4 and 6: files and folders of another user', () => {
  it('a planted metrics file of another user is exit 2 before any request, and is not read or replaced', async () => {
    const sandbox = await aSandbox();
    const textfile = ws.path('textfile-4');
    fs.mkdirSync(textfile);
    const planted = path.join(textfile, 'customer_sync.prom');
    fs.writeFileSync(planted, 'customer_sync_last_success_timestamp_seconds{retailer="1",mode="apply"} 9999999999\n');
    fs.chownSync(planted, OTHER_UID, OTHER_UID);
    const before = { bytes: fs.readFileSync(planted), ino: fs.statSync(planted).ino };
    const result = await sync(sandbox, 'metrics-4', ['--metrics-file', planted]);
    expectRefused(result, sandbox, `${planted} belongs to another user (uid ${OTHER_UID})`);
    expect({ bytes: fs.readFileSync(planted), ino: fs.statSync(planted).ino }).toEqual(before);
    expect(fs.readdirSync(textfile)).toEqual(['customer_sync.prom']);
    expect(fs.existsSync(ws.path('metrics-4'))).toBe(false);
  });

  it('--report-dir or --checkpoint through a link of another user in their 0755 folder is exit 2, nothing written', async () => {
    const share = ws.path('share');
    const victim = ws.path('victim');
    fs.mkdirSync(share, { mode: 0o755 });
    fs.mkdirSync(victim);
    const link = path.join(share, 'reports');
    fs.symlinkSync(victim, link);
    fs.lchownSync(link, OTHER_UID, OTHER_UID);
    fs.chownSync(share, OTHER_UID, OTHER_UID);

    const sandbox = await aSandbox();
    const csv = ws.write('victim.csv', generateCustomersCsv(3));
    const env = envFor(sandbox);
    const viaReport = await runCli(
      ['sync', csv, '--checkpoint', ws.path('victim-cp', 'cp.sqlite'), '--report-dir', path.join(link, 'run1')],
      { env },
    );
    expectRefused(viaReport, sandbox, `${share} is a folder of another user (uid ${OTHER_UID})`);
    const viaCheckpoint = await runCli(
      ['sync', csv, '--checkpoint', path.join(link, 'cp.sqlite'), '--report-dir', ws.path('victim-report')],
      { env },
    );
    expectRefused(viaCheckpoint, sandbox, /^error: checkpoint .* is a folder of another user/);
    expect(fs.readdirSync(victim)).toEqual([]);
    expect(fs.readdirSync(share)).toEqual(['reports']);
    // Refused before the report folder is made: the refused run leaves nothing behind.
    expect(fs.existsSync(ws.path('victim-report'))).toBe(false);
    expect(fs.existsSync(ws.path('victim-cp'))).toBe(false);
  });
});

describe('break 10 and item 16: number options and job-file numbers', () => {
  it('--keep-runs 1e300 is exit 2 before any request; no checkpoint or report is made', async () => {
    const sandbox = await aSandbox();
    const result = await sync(sandbox, 'keep-runs', ['--keep-runs', '1e300']);
    expectRefused(result, sandbox, '--keep-runs must be a whole number from 1 to 100000, got "1e300"');
    expect(fs.existsSync(ws.path('keep-runs'))).toBe(false);
  });

  it('"retailer-id": 1234567890123456789 in a job file is refused naming it, never rounded', async () => {
    const sandbox = await aSandbox();
    const job = ws.write('long-id.json', '{"retailer-id": 1234567890123456789}');
    const result = await sync(sandbox, 'long-id', ['--config', job], undefined, { FLUENT_RETAILER_ID: '' });
    expectRefused(result, sandbox, `"retailer-id" is 1234567890123456789, a number JSON cannot hold as written`);
    expect(result.stderr).not.toContain('1234567890123456800"');
    expect(fs.existsSync(ws.path('long-id'))).toBe(false);
  });
});

describe('item 16: a checkpoint someone else changed', () => {
  it('a planted trigger is exit 2 before any request, and the file is left byte for byte', async () => {
    const sandbox = await aSandbox();
    const first = await sync(sandbox, 'trigger', []);
    expect(first.code, first.stderr).toBe(0);
    const checkpoint = ws.path('trigger', 'cp.sqlite');
    const db = new Database(checkpoint);
    db.exec("CREATE TRIGGER forge AFTER INSERT ON run_rows BEGIN UPDATE customers SET hash = 'forged'; END");
    db.close();
    const before = fs.readFileSync(checkpoint);
    const requests = sandbox.stats().requests;
    const customers = sandbox.customers();
    const second = await sync(sandbox, 'trigger', [], generateCustomersCsv(4));
    expect(second.code).toBe(2);
    expect(lines(second.stderr)).toEqual([
      `error: checkpoint ${checkpoint} holds trigger "forge", which customer-sync never creates; it was left untouched: pass another --checkpoint (or drop what was added to it)`,
    ]);
    expect(fs.readFileSync(checkpoint).equals(before)).toBe(true);
    expect(sandbox.stats().requests).toBe(requests);
    expect(sandbox.customers()).toEqual(customers);
  });

  it.skipIf(!TINY_DISK)(
    'a full disk during the migration says so in one line, exit 3, the file as it was',
    async () => {
      const sandbox = await aSandbox();
      const disk = ws.path('disk');
      fs.mkdirSync(disk);
      const unmount = mountTinyDisk(disk, 256);
      try {
        const checkpoint = path.join(disk, 'cp.sqlite');
        fs.copyFileSync(fixture('checkpoint-layout-2.sqlite'), checkpoint);
        fs.chmodSync(checkpoint, 0o600);
        const before = fs.readFileSync(checkpoint);
        fillDisk(disk, 0);
        const result = await runCli(
          [
            'sync',
            ws.write('full.csv', generateCustomersCsv(3)),
            '--checkpoint',
            checkpoint,
            '--report-dir',
            ws.path('full-report'),
          ],
          { env: envFor(sandbox) },
        );
        expect(result.code).toBe(3);
        expect(lines(result.stderr)).toEqual([
          `error: the disk is full: checkpoint ${checkpoint} could not be migrated from layout 2 to ${SCHEMA_VERSION}; it is left as it was and nothing was sent: free some space and run again`,
        ]);
        expect(fs.readFileSync(checkpoint).equals(before)).toBe(true);
        expect(sandbox.stats().requests).toBe(0);
      } finally {
        unmount?.();
      }
    },
  );
});

describe('breaks 7 and 14, item 16: report --merge and the shards it reads', () => {
  const csv = ws.write('shards.csv', generateCustomersCsv(20));
  beforeAll(async () => {
    for (const k of [1, 2]) {
      const dir = ws.path('shards', `s${k}`);
      const result = await runCli(['validate', csv, '--retailer-id', '1', '--shard', `${k}/2`, '--report-dir', dir]);
      expect(result.code, result.stderr).toBe(0);
    }
  });
  let copies = 0;
  /** A fresh copy of shard K's report, for a test to change. */
  const shard = async (k: number) => {
    const dir = ws.path('merge', `${++copies}`, `s${k}`);
    fs.cpSync(ws.path('shards', `s${k}`), dir, { recursive: true });
    return dir;
  };
  const snapshot = (dir: string) =>
    Object.fromEntries(fs.readdirSync(dir).map((name) => [name, fs.readFileSync(path.join(dir, name), 'utf8')]));

  it('a --report-dir that is a link to a shard is that shard: exit 2, the shard unchanged', async () => {
    const [s1, s2] = [await shard(1), await shard(2)];
    const link = ws.path('merge', 's2link');
    fs.symlinkSync(s2, link);
    const before = snapshot(s2);
    const result = await runCli(['report', '--merge', s1, s2, '--report-dir', link]);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([
      `error: --report-dir ${link} is the report of shard 2/2; write the merged report elsewhere`,
    ]);
    expect(snapshot(s2)).toEqual(before);
  });

  it('a symlinked report.json in a shard is named as a link, not as bad JSON', async () => {
    const [s1, s2] = [await shard(1), await shard(2)];
    const json = path.join(s2, 'report.json');
    fs.renameSync(json, ws.path('merge', 'moved.json'));
    fs.symlinkSync(ws.path('merge', 'moved.json'), json);
    const out = ws.path('merge', 'out-link');
    const result = await runCli(['report', '--merge', s1, s2, '--report-dir', out]);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([
      `error: ${json} is a symbolic link, which a merge does not follow; pass the shard's own report folder`,
    ]);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a 560 MB outcomes.csv with no newline is exit 2 in one line, read only to the record limit', async () => {
    const [s1, s2] = [await shard(1), await shard(2)];
    const outcomes = path.join(s1, 'outcomes.csv');
    // Sparse: 560 MB of NUL bytes that take no disk, and no line break anywhere.
    fs.rmSync(outcomes);
    fs.writeFileSync(outcomes, '');
    fs.truncateSync(outcomes, 560 * 1024 * 1024);
    const out = ws.path('merge', 'out-big');
    const timeFile = ws.path('merge', 'rss.txt');
    const started = Date.now();
    const measured = fs.existsSync('/usr/bin/time');
    const args = [CLI, 'report', '--merge', s1, s2, '--report-dir', out];
    const result = measured
      ? spawnSync('/usr/bin/time', ['-f', '%M', '-o', timeFile, process.execPath, ...args], {
          cwd: PROJECT_ROOT,
          encoding: 'utf8',
        })
      : spawnSync(process.execPath, args, { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toEqual([
      `error: ${outcomes}: the record starting on line 1 is over 31457280 bytes, which no report of customer-sync has; is ${s1} the report folder of a shard?`,
    ]);
    // The old reader ran 5 minutes to 3.9 GB; this one stops at the limit.
    expect(Date.now() - started).toBeLessThan(20_000);
    // GNU time's last line is the peak RSS in KiB (a line before it says the command exited non-zero).
    const peakMiB = measured ? Number(fs.readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)) / 1024 : 0;
    if (measured) console.log(`report --merge of a 560 MB line: peak RSS ${Math.round(peakMiB)} MiB`);
    expect(peakMiB).toBeLessThan(400);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('item 16: shards writing metrics into one textfile folder', () => {
  it('each shard writes its own file, every series labelled with its shard', async () => {
    const sandbox = await aSandbox();
    const textfile = ws.path('textfile-shards');
    fs.mkdirSync(textfile);
    const metricsFile = path.join(textfile, 'customer_sync.prom');
    const csv = generateCustomersCsv(10);
    const results = await Promise.all(
      [1, 2].map((k) => sync(sandbox, `metrics-shard-${k}`, ['--shard', `${k}/2`, '--metrics-file', metricsFile], csv)),
    );
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(sandbox.customers()).toHaveLength(10);
    expect(fs.readdirSync(textfile).sort()).toEqual([
      'customer_sync-shard-1-of-2.prom',
      'customer_sync-shard-2-of-2.prom',
    ]);
    for (const k of [1, 2]) {
      const samples = parseMetricsText(
        fs.readFileSync(path.join(textfile, `customer_sync-shard-${k}-of-2.prom`), 'utf8'),
      );
      expect(samples.length).toBeGreaterThan(0);
      for (const sample of samples)
        expect(sample.labels).toMatchObject({ retailer: '1', mode: 'apply', shard: `${k}-of-2` });
    }
  });
});
