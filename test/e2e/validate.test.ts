import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/runCli.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

/** `validate`: everything that needs no network, with the same report files; rows that pass count as `valid`. */
describe('validate', () => {
  const ws = makeWorkspace();
  afterAll(() => ws.remove());
  const validate = (name: string, content: string | Buffer, ...extra: string[]) =>
    runCli([
      'validate',
      ws.write(`${name}.csv`, content),
      '--report-dir',
      ws.path(name),
      '--retailer-id',
      '1',
      ...extra,
    ]);

  it('needs no OMS and no credentials, and counts passing rows as valid', async () => {
    const result = await validate('clean', 'primaryEmail,firstName\nann@example.com,Ann\nbob@example.com,Bob\n');
    expect(result.code).toBe(0);
    expect(readReport(ws.path('clean'))).toMatchObject({ mode: 'validate', totals: { read: 2, valid: 2 } });
    expect(fs.existsSync(ws.path('clean', 'diff.csv'))).toBe(false);
  });

  it('reads a semicolon- or tab-delimited export and says so', async () => {
    for (const [name, sep] of [
      ['semicolon', ';'],
      ['tab', '\t'],
    ] as const) {
      const result = await validate(name, `primaryEmail${sep}firstName\nann@example.com${sep}Ann, Jr\n`);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/delimited/);
      expect(readReport(ws.path(name)).totals.valid).toBe(1);
    }
  });

  it('rejects a row with bytes that are not UTF-8, naming the column; --encoding latin1 reads it right', async () => {
    const bytes = Buffer.concat([
      Buffer.from('primaryEmail,firstName,lastName\nann@example.com,Ren'),
      Buffer.from([0xe9]),
      Buffer.from('e,Lee\nbob@example.com,Bob,Ng\n'),
    ]);
    const result = await validate('latin', bytes);
    expect(result.code).toBe(1);
    const outcomes = readCsv(ws.path('latin', 'outcomes.csv'));
    expect(outcomes[0]).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringMatching(/firstName.*not valid UTF-8/),
    });
    expect(outcomes[1]?.outcome).toBe('valid');

    const decoded = await validate('latin-ok', bytes, '--encoding', 'latin1');
    expect(decoded.code).toBe(0);
  });

  it('rejects ragged rows and a 1 MB cell with reasons, and keeps going', async () => {
    const huge = 'x'.repeat(1024 * 1024);
    const result = await validate(
      'ragged',
      `primaryEmail,firstName,lastName\nann@example.com,Ann\nbob@example.com,Bob,Ng,extra\ncat@example.com,${huge},Lee\ndan@example.com,Dan,Ho\n`,
    );
    expect(result.code).toBe(1);
    const outcomes = readCsv(ws.path('ragged', 'outcomes.csv'));
    expect(outcomes.map((o) => o.outcome)).toEqual(['rejected', 'rejected', 'rejected', 'valid']);
    expect(outcomes[0]?.reason).toMatch(/2 columns; the header has 3/);
    expect(outcomes[1]?.reason).toMatch(/4 columns; the header has 3/);
    expect(outcomes[2]?.reason).toMatch(/firstName is 1048576 characters; Fluent allows at most 50/);
  });

  it('finds in-file duplicates: identical rows collapse, differing ones are rejected by default', async () => {
    const csv =
      'primaryEmail,firstName\nann@example.com,Ann\nANN@example.com ,Ann\nbob@example.com,Bob\nbob@example.com,Robert\n';
    const result = await validate('dups', csv);
    expect(result.code).toBe(1);
    const outcomes = readCsv(ws.path('dups', 'outcomes.csv'));
    expect(outcomes.map((o) => o.outcome)).toEqual(['valid', 'duplicate', 'rejected', 'rejected']);
    expect(outcomes[2]?.reason).toMatch(/rows 3, 4/);

    const last = await validate('dups-last', csv, '--on-duplicate', 'last');
    expect(last.code).toBe(0);
    const kept = readCsv(ws.path('dups-last', 'outcomes.csv'));
    expect(kept.map((o) => o.outcome)).toEqual(['valid', 'duplicate', 'duplicate', 'valid']);
    expect(kept[2]?.reason).toMatch(/row 4 is kept/);
  });

  it('--shard K/N splits usernames between shards without overlap', async () => {
    const lines = ['primaryEmail'];
    for (let i = 0; i < 60; i++) lines.push(`user${i}@example.com`);
    const csv = `${lines.join('\n')}\n`;
    const taken = new Set<string>();
    for (const k of [1, 2, 3]) {
      const result = await validate(`shard${k}`, csv, '--shard', `${k}/3`);
      expect(result.code).toBe(0);
      const mine = readCsv(ws.path(`shard${k}`, 'outcomes.csv')).filter((o) => o.outcome === 'valid');
      expect(mine.length).toBeGreaterThan(5);
      for (const o of mine) {
        expect(taken.has(o.username ?? '')).toBe(false);
        taken.add(o.username ?? '');
      }
    }
    expect(taken.size).toBe(60);
  });

  it('--redact masks personal data in every report file but keeps the totals', async () => {
    const csv = 'primaryEmail,firstName,lastName\nann.lee@example.com,Ann,Lee\nnot-an-email,Bob,Ng\n';
    const result = await validate('redact', csv, '--redact');
    expect(result.code).toBe(1);
    expect(readReport(ws.path('redact')).totals).toMatchObject({ read: 2, valid: 1, rejected: 1 });
    for (const name of ['outcomes.csv', 'rejects.csv', 'report.html', 'report.json']) {
      const text = fs.readFileSync(ws.path('redact', name), 'utf8');
      for (const pii of ['ann.lee', 'not-an-email', 'Bob', 'Ng,']) expect(text, `${pii} in ${name}`).not.toContain(pii);
    }
    const outcomes = readCsv(ws.path('redact', 'outcomes.csv'));
    expect(outcomes[0]?.username).toMatch(/^1\*\*\*@example\.com#[0-9a-f]{6}$/);
  });

  it('--log-format json writes one JSON object per log line, for log shippers', async () => {
    const result = await validate(
      'json-log',
      'primaryEmail;firstName\nann@example.com;Ann\n',
      '--log-format',
      'json',
      '--verbose',
    );
    expect(result.code).toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(JSON.parse(line)).toMatchObject({ level: expect.any(String), message: expect.any(String) });
    expect(lines.some((line) => /delimited/.test(line))).toBe(true);
  });
});
