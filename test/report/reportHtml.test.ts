import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/writeReport.js';
import type { FieldChange, RowOutcome } from '../../src/types.js';
import { anOutcome, aReport, aTempDir, noSecrets } from './reportBuilders.js';

let temp: ReturnType<typeof aTempDir>;
beforeEach(() => {
  temp = aTempDir();
});
afterEach(() => temp.cleanup());

function htmlOf(report: ReturnType<typeof aReport>): string {
  writeReport(temp.dir, report, noSecrets);
  return fs.readFileSync(path.join(temp.dir, 'report.html'), 'utf8');
}

/** Visible text, roughly: tags dropped, whitespace collapsed. */
const textOf = (html: string): string =>
  html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

describe('report.html', () => {
  it('loads nothing remote: no script, and every src/href is a relative link to a report file', () => {
    const html = htmlOf(aReport('dry-run', [anOutcome(1, 'created'), anOutcome(2, 'rejected')]));
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    const targets = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1]);
    expect(new Set(targets)).toEqual(new Set(['outcomes.csv', 'rejects.csv', 'diff.csv', 'report.json']));
    expect(html).toContain('Content-Security-Policy" content="default-src \'none\'');
  });

  it('escapes untrusted cells, so a <script> in the data stays text', () => {
    const evil = '<script>alert(1)</script>';
    const diffs: FieldChange[] = [{ username: '1_x@example.com', field: 'firstName', before: evil, after: '"><img>' }];
    const html = htmlOf(
      aReport('apply', [anOutcome(1, 'rejected', { username: evil, reason: `firstName "${evil}" is odd` })], {
        diffs: () => diffs,
        summary: { runId: '<b>run</b>', unmappedColumns: ['<i>col</i>'], options: { note: '</style>' } },
      }),
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img>');
    expect(html).not.toContain('<b>run</b>');
    expect(html).not.toContain('<i>col</i>');
    expect(html.match(/<\/style>/g)).toHaveLength(1);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('speaks of what would happen in a dry run and of what happened in a sync', () => {
    const outcomes = [
      anOutcome(1, 'created'),
      anOutcome(2, 'created'),
      anOutcome(3, 'created'),
      anOutcome(4, 'updated'),
    ];
    const dryRun = textOf(htmlOf(aReport('dry-run', outcomes)));
    expect(dryRun).toContain('3 customers would be created');
    expect(dryRun).toContain('1 customer would be updated');
    expect(dryRun).toContain('nothing was changed in the OMS');
    const apply = textOf(htmlOf(aReport('apply', outcomes)));
    expect(apply).toContain('3 customers were created');
    expect(apply).toContain('1 customer was updated');
  });

  it('shows the totals, the charts, the top reasons and the input file', () => {
    const outcomes = [
      anOutcome(1, 'created'),
      anOutcome(2, 'rejected', { reason: 'primaryEmail "a@" is not valid' }),
      anOutcome(3, 'rejected', { reason: 'primaryEmail "b@" is not valid' }),
    ];
    const html = htmlOf(
      aReport('apply', outcomes, {
        throughput: [
          { elapsedMs: 1000, done: 1 },
          { elapsedMs: 2000, done: 3 },
        ],
      }),
    );
    const text = textOf(html);
    expect(text).toContain('3 rows read');
    expect(text).toContain('2 rows were rejected');
    expect(text).toContain('2 rows need attention');
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('primaryEmail &quot;…&quot; is not valid');
    expect(text).toContain('legacy-crm.csv');
    expect(text).toContain('a'.repeat(64));
    expect(text).toContain('2 min 13 s');
  });

  it('says plainly when a run stopped early, and why', () => {
    const html = htmlOf(
      aReport('apply', [anOutcome(1, 'created')], {
        summary: { status: 'aborted', abortReason: 'the OMS is unreachable' },
      }),
    );
    const text = textOf(html);
    expect(text).toContain('This run stopped early: the OMS is unreachable');
    expect(text).toContain('resumes where it stopped');
  });

  it('renders an empty run without charts or tables', () => {
    const text = textOf(htmlOf(aReport('validate', [])));
    expect(text).toContain('0 rows read');
    expect(text).toContain('The file had no data rows');
    expect(text).toContain('No rows were read');
    expect(text).toContain('validation does not contact the OMS');
  });

  it('holds at most 10,000 rows needing attention and points to the CSVs for the rest', () => {
    const outcomes: RowOutcome[] = [];
    for (let row = 1; row <= 10_050; row++) outcomes.push(anOutcome(row, 'rejected'));
    const html = htmlOf(aReport('apply', outcomes));
    const attention = html.slice(html.indexOf('id="attention"'), html.indexOf('id="changes"'));
    expect(attention.match(/<tr><td class="num">\d+<\/td><td class="num">/g)).toHaveLength(10_000);
    expect(attention).toContain('user10000@example.com');
    expect(attention).not.toContain('user10001@example.com');
    expect(textOf(attention)).toContain(
      'Showing the first 10,000 of 10,050 rows needing attention. The full list is in outcomes.csv',
    );
    const lines = fs.readFileSync(path.join(temp.dir, 'outcomes.csv'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(10_051);
  });

  it('holds at most 10,000 changes and points to diff.csv for the rest', () => {
    const diffs: FieldChange[] = [];
    for (let index = 1; index <= 10_050; index++) {
      diffs.push({ username: `1_user${index}@example.com`, field: 'lastName', before: null, after: 'Smith' });
    }
    const html = htmlOf(aReport('dry-run', [anOutcome(1, 'updated')], { diffs: () => diffs }));
    const changes = html.slice(html.indexOf('id="changes"'), html.indexOf('id="speed"'));
    expect(changes.match(/<tr><td>/g)).toHaveLength(10_000);
    expect(textOf(changes)).toContain('Showing the first 10,000 of 10,050 changes. The full list is in diff.csv');
  });

  it('adds no truncation note when everything fits', () => {
    const html = htmlOf(aReport('apply', [anOutcome(1, 'rejected')]));
    expect(html).not.toContain('Showing the first');
  });
});
