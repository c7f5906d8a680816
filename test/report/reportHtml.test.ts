import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/writeReport.js';
import type { DiffLine, RowOutcome } from '../../src/types.js';
import { aDiff, anOutcome, aReport, aTempDir, noSecrets } from './reportBuilders.js';

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
  it('loads nothing remote: one inline script, allowed by its hash alone, and only relative links to report files', () => {
    const html = htmlOf(aReport('dry-run', [anOutcome(1, 'created'), anOutcome(2, 'rejected')]));
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<link|<img|<iframe|@import|url\(|<script [^>]*src/i);
    const targets = [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1]);
    expect(new Set(targets)).toEqual(new Set(['outcomes.csv', 'rejects.csv', 'diff.csv', 'review.csv', 'report.json']));
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1] as string);
    expect(scripts).toHaveLength(1);
    const hash = crypto
      .createHash('sha256')
      .update(scripts[0] as string)
      .digest('base64');
    const csp = /Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1];
    expect(csp).toBe(`default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${hash}'`);
    // Without the script the filters stay hidden and every row shows.
    expect(html.match(/<div class="filters" data-for="[^"]+" hidden>/g)?.length).toBeGreaterThan(0);
  });

  it('escapes untrusted cells, so a <script> in the data stays text', () => {
    const evil = '<script>alert(1)</script>';
    const diffs: DiffLine[] = [
      aDiff({ username: '1_x@example.com', field: 'firstName', before: evil, after: '"><img>' }, `${evil}'`),
    ];
    const html = htmlOf(
      aReport('apply', [anOutcome(1, 'rejected', { username: evil, reason: `firstName "${evil}" is odd` })], {
        diffs: () => diffs,
        summary: { runId: '<b>run</b>', unmappedColumns: ['<i>col</i>'], options: { note: '</style>' } },
      }),
    );
    expect(html.match(/<script>/g)).toHaveLength(1);
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
    expect(attention.match(/<tr data-outcome="rejected"><td class="num">\d+<\/td>/g)).toHaveLength(10_000);
    expect(attention).toContain('user10000@example.com');
    expect(attention).not.toContain('user10001@example.com');
    expect(textOf(attention)).toContain(
      'Showing the first 10,000 of 10,050 rows needing attention. The full list is in outcomes.csv',
    );
    const lines = fs.readFileSync(path.join(temp.dir, 'outcomes.csv'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(10_051);
  });

  it('holds at most 10,000 changed customers and points to diff.csv for the rest', () => {
    const diffs: DiffLine[] = [];
    for (let index = 1; index <= 10_050; index++) {
      const username = `1_user${index}@example.com`;
      diffs.push(aDiff({ username, field: 'lastName', before: null, after: 'Smith' }));
      diffs.push(aDiff({ username, field: 'firstName', before: null, after: 'Ann' }));
    }
    const html = htmlOf(aReport('dry-run', [anOutcome(1, 'updated')], { diffs: () => diffs }));
    const changes = html.slice(html.indexOf('id="changes"'), html.indexOf('id="speed"'));
    expect(changes.match(/<tr data-fields=/g)).toHaveLength(10_000);
    expect(textOf(changes)).toContain(
      'Showing the first 10,000 of 10,050 customers (20,100 changed fields). The full list is in diff.csv',
    );
  });

  it("lists a first import one line per customer, its fields in columns, with the file's cell where it was read otherwise", () => {
    const diffs: DiffLine[] = [
      aDiff({ username: '1_ann@example.com', field: 'username', before: null, after: '1_ann@example.com' }),
      aDiff({ username: '1_ann@example.com', field: 'firstName', before: null, after: 'Ann' }),
      aDiff(
        { username: '1_ann@example.com', field: 'primaryPhone', before: null, after: '+5551964699044' },
        '0055 519 646 99044',
      ),
      aDiff({ username: '1_ann@example.com', field: 'promotionOptIn', before: null, after: true }, 'Ja'),
      aDiff({ username: '1_bob@example.com', field: 'username', before: null, after: '1_bob@example.com' }),
      aDiff({ username: '1_bob@example.com', field: 'country', before: null, after: 'DE' }, 'Deutschland'),
      aDiff({ username: '1_cy@example.com', field: 'lastName', before: 'Old', after: 'New' }),
    ];
    const html = htmlOf(aReport('apply', [anOutcome(1, 'created')], { diffs: () => diffs }));
    const changes = html.slice(html.indexOf('id="changes"'), html.indexOf('id="normalised"'));
    const header = /<table class="rows changes" id="change-rows"><thead><tr>(.*?)<\/tr>/.exec(changes)?.[1] ?? '';
    expect(textOf(header).trim()).toBe('Username First name Last name Phone Promotions opt-in Country');
    const lines = [...changes.matchAll(/<tr data-fields="([^"]*)">(.*?)<\/tr>/g)];
    expect(lines.map((line) => line[1])).toEqual([
      '|username|firstName|primaryPhone|promotionOptIn|',
      '|username|country|',
      '|lastName|',
    ]);
    expect(textOf(lines[0]?.[2] ?? '').trim()).toBe(
      '1_ann@example.com Ann +5551964699044 file: 0055 519 646 99044 yes file: Ja',
    );
    expect(textOf(lines[1]?.[2] ?? '').trim()).toBe('1_bob@example.com DE file: Deutschland');
    expect(lines[2]?.[2]).toContain('<del>Old</del> → <span class="after">New</span>');
    const counts = /<table class="fields" id="field-counts">(.*?)<\/table>/s.exec(changes)?.[1] ?? '';
    expect(textOf(counts)).toContain('First name 1 Last name 1 Phone 1 Promotions opt-in 1 Country 1');
  });

  it('names who a row without a username is, groups rejects by value, and lists the values to check', () => {
    const outcomes = [
      anOutcome(1, 'rejected', {
        username: '',
        reason: 'country "Deutschland" is not a country (row of primaryEmail "ann@example.com", firstName "Ann")',
      }),
      anOutcome(2, 'created'),
    ];
    const html = htmlOf(
      aReport('apply', outcomes, {
        rejectedValues: () => [{ field: 'country', value: 'Deutschland', rows: 15, example: 1 }],
        review: () => [
          {
            row: 2,
            username: '1_user2@example.com',
            field: 'primaryPhone',
            input: '04 61 80 07 28',
            written: '+61461800728',
            rule: 'phoneAssumedCountry',
          },
        ],
        summary: { normalised: { phoneReformatted: 3, countryTranslated: 0, optInWord: 2 } },
      }),
    );
    const rows = html.slice(html.indexOf('id="attention-rows"'), html.indexOf('id="review"'));
    expect(rows).toContain(
      '<td><span class="who">primaryEmail &quot;ann@example.com&quot;, firstName &quot;Ann&quot;</span></td>',
    );
    expect(rows).toContain('<td>country &quot;Deutschland&quot; is not a country</td>');
    expect(textOf(html)).toContain('country “Deutschland” ×15');
    const review = textOf(html.slice(html.indexOf('id="review"'), html.indexOf('id="changes"')));
    expect(review).toContain('were written');
    expect(review).toContain(
      '2 1_user2@example.com Phone 04 61 80 07 28 +61461800728 Phone number read as a number of the default country',
    );
    const normalised = textOf(html.slice(html.indexOf('id="normalised"'), html.indexOf('id="speed"')));
    expect(normalised).toContain('Phone number rewritten in international form (E.164) 3');
    expect(normalised).toContain('Opt-in word read as yes or no 2');
    expect(normalised).not.toContain('ISO code');
    expect(html).toContain('href="review.csv"');
  });

  it('adds no truncation note when everything fits', () => {
    const html = htmlOf(aReport('apply', [anOutcome(1, 'rejected')]));
    expect(html).not.toContain('Showing the first');
  });
});
