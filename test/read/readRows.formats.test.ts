import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, UsageError } from '../../src/errors.js';
import { type InputSource, type ReadOptions, readRows } from '../../src/read/readRows.js';
import type { RawRow } from '../../src/types.js';

let dir: string;
let counter = 0;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'read-formats-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function aFile(content: string | Buffer, name = `input-${++counter}.csv`): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

async function collect(source: InputSource): Promise<RawRow[]> {
  const rows: RawRow[] = [];
  for await (const row of source.rows) rows.push(row);
  return rows;
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).not.toContain('\n');
  return error as Error;
}

async function usageErrorOf(promise: Promise<unknown>): Promise<string> {
  const error = await errorOf(promise);
  expect(error).toBeInstanceOf(UsageError);
  return error.message;
}

/** An .xlsx built with exceljs's writer: sheets in tab order, each a list of rows (undefined leaves a row empty). */
async function aWorkbook(sheets: Record<string, (unknown[] | undefined)[]>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const sheet = workbook.addWorksheet(name);
    rows.forEach((row, index) => {
      if (row) sheet.getRow(index + 1).values = row as ExcelJS.CellValue[];
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Reads `-` from a stream the test controls, as the CLI reads its standard input. */
function fromStdin(content: Buffer | string, options: Partial<ReadOptions> = {}) {
  const stdin = new PassThrough();
  stdin.end(content);
  return readRows('-', { encoding: 'utf8', stdin, ...options });
}

const CUSTOMERS_CSV =
  'primaryEmail,firstName,lastName,notes\n' +
  'ann@example.com,Ann,Lee,\n' +
  '\n' +
  'bob@example.com,Bob,"Ng, Jr",two\n' +
  'zoe@example.com,Zoë,Ångström,\n';

/** The same customers as a worksheet: the blank line is an empty row, so lines match too. */
const CUSTOMERS_SHEET = [
  ['primaryEmail', 'firstName', 'lastName', 'notes'],
  ['ann@example.com', 'Ann', 'Lee'],
  undefined,
  ['bob@example.com', 'Bob', 'Ng, Jr', 'two'],
  ['zoe@example.com', 'Zoë', 'Ångström'],
];

describe('readRows: the same customers from every format', () => {
  it('gives the same header, rows, cells and lines from .csv, .csv.gz, .xlsx and standard input', async () => {
    const csv = await readRows(aFile(CUSTOMERS_CSV), { encoding: 'utf8' });
    const expected = await collect(csv);
    expect(expected.map((r) => r.line)).toEqual([2, 4, 5]);

    const gz = await readRows(aFile(gzipSync(CUSTOMERS_CSV), 'customers.csv.gz'), { encoding: 'utf8' });
    const xlsx = await readRows(aFile(await aWorkbook({ Customers: CUSTOMERS_SHEET }), 'customers.xlsx'), {
      encoding: 'utf8',
    });
    const stdin = await fromStdin(CUSTOMERS_CSV);
    const stdinGz = await fromStdin(gzipSync(CUSTOMERS_CSV));
    for (const source of [gz, xlsx, stdin, stdinGz]) {
      expect(source.header).toEqual(csv.header);
      expect(await collect(source)).toEqual(expected);
    }
    expect([csv, gz, xlsx, stdin, stdinGz].map((s) => s.format)).toEqual(['csv', 'csv.gz', 'xlsx', 'csv', 'csv.gz']);
    expect(xlsx.sheet).toBe('Customers');
  });

  it('hashes the bytes as given: the compressed file, the workbook, what came on standard input', async () => {
    const compressed = gzipSync(CUSTOMERS_CSV);
    const workbook = await aWorkbook({ Customers: CUSTOMERS_SHEET });
    const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    for (const [source, bytes] of [
      [await readRows(aFile(compressed), { encoding: 'utf8' }), compressed],
      [await readRows(aFile(workbook), { encoding: 'utf8' }), workbook],
      [await fromStdin(compressed), compressed],
    ] as const) {
      await collect(source);
      expect(source.digest()).toEqual({ sha256: sha(bytes), bytes: bytes.length, complete: true });
    }
  });
});

describe('readRows: gzip', () => {
  it('is found by its magic bytes whatever the name, and counts lines of the decompressed text', async () => {
    const text = `a,b\n"multi\nline",1\n${'x,y\n'.repeat(30_000)}last,row\n`;
    const source = await readRows(aFile(gzipSync(text), 'plain-looking.csv'), { encoding: 'utf8', highWaterMark: 512 });
    const rows = await collect(source);
    expect(source.format).toBe('csv.gz');
    expect(rows[0]).toEqual({ row: 1, line: 2, cells: ['multi\nline', '1'] });
    expect(rows.at(-1)).toEqual({ row: 30_002, line: 30_004, cells: ['last', 'row'] });
  });

  it('refuses corrupt gzip data with one line, before any row', async () => {
    const file = aFile(Buffer.from([0x1f, 0x8b, 0x63, 0x6f, 0x72, 0x72, 0x75, 0x70, 0x74]));
    expect(await usageErrorOf(readRows(file, { encoding: 'utf8' }))).toMatch(
      new RegExp(`^${file} is gzip-compressed but its data is corrupt: `),
    );
  });

  it('refuses a gzip file cut short, also when the cut comes after many rows', async () => {
    const whole = gzipSync(`a,b\n${'x,y\n'.repeat(200_000)}`);
    const file = aFile(whole.subarray(0, whole.length - 100));
    const message = await usageErrorOf(readRows(file, { encoding: 'utf8' }).then(collect));
    expect(message).toMatch(new RegExp(`^${file} is gzip-compressed but cut short: `));
  });

  it('refuses a gzip of something binary as it would the binary itself', async () => {
    const file = aFile(gzipSync(Buffer.from([0, 1, 2, 3, 10, 65])));
    expect(await usageErrorOf(readRows(file, { encoding: 'utf8' }))).toBe(`${file} looks like a binary file, not CSV`);
  });
});

describe('readRows: Excel workbooks', () => {
  it('reads cells as the text a user sees, with the sheet row as line and empty rows skipped', async () => {
    const file = aFile(
      await aWorkbook({
        People: [
          undefined,
          ['primaryEmail', 'promotionOptIn', 'score', 'joined', 'lastSeen', 'display', 'id'],
          [
            'ann@example.com',
            true,
            0.1 + 0.2,
            new Date(Date.UTC(2023, 11, 31)),
            new Date(Date.UTC(2024, 1, 29, 8, 30)),
            { richText: [{ text: 'Ann ' }, { text: 'Lee', font: { bold: true } }] },
            { formula: 'ROW()*1000', result: 3000 },
          ],
          [],
          [
            'bob@example.com',
            false,
            7,
            undefined,
            undefined,
            { formula: 'A5', result: 'bob@example.com' },
            61412345678,
          ],
        ],
      }),
      'people.xlsx',
    );
    const source = await readRows(file, { encoding: 'utf8' });
    expect(source.header).toEqual(['primaryEmail', 'promotionOptIn', 'score', 'joined', 'lastSeen', 'display', 'id']);
    expect(await collect(source)).toEqual([
      {
        row: 1,
        line: 3,
        cells: ['ann@example.com', 'TRUE', '0.3', '2023-12-31', '2024-02-29T08:30:00', 'Ann Lee', '3000'],
      },
      { row: 2, line: 5, cells: ['bob@example.com', 'FALSE', '7', '', '', 'bob@example.com', '61412345678'] },
    ]);
  });

  it('pads short rows to the header width, and keeps a value past the header so normalise can reject it', async () => {
    const file = aFile(await aWorkbook({ S: [['a', 'b', 'c'], ['1'], ['1', '2', '3', '', 'extra']] }), 'ragged.xlsx');
    const rows = await collect(await readRows(file, { encoding: 'utf8' }));
    expect(rows.map((r) => r.cells)).toEqual([
      ['1', '', ''],
      ['1', '2', '3', '', 'extra'],
    ]);
  });

  it('reads the first sheet, or the one --sheet names (whatever its case)', async () => {
    const file = aFile(
      await aWorkbook({ Summary: [['note'], ['not customers']], Customers: CUSTOMERS_SHEET }),
      'two-sheets.xlsx',
    );
    const first = await readRows(file, { encoding: 'utf8' });
    expect([first.sheet, first.header]).toEqual(['Summary', ['note']]);
    const named = await readRows(file, { encoding: 'utf8', sheet: 'customers' });
    expect(named.sheet).toBe('Customers');
    expect((await collect(named)).map((r) => r.cells[0])).toEqual([
      'ann@example.com',
      'bob@example.com',
      'zoe@example.com',
    ]);
  });

  it('refuses an unknown sheet, naming the sheets there are', async () => {
    const file = aFile(await aWorkbook({ Summary: [['x']], Customers: [['y']] }), 'sheets.xlsx');
    expect(await usageErrorOf(readRows(file, { encoding: 'utf8', sheet: 'Clients' }))).toBe(
      `${file} has no sheet "Clients"; its sheets are "Summary", "Customers"`,
    );
  });

  it('refuses a sheet with no row at all', async () => {
    const file = aFile(await aWorkbook({ Empty: [] }), 'empty.xlsx');
    expect(await usageErrorOf(readRows(file, { encoding: 'utf8' }))).toBe(
      `${file} has no header row: sheet "Empty" is empty`,
    );
  });

  it('refuses a workbook cut short, and a zip that is no workbook', async () => {
    const workbook = await aWorkbook({ Customers: CUSTOMERS_SHEET });
    const cut = aFile(workbook.subarray(0, Math.floor(workbook.length / 2)), 'cut.xlsx');
    expect(await usageErrorOf(readRows(cut, { encoding: 'utf8' }))).toMatch(new RegExp(`^${cut} .*(cut short|cannot)`));

    const notWorkbook = aFile(Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]), 'empty.zip');
    expect(await usageErrorOf(readRows(notWorkbook, { encoding: 'utf8' }))).toBe(
      `${notWorkbook} is a zip archive but not an Excel workbook (.xlsx): it holds no worksheet`,
    );
  });
});

describe('readRows: what the input is', () => {
  it('refuses a named pipe at once, without waiting for a writer', async () => {
    const fifo = path.join(dir, 'export.csv');
    execFileSync('mkfifo', [fifo]);
    try {
      const started = Date.now();
      expect(await usageErrorOf(readRows(fifo, { encoding: 'utf8' }))).toBe(
        `${fifo} is a named pipe; to read from a pipe pass - and redirect it to standard input`,
      );
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      fs.rmSync(fifo);
    }
  });

  it('refuses a device', async () => {
    expect(await usageErrorOf(readRows('/dev/zero', { encoding: 'utf8' }))).toBe('/dev/zero is a device, not a file');
  });

  it('follows a symlink the user names', async () => {
    const target = aFile(CUSTOMERS_CSV);
    const link = path.join(dir, 'latest.csv');
    fs.symlinkSync(target, link);
    expect((await collect(await readRows(link, { encoding: 'utf8' }))).length).toBe(3);
  });

  it('reads standard input in pieces as they come, and names it in messages', async () => {
    const stdin = new PassThrough();
    const reading = readRows('-', { encoding: 'utf8', stdin });
    stdin.write('primaryEmail,first');
    stdin.write('Name\nann@example.com,A');
    setTimeout(() => stdin.end('nn\n'), 20);
    const source = await reading;
    expect(await collect(source)).toEqual([{ row: 1, line: 2, cells: ['ann@example.com', 'Ann'] }]);
    expect(await usageErrorOf(fromStdin(''))).toBe('standard input is empty: it has no header row');
  });
});

describe('readRows: a stop while waiting on a silent pipe', () => {
  it('ends the rows at once when the signal fires, with a digest of what was read', async () => {
    const stdin = new PassThrough();
    const stop = new AbortController();
    // More than the 64 KB sniffed before the header is handed over; then the writer falls silent.
    const sent = `primaryEmail\n${'ann@example.com\n'.repeat(5000)}`;
    stdin.write(sent);
    const source = await readRows('-', { encoding: 'utf8', stdin, signal: stop.signal });
    const rows: RawRow[] = [];
    const reading = (async () => {
      for await (const row of source.rows) rows.push(row);
    })();
    setTimeout(() => stop.abort('SIGTERM'), 50);
    await reading;
    // csv-parse holds the last record back until it sees the next byte (a CRLF could be coming).
    expect(rows.length).toBeGreaterThanOrEqual(4999);
    expect(rows.length).toBeLessThanOrEqual(5000);
    expect(source.digest()).toEqual({
      sha256: createHash('sha256').update(sent).digest('hex'),
      bytes: sent.length,
      complete: false,
    });
    expect(stdin.destroyed).toBe(true);
  });

  it('is an AbortError (exit 3) when the header never came', async () => {
    const stdin = new PassThrough();
    const stop = new AbortController();
    setTimeout(() => stop.abort('SIGTERM'), 50);
    const error = await errorOf(readRows('-', { encoding: 'utf8', stdin, signal: stop.signal }));
    expect(error).toBeInstanceOf(AbortError);
    expect(error.message).toBe('stopped by SIGTERM while reading standard input');
  });

  it('ends a workbook read the same way', async () => {
    const workbook = await aWorkbook({ Customers: CUSTOMERS_SHEET });
    const stdin = new PassThrough();
    const stop = new AbortController();
    stdin.write(workbook.subarray(0, 100));
    setTimeout(() => stop.abort('SIGTERM'), 50);
    const error = await errorOf(readRows('-', { encoding: 'utf8', stdin, signal: stop.signal }));
    expect(error).toBeInstanceOf(AbortError);
  });
});
