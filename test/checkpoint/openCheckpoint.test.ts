import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Checkpoint, openCheckpoint } from '../../src/checkpoint/openCheckpoint.js';
import { APPLICATION_ID, SCHEMA_VERSION } from '../../src/checkpoint/schema.js';
import { AbortError, UsageError } from '../../src/errors.js';
import { aCustomer } from '../builders/customers.js';
import { PROJECT_ROOT } from '../helpers/runCli.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';
import { fixture } from '../helpers/workspace.js';
import { fillDisk, mountTinyDisk, trapWorksHere } from '../report/fsTraps.js';

const IS_ROOT = process.geteuid?.() === 0;
const OTHER_UID = 12345;
const TINY_DISK = trapWorksHere((d) => mountTinyDisk(d, 256));
if (!TINY_DISK) console.log('skipped: mounting a tmpfs needs root, so the full-disk migration test did not run');

let dir: string;
let file: string;
const open: Checkpoint[] = [];
const openHere = (runId = 'run-a') => {
  const { checkpoint, takenOverFrom } = openCheckpoint(file, runId);
  open.push(checkpoint);
  return { checkpoint, takenOverFrom };
};
const closeAll = () => {
  for (const cp of open.splice(0)) cp.close();
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-checkpoint-'));
  file = path.join(dir, 'nested', 'state', 'cp.sqlite');
});
afterEach(() => {
  closeAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Everything about a path a refused open must leave as it was. */
function fingerprint(target: string) {
  const stat = fs.lstatSync(target);
  return { mode: stat.mode, uid: stat.uid, size: stat.size, mtimeMs: stat.mtimeMs, bytes: fs.readFileSync(target) };
}

describe('opening a checkpoint', () => {
  it('creates missing folders and the file owner-only, stamped as a customer-sync checkpoint', () => {
    openHere();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, 'nested')).mode & 0o777).toBe(0o700);
    closeAll();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('refuses a symlink without touching what it points at', () => {
    const target = path.join(dir, 'someone-elses.txt');
    fs.writeFileSync(target, 'not yours', { mode: 0o644 });
    fs.chmodSync(target, 0o644);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.symlinkSync(target, file);
    const before = fingerprint(target);
    expect(usageErrorMessage(() => openHere())).toMatch(/symbolic link/);
    expect(fingerprint(target)).toEqual(before);
  });

  it('refuses a device such as /dev/null and leaves its mode alone', () => {
    const before = fs.statSync('/dev/null').mode;
    file = '/dev/null';
    expect(usageErrorMessage(() => openHere())).toMatch(/not a regular file/);
    expect(fs.statSync('/dev/null').mode).toBe(before);
  });

  it('refuses the input CSV given by mistake, leaving its mode and bytes as they were', () => {
    file = path.join(dir, 'customers.csv');
    fs.writeFileSync(file, 'primaryEmail\nann@example.com\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const before = fingerprint(file);
    expect(usageErrorMessage(() => openHere())).toMatch(
      /not a customer-sync checkpoint \(it is not an SQLite database\)/,
    );
    expect(fingerprint(file)).toEqual(before);
  });

  it('refuses a foreign SQLite file even with meta and runs tables, adding nothing to it', () => {
    file = path.join(dir, 'other.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE meta (key TEXT, value TEXT); CREATE TABLE runs (id INTEGER); INSERT INTO runs VALUES (1)');
    db.close();
    fs.chmodSync(file, 0o644);
    const before = fingerprint(file);
    expect(usageErrorMessage(() => openHere())).toMatch(/another program/);
    expect(fingerprint(file)).toEqual(before);
    expect(fs.existsSync(`${file}-lock`)).toBe(false);
  });

  it('refuses a checkpoint of another user and a planted -wal link', () => {
    openHere();
    closeAll();
    fs.chownSync(file, 1234, 1234);
    expect(usageErrorMessage(() => openHere())).toMatch(/belongs to another user \(uid 1234\)/);
    fs.chownSync(file, process.getuid?.() ?? 0, process.getgid?.() ?? 0);
    fs.symlinkSync(path.join(dir, 'elsewhere'), `${file}-wal`);
    expect(usageErrorMessage(() => openHere())).toMatch(/-wal file of .* is a symbolic link/);
    expect(fs.existsSync(path.join(dir, 'elsewhere'))).toBe(false);
  });

  it('refuses a checkpoint of a newer layout, naming both versions, and leaves it untouched', () => {
    openHere();
    closeAll();
    const db = new Database(file);
    db.pragma(`user_version = ${SCHEMA_VERSION + 7}`);
    db.close();
    const before = fingerprint(file);
    const message = usageErrorMessage(() => openHere());
    expect(message).toContain(
      `layout version ${SCHEMA_VERSION + 7}, newer than this customer-sync's ${SCHEMA_VERSION}`,
    );
    expect(fingerprint(file)).toEqual(before);
  });

  it('migrates a checkpoint of the first release in place, keeping what it knew', () => {
    file = path.join(dir, 'old.sqlite');
    fs.copyFileSync(fixture('checkpoint-layout-0.sqlite'), file);
    fs.chmodSync(file, 0o600);
    const { checkpoint } = openHere();
    const scope = { apiHost: 'https://legacy.example.invalid', retailerId: '1' };
    expect(checkpoint.syncState.known(scope.apiHost, '1_ann@example.com')).toEqual([
      expect.objectContaining({ retailerId: '1', username: '1_ann@example.com', appliedRunStatus: 'completed' }),
    ]);
    expect(checkpoint.syncState.pending(scope, '1_dan@example.com')).toEqual(
      expect.objectContaining({ kind: 'create' }),
    );
    closeAll();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all();
    expect(tables).not.toContain('meta');
    expect(db.prepare('SELECT COUNT(*) FROM runs').pluck().get()).toBe(2);
    db.close();
  });
  it('migrates a checkpoint of layout 2 in place: what it knew, its runs and their reports all kept', () => {
    file = path.join(dir, 'layout-2.sqlite');
    fs.copyFileSync(fixture('checkpoint-layout-2.sqlite'), file);
    fs.chmodSync(file, 0o600);
    const before = new Database(file, { readonly: true });
    expect(before.pragma('user_version', { simple: true })).toBe(2);
    const indexes = before.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'run_rows'");
    expect(indexes.pluck().all()).toContain('run_rows_by_key');
    const runs = before.prepare('SELECT run_id AS runId, mode FROM runs ORDER BY started_at').all() as {
      runId: string;
      mode: string;
    }[];
    before.close();
    expect(runs.map((r) => r.mode)).toEqual(['apply', 'dry-run']);
    const applied = runs[0]?.runId as string;

    const { checkpoint } = openHere();
    const scope = { apiHost: 'https://legacy.example.invalid', retailerId: '1' };
    expect(checkpoint.syncState.known(scope.apiHost, '1_bob@example.com')).toEqual([
      expect.objectContaining({ retailerId: '1', username: '1_bob@example.com', appliedRun: applied }),
    ]);
    expect(checkpoint.syncState.pending(scope, '1_dan@example.com')).toEqual({ runId: applied, kind: 'create' });
    expect([...checkpoint.journal.outcomes(applied)].map((o) => [o.row, o.line, o.outcome, o.reason])).toEqual([
      [1, 2, 'created', ''],
      [2, 3, 'created', ''],
      [3, 4, 'created', ''],
      [4, 5, 'rejected', expect.stringContaining('"not-an-email" is not a valid email address')],
      [5, 6, 'duplicate', 'same values as row 2'],
    ]);
    expect([...checkpoint.journal.rejects(applied)]).toEqual([
      { row: 4, cells: ['not-an-email', 'Dee', 'Roe', 'AU', ''], reason: expect.any(String) },
    ]);
    closeAll();

    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const after = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'run_rows'").pluck();
    expect(after.all().sort()).toEqual([
      'run_rows_conflict',
      'run_rows_not_taken',
      'run_rows_offending',
      'run_rows_open',
      'run_rows_review',
    ]);
    db.close();
  });

  it('migrates a checkpoint of layout 3 in place: its runs report as before, with no customer id or input known', () => {
    file = path.join(dir, 'layout-3.sqlite');
    fs.copyFileSync(fixture('checkpoint-layout-3.sqlite'), file);
    fs.chmodSync(file, 0o600);
    const before = new Database(file, { readonly: true });
    expect(before.pragma('user_version', { simple: true })).toBe(3);
    const runs = before.prepare('SELECT run_id FROM runs ORDER BY started_at').pluck().all() as string[];
    before.close();
    const applied = runs[0] as string;

    const { checkpoint } = openHere();
    const scope = { apiHost: 'https://legacy.example.invalid', retailerId: '1' };
    expect(checkpoint.syncState.known(scope.apiHost, '1_cat@example.com')).toEqual([
      expect.objectContaining({ retailerId: '1', omsId: '3', appliedRun: applied }),
    ]);
    expect(checkpoint.syncState.pending(scope, '1_dan@example.com')).toEqual({ runId: applied, kind: 'create' });
    const outcomes = [...checkpoint.journal.outcomes(applied)];
    expect(outcomes.map((o) => [o.row, o.outcome, o.customerId])).toEqual([
      [1, 'created', ''],
      [2, 'created', ''],
      [3, 'created', ''],
      [4, 'rejected', ''],
      [5, 'duplicate', ''],
    ]);
    const diffs = [...checkpoint.journal.diffs(applied)];
    expect(diffs).toHaveLength(21);
    expect(diffs.find((d) => d.username === '1_ann@example.com' && d.field === 'primaryPhone')).toEqual({
      username: '1_ann@example.com',
      field: 'primaryPhone',
      before: null,
      after: '+61412345678',
      input: '',
    });
    expect([...checkpoint.journal.reviewRows(applied)]).toEqual([]);
    expect(checkpoint.journal.rejectedValues(applied, 10)).toEqual([]);

    // A run of this release on the migrated file keeps what the new columns hold.
    const { journal } = checkpoint;
    journal.startRun({
      runId: 'r4',
      mode: 'apply',
      apiHost: scope.apiHost,
      retailerId: '1',
      inputPath: 'x.csv',
      context: { header: ['email', 'phone'], fieldColumns: { primaryEmail: 0, primaryPhone: 1 } },
    });
    const stager = journal.createStager('r4');
    stager.add({
      row: 1,
      line: 2,
      cells: ['ann@example.com', '0412 345 678'],
      customer: aCustomer({ username: '1_ann@example.com' }),
      hash: 'h',
      review: [{ field: 'primaryPhone', rule: 'phoneAssumedCountry', input: '0412 345 678', written: '+61412345678' }],
    });
    stager.add({
      row: 2,
      line: 3,
      cells: ['bob@', 'x'],
      outcome: { kind: 'rejected', reason: 'no' },
      offending: [{ field: 'primaryEmail', value: 'bob@' }],
    });
    stager.flush();
    const change = {
      username: '1_ann@example.com',
      field: 'primaryPhone' as const,
      before: null,
      after: '+61412345678',
    };
    journal.addDiffs('r4', [change], 1);
    journal.setOutcomes('r4', [{ row: 1, outcome: 'created', reason: '', customerId: '77' }]);
    expect([...journal.outcomes('r4')].map((o) => o.customerId)).toEqual(['77', '']);
    expect([...journal.diffs('r4')].map((d) => [d.row, d.input])).toEqual([[1, '0412 345 678']]);
    expect([...journal.reviewRows('r4')]).toEqual([
      expect.objectContaining({
        row: 1,
        outcome: 'created',
        notes: [expect.objectContaining({ rule: 'phoneAssumedCountry' })],
      }),
    ]);
    expect(journal.rejectedValues('r4', 10)).toEqual([{ field: 'primaryEmail', value: 'bob@', rows: 1, example: 2 }]);
    closeAll();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('migrates a checkpoint of layout 4 in place: its pending mark kept with nothing known of what it sent', () => {
    file = path.join(dir, 'layout-4.sqlite');
    fs.copyFileSync(fixture('checkpoint-layout-4.sqlite'), file);
    fs.chmodSync(file, 0o600);
    const before = new Database(file, { readonly: true });
    expect(before.pragma('user_version', { simple: true })).toBe(4);
    const runs = before.prepare('SELECT run_id FROM runs ORDER BY started_at').pluck().all() as string[];
    before.close();
    const applied = runs[0] as string;

    const { checkpoint } = openHere();
    const scope = { apiHost: 'https://legacy.example.invalid', retailerId: '1' };
    const { journal, syncState } = checkpoint;
    expect(syncState.known(scope.apiHost, '1_cat@example.com')).toEqual([
      expect.objectContaining({ retailerId: '1', omsId: '3', appliedRun: applied }),
    ]);
    // A mark made before layout 5 says who sent what kind of mutation, and nothing of what it sent.
    expect(syncState.pending(scope, '1_dan@example.com')).toStrictEqual({ runId: applied, kind: 'create' });
    expect([...journal.outcomes(applied)].map((o) => [o.row, o.outcome, o.customerId])).toEqual([
      [1, 'created', '1'],
      [2, 'created', '2'],
      [3, 'created', '3'],
      [4, 'rejected', ''],
      [5, 'duplicate', ''],
    ]);
    expect([...journal.diffs(applied)]).toHaveLength(20);
    expect([...journal.reviewRows(applied)].map((r) => r.row)).toEqual([2, 3, 5]);
    expect(journal.rejectedValues(applied, 10)).toEqual([
      { field: 'primaryEmail', value: 'not-an-email', rows: 1, example: 4 },
    ]);

    // A mark of this release keeps the row it was sent for and the changes it sends, before values included.
    const change = { username: '1_eve@example.com', field: 'lastName' as const, before: 'Old', after: 'New' };
    syncState.markPending(scope, '1_eve@example.com', 'r5', 'update', { row: 7, changes: [change] });
    expect(syncState.pendingOf(scope, ['1_eve@example.com', '1_dan@example.com'])).toEqual(
      new Map([
        ['1_eve@example.com', { runId: 'r5', kind: 'update', row: 7, changes: [change] }],
        ['1_dan@example.com', { runId: applied, kind: 'create' }],
      ]),
    );
    closeAll();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('pending')).toEqual(
      expect.arrayContaining(['row', 'changes_json']),
    );
    db.close();
  });
  it('migrates a checkpoint of layout 5 in place: conflicts of no known kind, nothing known of values not taken', () => {
    file = path.join(dir, 'layout-5.sqlite');
    fs.copyFileSync(fixture('checkpoint-layout-5.sqlite'), file);
    fs.chmodSync(file, 0o600);
    const before = new Database(file, { readonly: true });
    expect(before.pragma('user_version', { simple: true })).toBe(5);
    const [applied, dryRun] = before.prepare('SELECT run_id FROM runs ORDER BY started_at').pluck().all() as string[];
    before.close();

    const { checkpoint } = openHere();
    const scope = { apiHost: 'https://legacy.example.invalid', retailerId: '1' };
    const { journal, syncState } = checkpoint;
    expect(syncState.known(scope.apiHost, '1_cat@example.com')).toEqual([
      expect.objectContaining({ omsId: '1', appliedRun: applied, notTakenHash: null }),
    ]);
    // A layout 5 mark keeps what it sends.
    expect(syncState.pending(scope, '1_fay@example.com')).toEqual({
      runId: applied,
      kind: 'update',
      row: 9,
      changes: [{ username: '1_fay@example.com', field: 'lastName', before: 'Old', after: 'New' }],
    });
    expect([...journal.outcomes(applied as string)].map((o) => o.outcome)).toEqual([
      'created',
      'created',
      'updated',
      'conflict',
      'conflict',
      'rejected',
      'duplicate',
    ]);
    // Its two conflicts (another retailer's, a case variant) were recorded before their kinds were kept.
    const none = { otherRetailer: 0, caseVariant: 0, concurrent: 0, unseen: 0 };
    expect(journal.outcomeDetails(applied as string)).toEqual({ conflicts: none, notTakenAsSent: {} });
    expect(journal.outcomeCounts(dryRun as string).get('updated')).toBe(1);

    // A run of this release keeps each conflict's kind, the fields Fluent did not take, and what it holds instead.
    journal.startRun({
      runId: 'r6',
      mode: 'apply',
      apiHost: scope.apiHost,
      retailerId: '1',
      inputPath: 'x.csv',
      context: {},
    });
    const stager = journal.createStager('r6');
    stager.add({
      row: 1,
      line: 2,
      cells: ['a'],
      hash: 'h1',
      outcome: { kind: 'conflict', reason: 'r', conflict: 'caseVariant' },
    });
    stager.add({ row: 2, line: 3, cells: ['b'], hash: 'h2', customer: aCustomer({ username: '1_cat@example.com' }) });
    stager.add({ row: 3, line: 4, cells: ['c'], hash: 'h3', customer: aCustomer({ username: '1_gus@example.com' }) });
    stager.flush();
    const failed = { row: 2, outcome: 'failed' as const, reason: 'not taken', notTaken: ['primaryPhone' as const] };
    syncState.recordApplied(
      scope,
      'r6',
      { username: '1_cat@example.com', omsId: '1', hash: 'held', appliedBy: 'r6', notTakenHash: 'h2' },
      failed,
    );
    journal.setOutcomes('r6', [{ row: 3, outcome: 'conflict', reason: 'r', conflict: 'concurrent' }]);
    expect(journal.outcomeDetails('r6')).toEqual({
      conflicts: { ...none, caseVariant: 1, concurrent: 1 },
      notTakenAsSent: { primaryPhone: 1 },
    });
    expect(syncState.known(scope.apiHost, '1_cat@example.com')).toEqual([
      expect.objectContaining({ hash: 'held', notTakenHash: 'h2', appliedRun: 'r6' }),
    ]);
    // A doubted entry forgets both hashes.
    syncState.recordDoubted(scope, 'r6', '1_cat@example.com', { row: 2, outcome: 'failed', reason: 'again' });
    expect(syncState.known(scope.apiHost, '1_cat@example.com')).toEqual([
      expect.objectContaining({ hash: '', notTakenHash: null }),
    ]);
    closeAll();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });
});

describe('a checkpoint someone else prepared', () => {
  it.skipIf(!IS_ROOT)('refuses a path through a link or folder of another user, creating nothing there', () => {
    const share = path.join(dir, 'share');
    const victim = path.join(dir, 'victim');
    fs.mkdirSync(share);
    fs.mkdirSync(victim);
    const link = path.join(share, 'state');
    fs.symlinkSync(victim, link);
    fs.lchownSync(link, OTHER_UID, OTHER_UID);
    file = path.join(link, 'cp.sqlite');
    expect(usageErrorMessage(() => openHere())).toBe(
      `checkpoint ${file}: ${link} is a symbolic link of another user (uid ${OTHER_UID}), which customer-sync does not follow; give the real path`,
    );
    fs.rmSync(link);
    fs.chownSync(share, OTHER_UID, OTHER_UID);
    file = path.join(share, 'state', 'cp.sqlite');
    expect(usageErrorMessage(() => openHere())).toMatch(`${share} is a folder of another user (uid ${OTHER_UID})`);
    expect(fs.readdirSync(victim)).toEqual([]);
    expect(fs.readdirSync(share)).toEqual([]);
  });

  it.skipIf(!IS_ROOT)('refuses a -lock or -journal file of another user before writing anything', () => {
    openHere();
    closeAll();
    const before = fingerprint(file);
    for (const suffix of ['-lock', '-journal']) {
      const side = `${file}${suffix}`;
      fs.writeFileSync(side, '');
      fs.chownSync(side, OTHER_UID, OTHER_UID);
      expect(usageErrorMessage(() => openHere())).toMatch(`${suffix} file of ${file} belongs to another user`);
      expect(fingerprint(file)).toEqual(before);
      fs.rmSync(side);
    }
  });

  it.each([
    ['trigger', "CREATE TRIGGER forge AFTER INSERT ON run_rows BEGIN UPDATE customers SET hash = 'forged'; END"],
    ['trigger', 'CREATE TRIGGER wipe BEFORE INSERT ON pending BEGIN DELETE FROM pending; END'],
    ['view', 'CREATE VIEW everything AS SELECT * FROM customers'],
    ['table', 'CREATE TABLE extra (x)'],
    ['index', 'CREATE INDEX extra_index ON customers (hash)'],
  ])('refuses a checkpoint of ours holding a planted %s, leaving it untouched', (type, sql) => {
    openHere();
    closeAll();
    const db = new Database(file);
    db.exec(sql);
    db.close();
    const before = fingerprint(file);
    const name = /^CREATE \w+ (\w+)/.exec(sql)?.[1];
    expect(usageErrorMessage(() => openHere())).toBe(
      `checkpoint ${file} holds ${type} "${name}", which customer-sync never creates; it was left untouched: pass another --checkpoint (or drop what was added to it)`,
    );
    expect(fingerprint(file)).toEqual(before);
    expect(fs.existsSync(`${file}-lock`) && fs.statSync(`${file}-lock`).size).toBe(0);
  });

  it('refuses a checkpoint of an older layout holding a trigger before migrating it', () => {
    file = path.join(dir, 'layout-2.sqlite');
    fs.copyFileSync(fixture('checkpoint-layout-2.sqlite'), file);
    fs.chmodSync(file, 0o600);
    const db = new Database(file);
    db.exec('CREATE TRIGGER t AFTER UPDATE ON customers BEGIN DELETE FROM pending; END');
    db.close();
    const before = fingerprint(file);
    expect(usageErrorMessage(() => openHere())).toMatch(/holds trigger "t", which customer-sync never creates/);
    expect(fingerprint(file)).toEqual(before);
  });

  it.skipIf(!TINY_DISK)(
    'says the disk is full when a migration cannot be written, and leaves the file as it was',
    () => {
      const disk = path.join(dir, 'disk');
      fs.mkdirSync(disk);
      const unmount = mountTinyDisk(disk, 256);
      try {
        file = path.join(disk, 'layout-2.sqlite');
        fs.copyFileSync(fixture('checkpoint-layout-2.sqlite'), file);
        fs.chmodSync(file, 0o600);
        const before = fingerprint(file);
        fillDisk(disk, 0);
        let error: unknown;
        try {
          openHere();
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(AbortError);
        expect((error as Error).message).toBe(
          `the disk is full: checkpoint ${file} could not be migrated from layout 2 to ${SCHEMA_VERSION}; it is left as it was and nothing was sent: free some space and run again`,
        );
        expect(fingerprint(file)).toEqual(before);
        // With room again, the same call migrates it.
        fs.rmSync(path.join(disk, 'filler.bin'));
        openHere();
        closeAll();
        const db = new Database(file, { readonly: true });
        expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
        db.close();
      } finally {
        closeAll();
        unmount?.();
      }
    },
  );
});

describe('the checkpoint lock', () => {
  it('refuses a second run while the holder is alive, naming it', () => {
    openHere('run-a');
    const error = (() => {
      try {
        openHere('run-b');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/in use by run run-a \(pid \d+ on /);
  });

  it('is free again once the holder closes it', () => {
    openHere('run-a');
    closeAll();
    expect(openHere('run-b').takenOverFrom).toBeUndefined();
  });

  it('takes over the lock of a process killed with -9, whatever its pid', async () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const module = path.join(PROJECT_ROOT, 'dist/checkpoint/openCheckpoint.js');
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { openCheckpoint } = await import(${JSON.stringify(module)});
         openCheckpoint(${JSON.stringify(file)}, 'run-killed');
         console.log('held'); setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    expect(() => openHere('run-b')).toThrow(/in use by run run-killed/);
    const exited = new Promise((resolve) => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    const { takenOverFrom } = openHere('run-b');
    expect(takenOverFrom?.runId).toBe('run-killed');
  });
});

describe('sync state and run journal', () => {
  it('keys what was applied by API host and retailer, and case-folds the username', () => {
    const { checkpoint } = openHere();
    const { journal, syncState } = checkpoint;
    journal.startRun({
      runId: 'r1',
      mode: 'apply',
      apiHost: 'https://a',
      retailerId: '1',
      inputPath: 'x.csv',
      context: {},
    });
    const stager = journal.createStager('r1');
    stager.add({ row: 1, line: 2, cells: ['a'], customer: aCustomer({ username: '1_Jane@example.com' }), hash: 'h1' });
    stager.flush();
    syncState.recordApplied(
      { apiHost: 'https://a', retailerId: '1' },
      'r1',
      { username: '1_Jane@example.com', omsId: '9', hash: 'h1', appliedBy: 'r1' },
      { row: 1, outcome: 'created', reason: '' },
    );
    expect(syncState.known('https://a', '1_jane@example.com')).toEqual([
      {
        retailerId: '1',
        username: '1_Jane@example.com',
        omsId: '9',
        hash: 'h1',
        appliedRun: 'r1',
        appliedRunStatus: 'running',
        notTakenHash: null,
      },
    ]);
    expect(syncState.known('https://b', '1_jane@example.com')).toEqual([]);
    expect([...journal.outcomes('r1')]).toEqual([
      {
        row: 1,
        line: 2,
        username: '1_Jane@example.com',
        outcome: 'created',
        reason: '',
        changedFields: [],
        customerId: '',
      },
    ]);
  });

  it('keeps a pending mutation across a reopen until its outcome is recorded', () => {
    const scope = { apiHost: 'https://a', retailerId: '1' };
    openHere().checkpoint.syncState.markPending(scope, '1_jane@example.com', 'r1', 'create');
    closeAll();
    expect(openHere().checkpoint.syncState.pending(scope, '1_jane@example.com')).toEqual({
      runId: 'r1',
      kind: 'create',
    });
  });

  it('forgets a doubted hash, so the next run looks the username up again', () => {
    const scope = { apiHost: 'https://a', retailerId: '1' };
    const { journal, syncState } = openHere().checkpoint;
    journal.startRun({
      runId: 'r1',
      mode: 'apply',
      apiHost: 'https://a',
      retailerId: '1',
      inputPath: 'x',
      context: {},
    });
    syncState.recordApplied(
      scope,
      'r1',
      { username: 'u', omsId: '1', hash: 'h', appliedBy: 'r1' },
      {
        row: 1,
        outcome: 'created',
        reason: '',
      },
    );
    syncState.recordDoubted(scope, 'r1', 'u', { row: 1, outcome: 'conflict', reason: 'also held by retailer 2' });
    expect(syncState.known('https://a', 'u')).toEqual([expect.objectContaining({ hash: '' })]);
  });

  it('keeps only the newest runs', () => {
    const { journal } = openHere().checkpoint;
    for (const id of ['r1', 'r2', 'r3']) {
      journal.startRun({ runId: id, mode: 'apply', apiHost: 'h', retailerId: '1', inputPath: 'x', context: {} });
      const s = journal.createStager(id);
      s.add({ row: 1, line: 2, cells: [], outcome: { kind: 'rejected', reason: 'x' } });
      s.flush();
    }
    journal.pruneRuns(2);
    expect([...journal.outcomes('r1')]).toEqual([]);
    expect([...journal.outcomes('r3')]).toHaveLength(1);
  });
});
