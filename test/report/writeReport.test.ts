import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/writeReport.js';
import type { FieldChange, RowOutcome } from '../../src/types.js';
import { anOutcome, aReport, aTempDir } from './reportBuilders.js';

let temp: ReturnType<typeof aTempDir>;
beforeEach(() => {
  temp = aTempDir();
});
afterEach(() => temp.cleanup());

const mode = (filePath: string): number => fs.statSync(filePath).mode & 0o777;
const read = (dir: string, name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');
const parseCsv = (text: string): string[][] => parse(text, { relax_column_count: true }) as string[][];

const sampleOutcomes: RowOutcome[] = [
  anOutcome(1, 'created', { changedFields: ['primaryEmail', 'firstName'] }),
  anOutcome(2, 'rejected', { username: '', reason: 'primaryEmail "=cmd|x" is not valid' }),
  anOutcome(3, 'updated', { changedFields: ['primaryPhone'], reason: 'department differs; Fluent cannot update it' }),
  anOutcome(4, 'conflict', { reason: 'username is held by a customer of retailer 2' }),
];

describe('writeReport', () => {
  it('creates missing folders 0700 and writes every file 0600, report.json last', () => {
    const dir = path.join(temp.dir, 'reports', 'run-1');
    const { files } = writeReport(dir, aReport('apply', sampleOutcomes));
    expect(files.map((file) => path.basename(file))).toEqual([
      'outcomes.csv',
      'rejects.csv',
      'diff.csv',
      'report.html',
      'report.json',
    ]);
    expect(fs.readdirSync(dir).sort()).toEqual([
      'diff.csv',
      'outcomes.csv',
      'rejects.csv',
      'report.html',
      'report.json',
    ]);
    expect(mode(path.join(temp.dir, 'reports'))).toBe(0o700);
    expect(mode(dir)).toBe(0o700);
    for (const file of files) expect(mode(file), file).toBe(0o600);
  });

  it('tightens files that were world-readable in an existing report dir, and leaves the dir as its owner set it', () => {
    const dir = path.join(temp.dir, 'shared');
    fs.mkdirSync(dir, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'outcomes.csv'), 'old', { mode: 0o644 });
    fs.chmodSync(path.join(dir, 'outcomes.csv'), 0o644);
    writeReport(dir, aReport('apply', sampleOutcomes));
    expect(mode(dir)).toBe(0o755);
    expect(mode(path.join(dir, 'outcomes.csv'))).toBe(0o600);
    expect(read(dir, 'outcomes.csv')).not.toContain('old');
  });

  it('writes report.json with the SPEC fields, totals that add up, and extras', () => {
    writeReport(temp.dir, aReport('apply', sampleOutcomes, { summary: { status: 'aborted', abortReason: 'SIGTERM' } }));
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
    writeReport(temp.dir, aReport('validate', outcomes));
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
    expect(() => writeReport(dir, report)).toThrow(/Broken invariant/);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('writes outcomes.csv with the exact header and one neutralised line per row', () => {
    writeReport(temp.dir, aReport('apply', sampleOutcomes));
    const text = read(temp.dir, 'outcomes.csv');
    expect(text.split('\n')[0]).toBe('row,line,username,outcome,reason,changedFields');
    expect(parseCsv(text).slice(1)).toEqual([
      ['1', '2', '1_user1@example.com', 'created', '', 'primaryEmail;firstName'],
      ['2', '3', '', 'rejected', 'primaryEmail "=cmd|x" is not valid', ''],
      ['3', '4', '1_user3@example.com', 'updated', 'department differs; Fluent cannot update it', 'primaryPhone'],
      ['4', '5', '1_user4@example.com', 'conflict', 'username is held by a customer of retailer 2', ''],
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
    writeReport(temp.dir, aReport('apply', sampleOutcomes, { rejects: () => rejects }));
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
    writeReport(temp.dir, aReport('apply', [anOutcome(1, 'rejected')], { header, rejects: () => rejects }));
    expect(parseCsv(read(temp.dir, 'rejects.csv'))).toEqual([
      ['email', '_row', '_reason'],
      ['bad@', '1', 'primaryEmail "bad@" is not valid'],
    ]);
  });

  it('writes diff.csv with booleans as true/false and no value as an empty cell', () => {
    const diffs: FieldChange[] = [
      { username: '1_jane@example.com', field: 'firstName', before: 'Jane', after: 'Janet' },
      { username: '1_jane@example.com', field: 'promotionOptIn', before: null, after: true },
      { username: '1_jane@example.com', field: 'primaryPhone', before: '+61400000000', after: '+61412345678' },
      { username: '1_jane@example.com', field: 'lastName', before: '@home', after: null },
    ];
    writeReport(temp.dir, aReport('dry-run', sampleOutcomes, { diffs: () => diffs }));
    expect(read(temp.dir, 'diff.csv')).toBe(
      [
        'username,field,before,after',
        '1_jane@example.com,firstName,Jane,Janet',
        '1_jane@example.com,promotionOptIn,,true',
        '1_jane@example.com,primaryPhone,+61400000000,+61412345678',
        "1_jane@example.com,lastName,'@home,",
        '',
      ].join('\n'),
    );
  });

  it('writes no diff.csv in validate mode, and removes one an earlier run left in the same folder', () => {
    fs.writeFileSync(path.join(temp.dir, 'diff.csv'), 'stale');
    const { files } = writeReport(temp.dir, aReport('validate', [anOutcome(1, 'valid')]));
    expect(fs.existsSync(path.join(temp.dir, 'diff.csv'))).toBe(false);
    expect(files.map((file) => path.basename(file))).not.toContain('diff.csv');
    expect(read(temp.dir, 'report.html')).not.toContain('href="diff.csv"');
  });

  it('writes a complete report for a run with no rows', () => {
    writeReport(temp.dir, aReport('apply', []));
    expect(read(temp.dir, 'outcomes.csv')).toBe('row,line,username,outcome,reason,changedFields\n');
    expect(read(temp.dir, 'rejects.csv')).toBe('email,first_name,phone,_row,_reason\n');
    expect(read(temp.dir, 'diff.csv')).toBe('username,field,before,after\n');
    expect(JSON.parse(read(temp.dir, 'report.json')).totals.read).toBe(0);
    expect(read(temp.dir, 'report.html')).toContain('no data rows');
  });

  it('streams a large run to disk: every line present, byte for byte', () => {
    const count = 30_000;
    function* outcomes(): Generator<RowOutcome> {
      for (let row = 1; row <= count; row++) yield anOutcome(row, row % 3 === 0 ? 'updated' : 'unchanged');
    }
    const report = aReport('apply', [...outcomes()]);
    writeReport(temp.dir, { ...report, outcomes: outcomes });
    const lines = read(temp.dir, 'outcomes.csv').split('\n');
    expect(lines).toHaveLength(count + 2);
    expect(lines[count]).toBe(`${count},${count + 1},1_user${count}@example.com,updated,,`);
  });
});
