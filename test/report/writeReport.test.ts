import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.js';
import { escapeHtml } from '../../src/report/escapeHtml.js';
import { ReportWriteError } from '../../src/report/ReportWriteError.js';
import { REPORT_FILE_NAMES, writeReport } from '../../src/report/writeReport.js';
import { createScrubber } from '../../src/shared/createScrubber.js';
import type { DiffLine, RowOutcome } from '../../src/types.js';
import { fillDisk, mountTinyDisk, trapWorksHere } from './fsTraps.js';
import { anOutcome, aReport, aTempDir, noSecrets } from './reportBuilders.js';

let temp: ReturnType<typeof aTempDir>;
beforeEach(() => {
  temp = aTempDir();
});
afterEach(() => temp.cleanup());

const mode = (filePath: string): number => fs.statSync(filePath).mode & 0o777;
const read = (dir: string, name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');
const parseCsv = (text: string): string[][] => parse(text, { relax_column_count: true, bom: true }) as string[][];
const BOM = '\uFEFF';

const sampleOutcomes: RowOutcome[] = [
  anOutcome(1, 'created', { changedFields: ['primaryEmail', 'firstName'], customerId: '101' }),
  anOutcome(2, 'rejected', { username: '', reason: 'primaryEmail "=cmd|x" is not valid' }),
  anOutcome(3, 'updated', {
    changedFields: ['primaryPhone'],
    reason: 'department differs; Fluent cannot update it',
    customerId: '103',
  }),
  anOutcome(4, 'conflict', { reason: 'username is held by a customer of retailer 2' }),
];

describe('writeReport', () => {
  it('creates missing folders 0700 and writes every file 0600, report.json last', () => {
    const dir = path.join(temp.dir, 'reports', 'run-1');
    const { files } = writeReport(dir, aReport('apply', sampleOutcomes), noSecrets);
    expect(files.map((file) => path.basename(file))).toEqual([
      'outcomes.csv',
      'rejects.csv',
      'diff.csv',
      'review.csv',
      'report.html',
      'report.json',
    ]);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'diff.csv',
      'outcomes.csv',
      'rejects.csv',
      'report.html',
      'report.json',
      'review.csv',
    ]);
    expect(mode(path.join(temp.dir, 'reports'))).toBe(0o700);
    expect(mode(dir)).toBe(0o700);
    for (const file of files) expect(mode(file), file).toBe(0o600);
  });

  it('puts a new file of its own in place of one already in an existing report dir, which it never opens', () => {
    const dir = path.join(temp.dir, 'shared');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.chmodSync(dir, 0o755);
    const planted = path.join(dir, 'outcomes.csv');
    fs.writeFileSync(planted, 'theirs');
    fs.chmodSync(planted, 0o644);
    // A second name for the planted file, to see what became of it once the report replaced the first.
    const keep = path.join(temp.dir, 'planted-keep');
    fs.linkSync(planted, keep);
    const before = fs.statSync(keep);

    writeReport(dir, aReport('apply', sampleOutcomes), noSecrets);

    const after = fs.statSync(keep);
    expect({ ino: after.ino, mode: after.mode, mtime: after.mtimeMs }).toEqual({
      ino: before.ino,
      mode: before.mode,
      mtime: before.mtimeMs,
    });
    expect(fs.readFileSync(keep, 'utf8')).toBe('theirs');
    expect(fs.statSync(planted).ino).not.toBe(before.ino);
    expect(mode(planted)).toBe(0o600);
    expect(read(dir, 'outcomes.csv')).toMatch(/^row,line,username/);
    expect(mode(dir)).toBe(0o755);
  });

  it('replaces symlinks planted at report names without following them, even ones pointing nowhere', () => {
    const victim = path.join(temp.dir, 'victim.txt');
    fs.writeFileSync(victim, 'keep me');
    const nowhere = path.join(temp.dir, 'would-be-created.csv');
    const dir = path.join(temp.dir, 'r');
    fs.mkdirSync(dir);
    fs.symlinkSync(victim, path.join(dir, 'report.json'));
    fs.symlinkSync(nowhere, path.join(dir, 'outcomes.csv'));

    writeReport(dir, aReport('apply', sampleOutcomes), noSecrets);

    expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
    expect(fs.existsSync(nowhere)).toBe(false);
    for (const name of ['report.json', 'outcomes.csv']) {
      expect(fs.lstatSync(path.join(dir, name)).isFile(), name).toBe(true);
    }
    expect(JSON.parse(read(dir, 'report.json')).totals.read).toBe(4);
  });

  it('leaves no temporary file behind', () => {
    writeReport(temp.dir, aReport('apply', sampleOutcomes, { missing: () => [] }), noSecrets);
    expect(fs.readdirSync(temp.dir).sort()).toEqual([...REPORT_FILE_NAMES].sort());
  });

  it('writes report.json with the SPEC fields, totals that add up, and extras', () => {
    writeReport(
      temp.dir,
      aReport('apply', sampleOutcomes, { summary: { status: 'aborted', abortReason: 'SIGTERM' } }),
      noSecrets,
    );
    const text = read(temp.dir, 'report.json');
    expect(text).toContain('\n  "runId"');
    const json = JSON.parse(text);
    expect(Object.keys(json).slice(0, 9)).toEqual([
      'runId',
      'mode',
      'startedAt',
      'finishedAt',
      'input',
      'options',
      'totals',
      'requests',
      'durationMs',
    ]);
    expect(json.totals).toEqual({
      read: 4,
      created: 1,
      updated: 1,
      unchanged: 0,
      duplicate: 0,
      rejected: 1,
      conflict: 1,
      failed: 0,
      skipped: 0,
    });
    expect(json.input).toEqual({ path: 'exports/legacy-crm.csv', sha256: 'a'.repeat(64), bytes: 123_456 });
    expect(json.requests).toEqual({ graphql: 25, retries: 2, rateLimited: 1, effectiveRate: 9.8 });
    expect(json).toMatchObject({
      mode: 'apply',
      status: 'aborted',
      abortReason: 'SIGTERM',
      unmappedColumns: ['CRM_ID'],
    });
  });

  it('lists valid among the totals in validate mode', () => {
    const outcomes = [anOutcome(1, 'valid'), anOutcome(2, 'valid'), anOutcome(3, 'rejected')];
    writeReport(temp.dir, aReport('validate', outcomes), noSecrets);
    const { totals } = JSON.parse(read(temp.dir, 'report.json'));
    expect(totals).toMatchObject({ read: 3, valid: 2, rejected: 1 });
    const sum = Object.entries(totals as Record<string, number>)
      .filter(([key]) => key !== 'read')
      .reduce((acc, [, count]) => acc + count, 0);
    expect(sum).toBe(totals.read);
  });

  it('refuses totals that do not account for every row, before writing anything', () => {
    const report = aReport('apply', sampleOutcomes);
    report.summary.totals.read += 1;
    const dir = path.join(temp.dir, 'never');
    expect(() => writeReport(dir, report, noSecrets)).toThrow(/Broken invariant/);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('writes outcomes.csv with the exact header and one neutralised line per row', () => {
    writeReport(temp.dir, aReport('apply', sampleOutcomes), noSecrets);
    const text = read(temp.dir, 'outcomes.csv');
    expect(text.split('\n')[0]).toBe('row,line,username,outcome,reason,changedFields,customerId');
    expect(parseCsv(text).slice(1)).toEqual([
      ['1', '2', '1_user1@example.com', 'created', '', 'primaryEmail;firstName', '101'],
      ['2', '3', '', 'rejected', 'primaryEmail "=cmd|x" is not valid', '', ''],
      [
        '3',
        '4',
        '1_user3@example.com',
        'updated',
        'department differs; Fluent cannot update it',
        'primaryPhone',
        '103',
      ],
      ['4', '5', '1_user4@example.com', 'conflict', 'username is held by a customer of retailer 2', '', ''],
    ]);
  });

  it('writes rejects.csv that re-parses to the original cells plus _row and _reason', () => {
    const rejects = [
      {
        row: 2,
        cells: ['=cmd|x', 'Ann, "Annie"\nSmith', '+61412345678'],
        reason: 'primaryEmail "=cmd|x" is not valid',
      },
      { row: 4, cells: ['bob@example.com', 'Bob', '-0412'], reason: 'username is held by a customer of retailer 2' },
      { row: 7, cells: ['short@example.com'], reason: 'has 1 column, the header has 3' },
      {
        row: 9,
        cells: ['long@example.com', 'Smith', ' Jr', '+61400000000'],
        reason: 'has 4 columns, the header has 3',
      },
    ];
    writeReport(temp.dir, aReport('apply', sampleOutcomes, { rejects: () => rejects }), noSecrets);
    const records = parseCsv(read(temp.dir, 'rejects.csv'));
    expect(records).toEqual([
      ['email', 'first_name', 'phone', '_row', '_reason'],
      ["'=cmd|x", 'Ann, "Annie"\nSmith', '+61412345678', '2', 'primaryEmail "=cmd|x" is not valid'],
      ['bob@example.com', 'Bob', "'-0412", '4', 'username is held by a customer of retailer 2'],
      ['short@example.com', '', '', '7', 'has 1 column, the header has 3'],
      ['long@example.com', 'Smith', ' Jr', '9', 'has 4 columns, the header has 3', "'+61400000000"],
    ]);
  });

  it('reuses the _row and _reason columns of a fed-back rejects.csv instead of adding them again', () => {
    const header = ['email', '_row', '_reason'];
    const rejects = [{ row: 1, cells: ['bad@', '5', 'old reason'], reason: 'primaryEmail "bad@" is not valid' }];
    writeReport(temp.dir, aReport('apply', [anOutcome(1, 'rejected')], { header, rejects: () => rejects }), noSecrets);
    expect(parseCsv(read(temp.dir, 'rejects.csv'))).toEqual([
      ['email', '_row', '_reason'],
      ['bad@', '1', 'primaryEmail "bad@" is not valid'],
    ]);
  });

  it("writes diff.csv with booleans as true/false, no value as an empty cell, and the file's cell as input", () => {
    const diffs: DiffLine[] = [
      { username: '1_jane@example.com', field: 'firstName', before: 'Jane', after: 'Janet', input: ' Janet ' },
      { username: '1_jane@example.com', field: 'promotionOptIn', before: null, after: true, input: 'Ja' },
      {
        username: '1_jane@example.com',
        field: 'primaryPhone',
        before: '+61400000000',
        after: '+61412345678',
        input: '+61 412 345 678',
      },
      {
        username: '1_jane@example.com',
        field: 'primaryPhone',
        before: null,
        after: '+61412345678',
        input: '+61412345678',
      },
      { username: '1_jane@example.com', field: 'lastName', before: '@home', after: null, input: '' },
      { username: '1_jane@example.com', field: 'title', before: null, after: 'Dr', input: '=Dr' },
    ];
    writeReport(temp.dir, aReport('dry-run', sampleOutcomes, { diffs: () => diffs }), noSecrets);
    expect(read(temp.dir, 'diff.csv')).toBe(
      [
        `${BOM}username,field,before,after,input`,
        '1_jane@example.com,firstName,Jane,Janet," Janet "',
        '1_jane@example.com,promotionOptIn,,true,Ja',
        "1_jane@example.com,primaryPhone,+61400000000,+61412345678,'+61 412 345 678",
        '1_jane@example.com,primaryPhone,,+61412345678,+61412345678',
        "1_jane@example.com,lastName,'@home,,",
        "1_jane@example.com,title,,Dr,'=Dr",
        '',
      ].join('\n'),
    );
  });

  it('writes review.csv: the values to check, neutralised but for E.164 phones', () => {
    const review = [
      {
        row: 3,
        username: '1_user3@example.com',
        field: 'primaryPhone' as const,
        input: '04 61 80 07 28',
        written: '+61461800728',
        rule: 'phoneAssumedCountry' as const,
      },
      {
        row: 9,
        username: '=1_user9@example.com',
        field: 'primaryPhone' as const,
        input: '+1 999 555 0100',
        written: '+19995550100',
        rule: 'phonePossibleNotValid' as const,
      },
    ];
    writeReport(temp.dir, aReport('apply', sampleOutcomes, { review: () => review }), noSecrets);
    expect(read(temp.dir, 'review.csv')).toBe(
      [
        `${BOM}row,username,field,input,written,rule`,
        '3,1_user3@example.com,primaryPhone,04 61 80 07 28,+61461800728,phoneAssumedCountry',
        "9,'=1_user9@example.com,primaryPhone,'+1 999 555 0100,+19995550100,phonePossibleNotValid",
        '',
      ].join('\n'),
    );
    expect(fs.statSync(path.join(temp.dir, 'review.csv')).mode & 0o777).toBe(0o600);
  });

  it('writes no review.csv for content without one (an undo), and removes one an earlier run left', () => {
    fs.writeFileSync(path.join(temp.dir, 'review.csv'), 'stale');
    writeReport(temp.dir, aReport('apply', sampleOutcomes, { review: undefined }), noSecrets);
    expect(fs.existsSync(path.join(temp.dir, 'review.csv'))).toBe(false);
    expect(read(temp.dir, 'report.html')).not.toContain('href="review.csv"');
  });

  it("writes report.json's normalised counts", () => {
    const normalised = { phoneReformatted: 4, phoneAssumedCountry: 1, countryTranslated: 0 };
    writeReport(temp.dir, aReport('apply', sampleOutcomes, { summary: { normalised } }), noSecrets);
    expect(JSON.parse(read(temp.dir, 'report.json')).normalised).toEqual(normalised);
  });

  it('writes no diff.csv in validate mode, and removes one an earlier run left in the same folder', () => {
    fs.writeFileSync(path.join(temp.dir, 'diff.csv'), 'stale');
    const { files } = writeReport(temp.dir, aReport('validate', [anOutcome(1, 'valid')]), noSecrets);
    expect(fs.existsSync(path.join(temp.dir, 'diff.csv'))).toBe(false);
    expect(files.map((file) => path.basename(file))).not.toContain('diff.csv');
    expect(read(temp.dir, 'report.html')).not.toContain('href="diff.csv"');
  });

  it('writes missing.csv (--report-missing) with its header, neutralised cells, and the count in report.json', () => {
    const missing = [
      { username: '1_gone@example.com', id: '17', primaryEmail: 'gone@example.com' },
      { username: '=HYPERLINK("x")', id: '18', primaryEmail: null },
    ];
    const { files } = writeReport(
      temp.dir,
      aReport('apply', sampleOutcomes, { missing: () => missing, summary: { missing: { count: 2, complete: true } } }),
      noSecrets,
    );
    expect(files.map((file) => path.basename(file)).slice(-3)).toEqual(['missing.csv', 'report.html', 'report.json']);
    expect(read(temp.dir, 'missing.csv')).toBe(
      [`${BOM}username,id,primaryEmail`, '1_gone@example.com,17,gone@example.com', `"'=HYPERLINK(""x"")",18,`, ''].join(
        '\n',
      ),
    );
    const json = JSON.parse(read(temp.dir, 'report.json'));
    expect(json.missing).toEqual({ count: 2, complete: true });
    expect(json.totals.read).toBe(4);
    expect(read(temp.dir, 'report.html')).toContain('href="missing.csv"');
  });

  it('without --report-missing writes no missing.csv, and removes one an earlier run left in the same folder', () => {
    fs.writeFileSync(path.join(temp.dir, 'missing.csv'), 'stale');
    writeReport(temp.dir, aReport('apply', sampleOutcomes), noSecrets);
    expect(fs.existsSync(path.join(temp.dir, 'missing.csv'))).toBe(false);
    expect(JSON.parse(read(temp.dir, 'report.json'))).not.toHaveProperty('missing');
  });

  it('writes a complete report for a run with no rows', () => {
    writeReport(temp.dir, aReport('apply', []), noSecrets);
    expect(read(temp.dir, 'outcomes.csv')).toBe('row,line,username,outcome,reason,changedFields,customerId\n');
    expect(read(temp.dir, 'rejects.csv')).toBe(`${BOM}email,first_name,phone,_row,_reason\n`);
    expect(read(temp.dir, 'diff.csv')).toBe(`${BOM}username,field,before,after,input\n`);
    expect(read(temp.dir, 'review.csv')).toBe(`${BOM}row,username,field,input,written,rule\n`);
    expect(JSON.parse(read(temp.dir, 'report.json')).totals.read).toBe(0);
    expect(read(temp.dir, 'report.html')).toContain('no data rows');
  });

  it('streams a large run to disk: every line present, byte for byte', () => {
    const count = 30_000;
    function* outcomes(): Generator<RowOutcome> {
      for (let row = 1; row <= count; row++) yield anOutcome(row, row % 3 === 0 ? 'updated' : 'unchanged');
    }
    const report = aReport('apply', [...outcomes()]);
    writeReport(temp.dir, { ...report, outcomes: outcomes }, noSecrets);
    const lines = read(temp.dir, 'outcomes.csv').split('\n');
    expect(lines).toHaveLength(count + 2);
    expect(lines[count]).toBe(`${count},${count + 1},1_user${count}@example.com,updated,,,`);
  });
});

const TINY_DISK = trapWorksHere((dir) => mountTinyDisk(dir, 64));

describe('writeReport when the disk fails it', () => {
  const filesOf = (dir: string) => Object.fromEntries(fs.readdirSync(dir).map((name) => [name, read(dir, name)]));
  const messageOf = (run: () => unknown): string => {
    try {
      run();
    } catch (error) {
      expect(error).toBeInstanceOf(ReportWriteError);
      expect(error).toBeInstanceOf(AbortError);
      expect((error as AbortError).exitCode).toBe(3);
      const { message } = error as Error;
      expect(message).not.toContain('\n');
      return message;
    }
    throw new Error('expected a ReportWriteError');
  };

  it.skipIf(!TINY_DISK)('a full disk: exit 3 naming the folder, the earlier report whole, no temporary file', () => {
    const disk = path.join(temp.dir, 'disk');
    fs.mkdirSync(disk);
    const unmount = mountTinyDisk(disk, 64);
    try {
      const dir = path.join(disk, 'r');
      writeReport(dir, aReport('apply', sampleOutcomes), noSecrets);
      const earlier = filesOf(dir);
      fillDisk(disk, 8 * 1024);
      const many = Array.from({ length: 2000 }, (_, index) => anOutcome(index + 1, 'created'));

      const message = messageOf(() => writeReport(dir, aReport('apply', many), noSecrets));

      expect(message).toContain(dir);
      expect(message).toMatch(/disk is full.*kept in the checkpoint/);
      expect(filesOf(dir)).toEqual(earlier);
    } finally {
      unmount?.();
    }
  });
  if (!TINY_DISK) console.log('full-disk test skipped: mounting a tmpfs needs root (the e2e test says the same)');

  it('the folder removed during the write: exit 3 saying the folder is gone', () => {
    const dir = path.join(temp.dir, 'gone');
    function* outcomes(): Generator<RowOutcome> {
      yield sampleOutcomes[0] as RowOutcome;
      fs.rmSync(dir, { recursive: true, force: true });
      yield* sampleOutcomes.slice(1);
    }
    const report = aReport('apply', sampleOutcomes);
    const message = messageOf(() => writeReport(dir, { ...report, outcomes }, noSecrets));
    expect(message).toContain(dir);
    expect(message).toContain('the folder is gone');
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('a folder appearing at a final name: no report.json, no temporary file, nothing half-written', () => {
    writeReport(temp.dir, aReport('apply', sampleOutcomes), noSecrets);
    function* diffs(): Generator<DiffLine> {
      yield { username: '1_user3@example.com', field: 'primaryPhone', before: null, after: '+61412345678', input: '' };
      fs.rmSync(path.join(temp.dir, 'report.html'));
      fs.mkdirSync(path.join(temp.dir, 'report.html'));
    }
    messageOf(() => writeReport(temp.dir, aReport('apply', sampleOutcomes, { diffs }), noSecrets));
    // The files placed before the failure are whole; report.json, the sign of a complete report, is not there.
    expect(fs.readdirSync(temp.dir).sort()).toEqual([
      'diff.csv',
      'outcomes.csv',
      'rejects.csv',
      'report.html',
      'review.csv',
    ]);
    expect(parseCsv(read(temp.dir, 'outcomes.csv'))).toHaveLength(sampleOutcomes.length + 1);
  });

  it('a bug while reading the rows is no write error: it is rethrown as it is, and no temporary file stays', () => {
    function* outcomes(): Generator<RowOutcome> {
      yield sampleOutcomes[0] as RowOutcome;
      throw new Error('broken invariant: row 2 has no outcome');
    }
    const report = aReport('apply', sampleOutcomes);
    expect(() => writeReport(temp.dir, { ...report, outcomes }, noSecrets)).toThrow(/^broken invariant: row 2/);
    expect(fs.readdirSync(temp.dir)).toEqual([]);
  });
});

describe('writeReport with secrets to mask', () => {
  // Characters that JSON, CSV and HTML each encode differently, so an encoded copy would slip past a late scrub.
  const secret = 'tok-"<Secret>&\\-9f2c';
  const encodedForms = [secret, JSON.stringify(secret).slice(1, -1), escapeHtml(secret), secret.replaceAll('"', '""')];

  it('masks them in every file: reasons, cells, diff values, usernames, the abort reason and the options', () => {
    const outcomes = [
      anOutcome(1, 'failed', { reason: `Fluent refused the create: bad token ${secret}` }),
      anOutcome(2, 'updated', { username: `1_${secret}@example.com`, changedFields: ['firstName'] }),
      anOutcome(3, 'rejected', { reason: `primaryEmail "${secret}" is not a valid email address` }),
    ];
    const rejects = [
      { row: 1, cells: ['a@example.com', 'Ann', ''], reason: `Fluent refused the create: bad token ${secret}` },
      { row: 3, cells: [secret, 'Bob', ''], reason: `primaryEmail "${secret}" is not a valid email address` },
    ];
    const diffs: DiffLine[] = [
      { username: `1_${secret}@example.com`, field: 'firstName', before: secret, after: `x${secret}x`, input: secret },
    ];
    const report = aReport('apply', outcomes, {
      rejects: () => rejects,
      diffs: () => diffs,
      review: () => [
        {
          row: 2,
          username: `1_${secret}@example.com`,
          field: 'firstName',
          input: secret,
          written: secret,
          rule: 'textTrimmed',
        },
      ],
      rejectedValues: () => [{ field: 'primaryEmail', value: secret, rows: 1, example: 3 }],
      missing: () => [{ username: `1_${secret}@example.com`, id: '9', primaryEmail: `${secret}@example.com` }],
      summary: { status: 'aborted', abortReason: `the OMS said ${secret}`, options: { note: secret } },
    });

    writeReport(temp.dir, report, { scrubber: createScrubber([secret]) });

    for (const name of REPORT_FILE_NAMES) {
      const text = read(temp.dir, name);
      for (const form of encodedForms) expect(text, `${form} in ${name}`).not.toContain(form);
    }
    expect(parseCsv(read(temp.dir, 'outcomes.csv'))[1]?.[4]).toBe('Fluent refused the create: bad token ***');
    expect(parseCsv(read(temp.dir, 'rejects.csv'))[2]?.slice(0, 2)).toEqual(['***', 'Bob']);
    expect(parseCsv(read(temp.dir, 'diff.csv'))[1]).toEqual(['1_***@example.com', 'firstName', '***', 'x***x', '***']);
    expect(parseCsv(read(temp.dir, 'review.csv'))[1]).toEqual([
      '2',
      '1_***@example.com',
      'firstName',
      '***',
      '***',
      'textTrimmed',
    ]);
    expect(parseCsv(read(temp.dir, 'missing.csv'))[1]).toEqual(['1_***@example.com', '9', '***@example.com']);
    const json = JSON.parse(read(temp.dir, 'report.json'));
    expect(json).toMatchObject({ abortReason: 'the OMS said ***', options: { note: '***' } });
    expect(read(temp.dir, 'report.html')).toContain('bad token ***');
  });
});
