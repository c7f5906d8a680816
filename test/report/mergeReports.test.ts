import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shardOf } from '../../src/check/shardOf.js';
import { SHARD_RULE } from '../../src/check/shardOfRow.js';
import { UsageError } from '../../src/errors.js';
import { mergeReports } from '../../src/report/mergeReports.js';
import { openReportFile } from '../../src/report/readReportFile.js';
import { writeReport } from '../../src/report/writeReport.js';
import type { DiffLine, ReviewLine, RowOutcome } from '../../src/types.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';
import { anOutcome, aReport, aTempDir, noSecrets } from './reportBuilders.js';

let temp: ReturnType<typeof aTempDir>;
beforeEach(() => {
  temp = aTempDir();
});
afterEach(() => temp.cleanup());

const read = (dir: string, name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
/** A row of another shard as a run writes it: `skipped`, with the username the run found in the owner's shard. */
const other = (row: number, owner: number, count = 2) =>
  anOutcome(row, 'skipped', {
    username: usernameInShard(row, owner, count),
    reason: `belongs to shard ${owner}/${count}`,
  });

/** `1_user<row>@example.com` when it falls in shard `owner` of `count`, else the first variant of it that does. */
function usernameInShard(row: number, owner: number, count: number): string {
  for (let n = 0; ; n++) {
    const username = `1_user${row}${n === 0 ? '' : `.${n}`}@example.com`;
    if (shardOf(username, count) === owner) return username;
  }
}

/** Row 2 of the file: rejected, with a phone, a formula-like name and a quote in its cells. */
const REJECTED_CELLS = ['=cmd@x', '-Bob "B"', '+61412345678'];
const phoneDiff: DiffLine = {
  username: '1_ann@example.com',
  field: 'primaryPhone',
  before: null,
  after: '+61400000001',
  input: '0400 000 001',
};
const optInDiff: DiffLine = {
  username: '1_cy@example.com',
  field: 'promotionOptIn',
  before: false,
  after: true,
  input: 'Ja',
};
const reviewOf = (row: number, username: string): ReviewLine => ({
  row,
  username,
  field: 'primaryPhone',
  input: '0400 000 001',
  written: '+61400000001',
  rule: 'phoneAssumedCountry',
});

/** Writes one shard's report of a four-row file, as writeReport writes every report. */
function writeShard(
  name: string,
  index: number,
  outcomes: RowOutcome[],
  extra: Parameters<typeof aReport>[2] = {},
): string {
  const dir = path.join(temp.dir, name);
  const { summary, ...rest } = extra;
  writeReport(
    dir,
    aReport('apply', outcomes, {
      ...rest,
      summary: {
        options: { retailerId: '1', shard: `${index}/2` },
        shard: { index, count: 2, rule: SHARD_RULE },
        runId: `run-${index}`,
        ...summary,
      },
    }),
    noSecrets,
  );
  return dir;
}

function twoShards() {
  const one = writeShard(
    'one',
    1,
    [
      anOutcome(1, 'created', { username: '=1_ann@example.com', customerId: '11' }),
      other(2, 2),
      anOutcome(3, 'updated', { customerId: '13' }),
      other(4, 2),
    ],
    {
      diffs: () => [phoneDiff],
      review: () => [reviewOf(1, '=1_ann@example.com'), reviewOf(3, '1_user3@example.com')],
      missing: () => [{ username: '1_gone@example.com', id: '5', primaryEmail: null }],
      summary: { missing: { count: 1, complete: true }, normalised: { phoneReformatted: 2, optInWord: 0 } },
    },
  );
  const two = writeShard(
    'two',
    2,
    [
      other(1, 1),
      anOutcome(2, 'rejected', {
        username: '',
        reason:
          'primaryEmail "=cmd@x" is not valid; country "Deutschland" is not a country (row of primaryEmail "=cmd@x")',
      }),
      other(3, 1),
      anOutcome(4, 'created', { username: '1_cy@example.com', customerId: '14' }),
    ],
    {
      rejects: () => [{ row: 2, cells: REJECTED_CELLS, reason: 'primaryEmail "=cmd@x" is not valid' }],
      diffs: () => [optInDiff],
      review: () => [reviewOf(2, '1_user2@example.com'), reviewOf(4, '1_cy@example.com')],
      missing: () => [],
      summary: {
        status: 'aborted',
        abortReason: 'stopped by SIGTERM',
        startedAt: '2024-05-01T01:59:00.000Z',
        missing: { count: 0, complete: true },
        normalised: { phoneReformatted: 1, optInWord: 1 },
      },
    },
  );
  return { one, two };
}

describe('mergeReports', () => {
  it('writes one report of the whole file: each row from its shard, cells byte for byte as the shards wrote them', () => {
    const { one, two } = twoShards();
    const out = path.join(temp.dir, 'merged');
    const merged = mergeReports([two, one], out, noSecrets);

    expect(merged.exitCode).toBe(3);
    expect(merged.summary.totals).toMatchObject({ read: 4, created: 2, updated: 1, rejected: 1, skipped: 0 });
    expect(merged.summary.status).toBe('aborted');
    expect(merged.summary.abortReason).toBe('shard 2/2: stopped by SIGTERM');
    expect(merged.summary.startedAt).toBe('2024-05-01T01:59:00.000Z');
    expect(merged.summary.options).not.toHaveProperty('shard');
    expect(merged.summary.mergedFrom?.map((s) => [s.shard, s.runId])).toEqual([
      ['1/2', 'run-1'],
      ['2/2', 'run-2'],
    ]);
    expect(merged.summary.missing).toEqual({ count: 1, complete: true });

    const outcomes = read(out, 'outcomes.csv').trimEnd().split('\n');
    expect(outcomes).toHaveLength(5);
    expect(outcomes[1]).toBe(read(one, 'outcomes.csv').split('\n')[1]);
    expect(outcomes[1]).toMatch(/^1,2,'=1_ann@example.com,created/);
    expect(outcomes[2]).toBe(read(two, 'outcomes.csv').split('\n')[2]);
    expect(outcomes[4]).toBe(read(two, 'outcomes.csv').split('\n')[4]);
    // The phone stays a phone (not neutralised), the other cells stay neutralised: as in the shard's file.
    expect(read(out, 'rejects.csv')).toBe(read(two, 'rejects.csv'));
    expect(read(out, 'rejects.csv')).toContain('+61412345678');
    expect(outcomes[0]).toBe('row,line,username,outcome,reason,changedFields,customerId');
    expect(outcomes.map((line) => line.split(',').at(-1))).toEqual(['customerId', '11', '', '13', '14']);
    expect(read(out, 'diff.csv').split('\n').slice(0, 3)).toEqual([
      '\uFEFFusername,field,before,after,input',
      '1_ann@example.com,primaryPhone,,+61400000001,0400 000 001',
      '1_cy@example.com,promotionOptIn,false,true,Ja',
    ]);
    // review.csv by row across the shards, as one run would list it.
    expect(
      read(out, 'review.csv')
        .trimEnd()
        .split('\n')
        .map((line) => line.split(',').slice(0, 2).join(',')),
    ).toEqual([
      '\uFEFFrow,username',
      "1,'=1_ann@example.com",
      '2,1_user2@example.com',
      '3,1_user3@example.com',
      '4,1_cy@example.com',
    ]);
    expect(JSON.parse(read(out, 'report.json')).normalised).toMatchObject({ phoneReformatted: 3, optInWord: 1 });
    // The rejected values of the page are read from the rows' reasons.
    expect(read(out, 'report.html')).toContain('<code>country</code> “Deutschland” <span class="times">×1</span>');
    expect(read(out, 'missing.csv')).toBe(read(one, 'missing.csv'));
    expect(JSON.parse(read(out, 'report.json')).totals.read).toBe(4);
  });

  it('gives the same report, byte for byte, when the same shards are merged twice (two last pods finishing together)', () => {
    const { one, two } = twoShards();
    const first = path.join(temp.dir, 'first');
    const second = path.join(temp.dir, 'second');
    mergeReports([one, two], first, noSecrets);
    mergeReports([two, one], second, noSecrets);
    for (const name of fs.readdirSync(first)) expect(read(second, name), name).toBe(read(first, name));
  });

  it('refuses a shard given twice, a split of another size, or writing over a shard, before writing anything', () => {
    const { one, two } = twoShards();
    const out = path.join(temp.dir, 'out');
    expect(() => mergeReports([one, one, two], out, noSecrets)).toThrow(`${one} and ${one} are both shard 1/2`);
    // A report of an earlier release, whose report.json has no `shard`: its options say which shard it was.
    const third = writeShard('third', 1, [anOutcome(1, 'created')], {
      summary: { options: { shard: '1/3' }, shard: undefined },
    });
    expect(() => mergeReports([one, two, third], out, noSecrets)).toThrow(/is shard 1\/3 but .* is shard 1\/2/);
    expect(() => mergeReports([one, two], two, noSecrets)).toThrow(/is the report of shard 2\/2/);
    expect(() => mergeReports([one], out, noSecrets)).toThrow('shard 2/2 is missing');
    expect(fs.existsSync(out)).toBe(false);
  });

  it("finds each row's shard from its username or row number as the runs did, whatever its reason says", () => {
    const { one, two } = twoShards();
    const expected = path.join(temp.dir, 'expected');
    mergeReports([one, two], expected, noSecrets);
    for (const dir of [one, two]) {
      const outcomes = path.join(dir, 'outcomes.csv');
      fs.writeFileSync(
        outcomes,
        read(dir, 'outcomes.csv').replace(/belongs to shard \d\/2/g, 'gehört zu einem anderen Shard'),
      );
    }
    const out = path.join(temp.dir, 'out');
    mergeReports([one, two], out, noSecrets);
    expect(read(out, 'outcomes.csv')).toBe(read(expected, 'outcomes.csv'));

    // The owner's own line may be skipped too (its run stopped before the row): it is still the owner's.
    const stopped = writeShard('stopped', 1, [
      anOutcome(1, 'skipped', { reason: 'not processed: the run stopped (stopped by SIGTERM)' }),
      other(2, 2),
      anOutcome(3, 'updated'),
      other(4, 2),
    ]);
    const merged = mergeReports([stopped, two], path.join(temp.dir, 'with-stopped'), noSecrets);
    expect(merged.summary.totals).toMatchObject({ read: 4, skipped: 1, updated: 1, created: 1, rejected: 1 });
  });

  it('refuses a shard report whose rows were given to shards by a rule this release does not know', () => {
    const { one, two } = twoShards();
    const json = path.join(two, 'report.json');
    const summary = JSON.parse(read(two, 'report.json'));
    fs.writeFileSync(json, JSON.stringify({ ...summary, shard: { ...summary.shard, rule: 'murmur3-email' } }));
    expect(usageErrorMessage(() => mergeReports([one, two], path.join(temp.dir, 'out'), noSecrets))).toBe(
      `${two} assigned rows to shards by the rule "murmur3-email", which this release does not know (it uses ${SHARD_RULE}): merge with the release that ran the shards`,
    );
  });

  it('refuses reports whose rows disagree about their owner, or whose files were changed after the run', () => {
    const { one } = twoShards();
    // Row 3 claimed by both shards: they did not split one file the same way.
    const greedy = writeShard('greedy', 2, [other(1, 1), other(2, 1), anOutcome(3, 'created'), other(4, 1)]);
    const out = path.join(temp.dir, 'out');
    expect(() => mergeReports([one, greedy], out, noSecrets)).toThrow(/row 2: the shards disagree/);

    const { two } = twoShards();
    const outcomes = path.join(two, 'outcomes.csv');
    fs.writeFileSync(outcomes, read(two, 'outcomes.csv').replace(',created,', ',updated,'));
    expect(() => mergeReports([one, two], out, noSecrets)).toThrow(
      /report.json counts 1 created but outcomes.csv has 0/,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it('names a folder that is not a shard report: no report.json, or a run without --shard', () => {
    const { one } = twoShards();
    const plain = path.join(temp.dir, 'plain');
    writeReport(plain, aReport('apply', [anOutcome(1, 'created')]), noSecrets);
    const empty = path.join(temp.dir, 'empty');
    fs.mkdirSync(empty);
    expect(() => mergeReports([one, plain], temp.dir, noSecrets)).toThrow(`${plain} is not the report of a shard`);
    expect(() => mergeReports([one, empty], temp.dir, noSecrets)).toThrow(UsageError);
    expect(() => mergeReports([one, empty], temp.dir, noSecrets)).toThrow(`${empty} holds no report.json`);
  });

  it('reads no report file through a symlink, report.json included, and says so', () => {
    const { one, two } = twoShards();
    for (const name of ['outcomes.csv', 'report.json']) {
      const file = path.join(two, name);
      const moved = path.join(temp.dir, `elsewhere-${name}`);
      fs.renameSync(file, moved);
      fs.symlinkSync(moved, file);
      expect(usageErrorMessage(() => mergeReports([one, two], path.join(temp.dir, 'out'), noSecrets))).toBe(
        `${file} is a symbolic link, which a merge does not follow; pass the shard's own report folder`,
      );
      fs.rmSync(file);
      fs.renameSync(moved, file);
    }
    expect(fs.existsSync(path.join(temp.dir, 'out'))).toBe(false);
  });

  it('never writes into a shard it reads: a link to its folder, or a folder inside it, is that shard', () => {
    const { one, two } = twoShards();
    const before = Object.fromEntries(fs.readdirSync(two).map((name) => [name, read(two, name)]));
    const link = path.join(temp.dir, 'two-link');
    fs.symlinkSync(two, link);
    expect(usageErrorMessage(() => mergeReports([one, two], link, noSecrets))).toBe(
      `--report-dir ${link} is the report of shard 2/2; write the merged report elsewhere`,
    );
    expect(usageErrorMessage(() => mergeReports([one, link], path.join(two, 'merged'), noSecrets))).toBe(
      `--report-dir ${path.join(two, 'merged')} is inside the report of shard 2/2 (${link}); write the merged report elsewhere`,
    );
    expect(Object.fromEntries(fs.readdirSync(two).map((name) => [name, read(two, name)]))).toEqual(before);
  });

  it('refuses a shard file over the record limits in one line, without holding it, and a report.json too large', () => {
    const { one, two } = twoShards();
    const out = path.join(temp.dir, 'out');
    const limits = { recordBytes: 64 * 1024, fields: 100, jsonBytes: 8 * 1024 };
    // No line break at all: the reader stops once past the limit.
    const outcomes = path.join(two, 'outcomes.csv');
    fs.writeFileSync(outcomes, 'x'.repeat(1024 * 1024));
    expect(usageErrorMessage(() => mergeReports([one, two], out, { ...noSecrets, limits }))).toBe(
      `${outcomes}: the record starting on line 1 is over 65536 bytes, which no report of customer-sync has; is ${two} the report folder of a shard?`,
    );
    fs.writeFileSync(outcomes, `row,line,username,outcome,reason,changedFields\n${','.repeat(200)}\n`);
    expect(usageErrorMessage(() => mergeReports([one, two], out, { ...noSecrets, limits }))).toBe(
      `${outcomes}: the record starting on line 2 has more than 100 fields, which no report of customer-sync has; is ${two} the report folder of a shard?`,
    );
    const json = path.join(one, 'report.json');
    fs.writeFileSync(json, `{"pad": "${' '.repeat(16 * 1024)}"}`);
    expect(usageErrorMessage(() => mergeReports([one, two], out, { ...noSecrets, limits }))).toBe(
      `${json} is larger than 8192 bytes, which no report.json of customer-sync is; is ${one} the report folder of a shard?`,
    );
    expect(fs.existsSync(out)).toBe(false);
  });

  it('reads records across chunks, quoted line breaks and a byte order mark as csv-parse does', () => {
    const dir = path.join(temp.dir, 'plain');
    fs.mkdirSync(dir);
    const long = 'y'.repeat(300 * 1024);
    fs.writeFileSync(path.join(dir, 'x.csv'), `\uFEFFa,b\n"multi\nline","q""uote"\n${long},z\nlast,row`);
    const records = [...(openReportFile(dir, 'x.csv')?.records() ?? [])];
    expect(records).toEqual([
      ['a', 'b'],
      ['multi\nline', 'q"uote'],
      [long, 'z'],
      ['last', 'row'],
    ]);
  });
});
