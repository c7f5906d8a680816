import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { type InputSource, type ReadOptions, readRows } from '../../src/read/readRows.js';
import { SPOOL_PREFIX, sweepSpoolFolders } from '../../src/read/spoolToPrivateFile.js';
import type { RawRow } from '../../src/types.js';
import {
  declareSize,
  sharedStringsXml,
  sheetXml,
  stylesXml,
  workbookParts,
  zipParts,
} from '../helpers/craftWorkbook.js';

let dir: string;
let tempDir: string;
let savedTmp: string | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'read-xlsx-'));
  // The reader's own temp folder, watched: nothing of a workbook may be left in it, or even linger there.
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'read-xlsx-tmp-'));
  savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = tempDir;
});
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(tempDir, { recursive: true, force: true });
});

function aFile(content: Buffer, name = 'book.xlsx'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

function fromStdin(content: Buffer, options: Partial<ReadOptions> = {}) {
  const stdin = new PassThrough();
  stdin.end(content);
  return readRows('-', { encoding: 'utf8', stdin, ...options });
}

async function collect(source: InputSource): Promise<RawRow[]> {
  const rows: RawRow[] = [];
  for await (const row of source.rows) rows.push(row);
  return rows;
}

async function usageErrorOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  expect((error as Error).message).not.toContain('\n');
  return (error as Error).message;
}

/** Customers as Excel stores them: every text a shared string, the strings and styles after the sheet. */
async function anExcelWorkbook(): Promise<Buffer> {
  const strings = sharedStringsXml([
    '<t>primaryEmail</t>',
    '<t>firstName</t>',
    '<t>joined</t>',
    '<t>note</t>',
    '<t>ann@example.com</t>',
    // Rich text: the runs joined; the phonetic guide is not part of the text.
    '<r><rPr><b/></rPr><t>An</t></r><r><t xml:space="preserve">n </t></r><rPh sb="0" eb="1"><t>アン</t></rPh>',
    '<t>Zoë &amp; Ångström</t>',
    '<t>line_x000D_\nbreak</t>',
  ]);
  const sheet = sheetXml([
    '<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c>',
    '<c r="A2" t="s"><v>4</v></c><c r="B2" t="s"><v>5</v></c><c r="C2" s="1"><v>45291</v></c><c r="D2" t="s"><v>7</v></c>',
    '',
    // No references: each cell after the one before it. A custom date-time format, an inline string, an error.
    '<c t="inlineStr"><is><t>bob@example.com</t></is></c><c t="s"><v>6</v></c><c s="2"><v>45351.354166666664</v></c><c t="e"><v>#N/A</v></c>',
    '<c r="A5" t="str"><f>LOWER("JOE@EXAMPLE.COM")</f><v>joe@example.com</v></c><c r="B5" t="b"><v>1</v></c><c r="C5" t="d"><v>2024-03-01T10:00:00</v></c><c r="D5"><v>0.30000000000000004</v></c>',
  ]);
  return zipParts(
    workbookParts([['Customers', sheet]], { sharedStrings: strings, styles: stylesXml([0, 14, 'yyyy-mm-dd hh:mm']) }),
  );
}

const EXPECTED_ROWS: RawRow[] = [
  { row: 1, line: 2, cells: ['ann@example.com', 'Ann ', '2023-12-31', 'line\r\nbreak'] },
  { row: 2, line: 4, cells: ['bob@example.com', 'Zoë & Ångström', '2024-02-29T08:30:00', ''] },
  { row: 3, line: 5, cells: ['joe@example.com', 'TRUE', '2024-03-01T10:00:00', '0.3'] },
];

describe('readRows: workbooks in any order of parts', () => {
  it('reads a workbook whose sheet comes before its strings (Excel’s order), leaving nothing in the temp folder', async () => {
    const workbook = await anExcelWorkbook();
    for (const open of [() => readRows(aFile(workbook), { encoding: 'utf8' }), () => fromStdin(workbook)]) {
      const source = await open();
      expect(source.format).toBe('xlsx');
      expect(source.header).toEqual(['primaryEmail', 'firstName', 'joined', 'note']);
      expect(fs.readdirSync(tempDir)).toEqual([]);
      expect(await collect(source)).toEqual(EXPECTED_ROWS);
      expect(source.digest()).toMatchObject({ bytes: workbook.length, complete: true });
      expect(fs.readdirSync(tempDir)).toEqual([]);
    }
  });

  it('counts dates from 1904 when the workbook says so', async () => {
    const sheet = sheetXml(['<c r="A1" t="inlineStr"><is><t>joined</t></is></c>', '<c r="A2" s="1"><v>0</v></c>']);
    const workbook = await zipParts(workbookParts([['S', sheet]], { styles: stylesXml([0, 14]), date1904: true }));
    expect((await collect(await readRows(aFile(workbook), { encoding: 'utf8' })))[0]?.cells).toEqual(['1904-01-01']);
  });
});

describe('readRows: what a workbook may cost', () => {
  const header = '<c r="A1" t="s"><v>0</v></c>';

  it('refuses a workbook whose parts declare more than the limit, before decompressing any of them', async () => {
    const workbook = await zipParts(
      workbookParts([['S', sheetXml([header])]], { sharedStrings: sharedStringsXml(['<t>a</t>']) }),
    );
    const file = aFile(declareSize(workbook, 'xl/sharedStrings.xml', 3_000_000_000));
    const started = Date.now();
    expect(await usageErrorOf(readRows(file, { encoding: 'utf8' }))).toBe(
      `${file} is an Excel workbook whose parts decompress to over 2 GB, more than this tool reads from one; save the sheet as CSV (gzip it if it is large)`,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses a part that decompresses to more than it declares, counting as it inflates', async () => {
    const strings = sharedStringsXml(Array.from({ length: 50_000 }, () => '<t>zip bomb</t>'));
    const workbook = await zipParts(workbookParts([['S', sheetXml([header])]], { sharedStrings: strings }));
    const file = aFile(declareSize(workbook, 'xl/sharedStrings.xml', 1_000));
    expect(await usageErrorOf(readRows(file, { encoding: 'utf8' }))).toBe(
      `${file} cannot be read as an Excel workbook (.xlsx): its part xl/sharedStrings.xml decompresses to more than the 1000 bytes it declares`,
    );
  });

  it('refuses more shared strings, or more of their text, than the limits, from a file or standard input', async () => {
    const strings = sharedStringsXml(Array.from({ length: 101 }, (_, i) => `<t>${String(i).padStart(20, '0')}</t>`));
    const workbook = await zipParts(workbookParts([['S', sheetXml([header])]], { sharedStrings: strings }));
    const file = aFile(workbook);
    expect(await usageErrorOf(readRows(file, { encoding: 'utf8', xlsxLimits: { sharedStrings: 100 } }))).toBe(
      `${file} holds more than 100 shared strings (distinct texts), more than this tool reads from a workbook; save the sheet as CSV`,
    );
    const bytes = { xlsxLimits: { sharedStringBytes: 2 * 1024 * 1024, inflatedBytes: 64 * 1024 * 1024 } };
    const big = sharedStringsXml(Array.from({ length: 3 }, () => `<t>${'x'.repeat(1024 * 1024)}</t>`));
    const large = await zipParts(workbookParts([['S', sheetXml([header])]], { sharedStrings: big }));
    expect(await usageErrorOf(fromStdin(large, bytes))).toBe(
      'standard input holds over 2 MB of shared strings (distinct texts), more than this tool reads from a workbook; save the sheet as CSV',
    );
    expect(await usageErrorOf(readRows(file, { encoding: 'utf8', xlsxLimits: { inflatedBytes: 1_000 } }))).toMatch(
      /decompress to over 1000 bytes/,
    );
    expect(await usageErrorOf(fromStdin(large, { xlsxLimits: { spooledBytes: 1_000 } }))).toBe(
      'standard input holds a workbook of over 1000 bytes, more than this tool reads from standard input; name the file instead',
    );
    expect(fs.readdirSync(tempDir)).toEqual([]);
  });

  it('refuses a cell past Excel’s last column and a shared string the workbook lacks, naming the row', async () => {
    const wide = await zipParts(
      workbookParts([['S', sheetXml(['<c r="A1" t="inlineStr"><is><t>a</t></is></c>', '<c r="XFE2"><v>1</v></c>'])]]),
    );
    const file = aFile(wide);
    expect(await usageErrorOf(readRows(file, { encoding: 'utf8' }).then(collect))).toBe(
      `${file}: row 2 of sheet "S" has more than 16384 cells`,
    );
    const missing = await zipParts(
      workbookParts([['S', sheetXml([header, '<c r="A2" t="s"><v>7</v></c>'])]], {
        sharedStrings: sharedStringsXml(['<t>a</t>']),
      }),
    );
    const other = aFile(missing, 'missing.xlsx');
    expect(await usageErrorOf(readRows(other, { encoding: 'utf8' }).then(collect))).toBe(
      `${other}: row 2 of sheet "S" refers to shared string 7, which the workbook lacks`,
    );
  });
});

describe('sweepSpoolFolders', () => {
  it('removes only old, private folders of ours named as spool folders, never following a link', () => {
    const old = Date.now() / 1000 - 3600;
    const make = (name: string, mode = 0o700) => {
      const folder = path.join(tempDir, name);
      fs.mkdirSync(folder, { mode });
      fs.chmodSync(folder, mode);
      return folder;
    };
    const stale = make(`${SPOOL_PREFIX}stale`);
    fs.writeFileSync(path.join(stale, 'spool'), 'phones');
    fs.utimesSync(stale, old, old);
    const fresh = make(`${SPOOL_PREFIX}fresh`);
    const shared = make(`${SPOOL_PREFIX}shared`, 0o755);
    fs.utimesSync(shared, old, old);
    const victim = make('victim');
    fs.writeFileSync(path.join(victim, 'keep'), 'data');
    fs.symlinkSync(victim, path.join(tempDir, `${SPOOL_PREFIX}link`));
    const otherName = make('other');
    fs.utimesSync(otherName, old, old);

    sweepSpoolFolders(tempDir);

    expect(fs.readdirSync(tempDir).sort()).toEqual(
      [`${SPOOL_PREFIX}fresh`, `${SPOOL_PREFIX}link`, `${SPOOL_PREFIX}shared`, 'other', 'victim'].sort(),
    );
    expect(fs.readFileSync(path.join(victim, 'keep'), 'utf8')).toBe('data');
    expect(fs.existsSync(fresh)).toBe(true);
  });
});
