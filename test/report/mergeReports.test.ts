import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { mergeReports } from '../../src/report/mergeReports.js';
import { writeReport } from '../../src/report/writeReport.js';
import type { FieldChange, RowOutcome } from '../../src/types.js';
import { anOutcome, aReport, aTempDir, noSecrets } from './reportBuilders.js';

let temp: ReturnType<typeof aTempDir>;
beforeEach(() => {
  temp = aTempDir();
});
afterEach(() => temp.cleanup());

const read = (dir: string, name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
const other = (row: number, owner: number, count = 2) =>
  anOutcome(row, 'skipped', { reason: `belongs to shard ${owner}/${count}` });

/** Row 2 of the file: rejected, with a phone, a formula-like name and a quote in its cells. */
const REJECTED_CELLS = ['=cmd@x', '-Bob "B"', '+61412345678'];
const phoneDiff: FieldChange = {
  username: '1_ann@example.com',
  field: 'primaryPhone',
  before: null,
  after: '+61400000001',
};
const optInDiff: FieldChange = { username: '1_cy@example.com', field: 'promotionOptIn', before: false, after: true };

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
      summary: { options: { retailerId: '1', shard: `${index}/2` }, runId: `run-${index}`, ...summary },
    }),
    noSecrets,
  );
  return dir;
}

function twoShards() {
  const one = writeShard(
    'one',
    1,
    [anOutcome(1, 'created', { username: '=1_ann@example.com' }), other(2, 2), anOutcome(3, 'updated'), other(4, 2)],
    {
      diffs: () => [phoneDiff],
      missing: () => [{ username: '1_gone@example.com', id: '5', primaryEmail: null }],
      summary: { missing: { count: 1, complete: true } },
    },
  );
  const two = writeShard(
    'two',
    2,
    [
      other(1, 1),
      anOutcome(2, 'rejected', { username: '', reason: 'primaryEmail "=cmd@x" is not valid' }),
      other(3, 1),
      anOutcome(4, 'created', { username: '1_cy@example.com' }),
    ],
    {
      rejects: () => [{ row: 2, cells: REJECTED_CELLS, reason: 'primaryEmail "=cmd@x" is not valid' }],
      diffs: () => [optInDiff],
      missing: () => [],
      summary: {
        status: 'aborted',
        abortReason: 'stopped by SIGTERM',
        startedAt: '2024-05-01T01:59:00.000Z',
        missing: { count: 0, complete: true },
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
    expect(read(out, 'diff.csv').split('\n').slice(1, 3)).toEqual([
      '1_ann@example.com,primaryPhone,,+61400000001',
      '1_cy@example.com,promotionOptIn,false,true',
    ]);
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
    const third = writeShard('third', 1, [anOutcome(1, 'created')], { summary: { options: { shard: '1/3' } } });
    expect(() => mergeReports([one, two, third], out, noSecrets)).toThrow(/is shard 1\/3 but .* is shard 1\/2/);
    expect(() => mergeReports([one, two], two, noSecrets)).toThrow(/is the report of shard 2\/2/);
    expect(() => mergeReports([one], out, noSecrets)).toThrow('shard 2/2 is missing');
    expect(fs.existsSync(out)).toBe(false);
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

  it('reads no report file through a symlink', () => {
    const { one, two } = twoShards();
    const outcomes = path.join(two, 'outcomes.csv');
    fs.renameSync(outcomes, path.join(temp.dir, 'elsewhere.csv'));
    fs.symlinkSync(path.join(temp.dir, 'elsewhere.csv'), outcomes);
    expect(() => mergeReports([one, two], path.join(temp.dir, 'out'), noSecrets)).toThrow(
      /cannot read .*outcomes.csv: it is a symbolic link/,
    );
  });
});
