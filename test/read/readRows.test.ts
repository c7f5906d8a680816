import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { MAX_FIELDS, MAX_RECORD_BYTES } from '../../src/read/createRecordGuard.js';
import { type InputSource, readRows } from '../../src/read/readRows.js';
import type { RawRow } from '../../src/types.js';

let dir: string;
let counter = 0;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'read-rows-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes a file into the test's temp dir and returns its path. */
function aFile(content: string | Buffer): string {
  const file = path.join(dir, `input-${++counter}.csv`);
  fs.writeFileSync(file, content);
  return file;
}

async function collect(source: InputSource): Promise<RawRow[]> {
  const rows: RawRow[] = [];
  for await (const row of source.rows) rows.push(row);
  return rows;
}

async function readAll(content: string | Buffer, encoding = 'utf8', highWaterMark?: number) {
  const source = await readRows(aFile(content), { encoding, highWaterMark });
  return { source, rows: await collect(source) };
}

async function usageErrorOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as UsageError).message;
}

describe('readRows: CSV shapes', () => {
  it('reads a plain LF file: header, rows numbered from 1, lines from 2', async () => {
    const { source, rows } = await readAll('name,email\nJane,jane@x.com\nJoe,joe@x.com\n');
    expect(source.header).toEqual(['name', 'email']);
    expect(source.delimiter).toBe(',');
    expect(source.encoding).toBe('utf-8');
    expect(rows).toEqual([
      { row: 1, line: 2, cells: ['Jane', 'jane@x.com'] },
      { row: 2, line: 3, cells: ['Joe', 'joe@x.com'] },
    ]);
  });

  it('strips a UTF-8 BOM from the first header name', async () => {
    const { source, rows } = await readAll('\uFEFFname,email\r\nJane,jane@x.com\r\n');
    expect(source.header).toEqual(['name', 'email']);
    expect(rows[0]?.cells).toEqual(['Jane', 'jane@x.com']);
  });

  it('reads CRLF files, and a last line with no line ending', async () => {
    const { rows } = await readAll('a,b\r\n1,2\r\n3,4');
    expect(rows).toEqual([
      { row: 1, line: 2, cells: ['1', '2'] },
      { row: 2, line: 3, cells: ['3', '4'] },
    ]);
  });

  it('reads a file that mixes CRLF and LF line endings', async () => {
    const { rows } = await readAll('a,b\r\n1,2\n3,4\r\n5,6\n');
    expect(rows.map((r) => [r.line, r.cells])).toEqual([
      [2, ['1', '2']],
      [3, ['3', '4']],
      [4, ['5', '6']],
    ]);
  });

  it('reads quoted fields with commas, doubled quotes and newlines, keeping start lines right', async () => {
    const csv = [
      'name,notes',
      '"Smith, Jane","said ""hi"""',
      '"Joe","line one',
      'line two',
      'line three"',
      'Ann,"crlf\r\ninside"',
      'Bob,plain',
    ].join('\n');
    const { rows } = await readAll(`${csv}\n`);
    expect(rows).toEqual([
      { row: 1, line: 2, cells: ['Smith, Jane', 'said "hi"'] },
      { row: 2, line: 3, cells: ['Joe', 'line one\nline two\nline three'] },
      { row: 3, line: 6, cells: ['Ann', 'crlf\r\ninside'] },
      { row: 4, line: 8, cells: ['Bob', 'plain'] },
    ]);
  });

  it('keeps start lines right in a CRLF file with quoted CRLF newlines', async () => {
    const { rows } = await readAll('a,b\r\n"x\r\ny\r\nz",1\r\nnext,2\r\n');
    expect(rows.map((r) => r.line)).toEqual([2, 5]);
  });

  it('skips blank lines (also whitespace-only and delimiter-only ones) without counting them as rows', async () => {
    const { rows } = await readAll('\nname,email\n\nJane,j@x.com\n   \n,,\r\n\nJoe,joe@x.com\n\n');
    expect(rows).toEqual([
      { row: 1, line: 4, cells: ['Jane', 'j@x.com'] },
      { row: 2, line: 8, cells: ['Joe', 'joe@x.com'] },
    ]);
  });

  it('passes ragged rows on as they are', async () => {
    const { rows } = await readAll('a,b,c\n1,2\n1,2,3,4\n');
    expect(rows.map((r) => r.cells)).toEqual([
      ['1', '2'],
      ['1', '2', '3', '4'],
    ]);
  });

  it('keeps a stray quote inside an unquoted field as text', async () => {
    const { rows } = await readAll('name,x\nO"Brien,1\n');
    expect(rows[0]?.cells).toEqual(['O"Brien', '1']);
  });

  it('takes the neutralising quote off formula-looking cells, and only those', async () => {
    const { source, rows } = await readAll(
      "'=h,b\n'=SUM(A1),'+447911123456\n'-5,'@home\n\"'\tx\",\"'\rx\"\n'hello,''=x\n",
    );
    expect(source.header).toEqual(['=h', 'b']);
    expect(rows.map((r) => r.cells)).toEqual([
      ['=SUM(A1)', '+447911123456'],
      ['-5', '@home'],
      ['\tx', '\rx'],
      ["'hello", "''=x"],
    ]);
  });

  it('uses ; when the header line has no comma but semicolons', async () => {
    const { source, rows } = await readAll('name;email\nSmith, Jane;j@x.com\n');
    expect(source.delimiter).toBe(';');
    expect(rows[0]?.cells).toEqual(['Smith, Jane', 'j@x.com']);
  });

  it('uses a tab when the header line has no comma but tabs', async () => {
    const { source, rows } = await readAll('name\temail\nSmith; Jane\tj@x.com\n');
    expect(source.delimiter).toBe('\t');
    expect(rows[0]?.cells).toEqual(['Smith; Jane', 'j@x.com']);
  });

  it('ignores delimiters inside quoted header names when choosing', async () => {
    const { source, rows } = await readAll('"Name, full";Email\nJane;j@x.com\n');
    expect(source.delimiter).toBe(';');
    expect(source.header).toEqual(['Name, full', 'Email']);
    expect(rows[0]?.cells).toEqual(['Jane', 'j@x.com']);
  });

  it('keeps the comma when the header line has one, whatever the rows hold', async () => {
    const { source, rows } = await readAll('name,email\na;b;c,d\n');
    expect(source.delimiter).toBe(',');
    expect(rows[0]?.cells).toEqual(['a;b;c', 'd']);
  });

  it('reads a header-only file as zero rows (the run decides whether that is allowed)', async () => {
    const { source, rows } = await readAll('name,email\n');
    expect(source.header).toEqual(['name', 'email']);
    expect(rows).toEqual([]);
  });

  it('streams many rows through small chunks in order', async () => {
    const lines = ['id,text'];
    for (let i = 1; i <= 3000; i++) lines.push(i % 100 === 0 ? `${i},"multi\nline"` : `${i},row ${i}`);
    const { rows } = await readAll(`${lines.join('\n')}\n`, 'utf8', 97);
    expect(rows).toHaveLength(3000);
    expect(rows.every((r, i) => r.row === i + 1 && r.cells[0] === String(i + 1))).toBe(true);
    // Every 100th record spans two lines, so later records start one line further down per such record.
    expect(rows[2999]?.line).toBe(3001 + 29);
  });
});

describe('readRows: encodings', () => {
  it('turns bytes that are not valid UTF-8 into U+FFFD instead of failing', async () => {
    const bytes = Buffer.concat([Buffer.from('name,notes\nJos'), Buffer.from([0xe9]), Buffer.from(',ok\n')]);
    const { rows } = await readAll(bytes);
    expect(rows[0]?.cells).toEqual(['Jos\uFFFD', 'ok']);
  });

  it('decodes characters split across read chunks', async () => {
    const text = 'name,notes\nZoë Ångström,日本語 😀 ü\n';
    for (const highWaterMark of [1, 2, 3, 5]) {
      const { rows } = await readAll(text, 'utf8', highWaterMark);
      expect(rows[0]?.cells).toEqual(['Zoë Ångström', '日本語 😀 ü']);
    }
  });

  it('decodes --encoding latin1 (as browsers do: windows-1252, so € and curly quotes survive)', async () => {
    const bytes = Buffer.from([
      ...Buffer.from('name,price\n'),
      0x4a,
      0x6f,
      0x73,
      0xe9, // é
      0x2c,
      0x80, // €
      0x93, // “
      0x0a,
    ]);
    const { source, rows } = await readAll(bytes, 'latin1');
    expect(source.encoding).toBe('windows-1252');
    expect(rows[0]?.cells).toEqual(['José', '€“']);
  });

  it('decodes encodings TextDecoder knows, such as iso-8859-15, through tiny chunks', async () => {
    const bytes = Buffer.from([...Buffer.from('name\n'), 0xa4, 0x0a]); // ¤ in latin1 is € in latin-9
    const { rows } = await readAll(bytes, 'iso-8859-15', 1);
    expect(rows[0]?.cells).toEqual(['€']);
  });

  it('reads a UTF-16LE file with its BOM, whatever --encoding says', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name,city\nJosé,Zürich\n', 'utf16le')]);
    const { source, rows } = await readAll(bytes, 'utf8', 3);
    expect(source.encoding).toBe('utf-16le');
    expect(source.header).toEqual(['name', 'city']);
    expect(rows[0]?.cells).toEqual(['José', 'Zürich']);
  });

  it('reads a file with a UTF-8 BOM as UTF-8 even when --encoding names another encoding', async () => {
    const { source, rows } = await readAll('\uFEFFname\nZoë\n', 'windows-1252');
    expect(source.encoding).toBe('utf-8');
    expect(rows[0]?.cells).toEqual(['Zoë']);
  });

  it('rejects an unknown encoding, naming it', async () => {
    const message = await usageErrorOf(readRows(aFile('a\n1\n'), { encoding: 'klingon-8' }));
    expect(message).toContain('"klingon-8"');
  });

  it('rejects a Buffer encoding that is not a text encoding', async () => {
    const message = await usageErrorOf(readRows(aFile('a\n1\n'), { encoding: 'base64' }));
    expect(message).toContain('"base64" is not a text encoding');
  });
});

describe('readRows: file problems', () => {
  it('names a missing file', async () => {
    const missing = path.join(dir, 'nope.csv');
    expect(await usageErrorOf(readRows(missing, { encoding: 'utf8' }))).toBe(`${missing} does not exist`);
  });

  it('names a directory', async () => {
    expect(await usageErrorOf(readRows(dir, { encoding: 'utf8' }))).toBe(`${dir} is a directory, not a CSV file`);
  });

  it.skipIf(process.getuid?.() === 0)('names an unreadable file', async () => {
    const file = aFile('a\n1\n');
    fs.chmodSync(file, 0o000);
    expect(await usageErrorOf(readRows(file, { encoding: 'utf8' }))).toContain('permission denied');
  });

  it('says an empty file has no header row', async () => {
    const file = aFile('');
    expect(await usageErrorOf(readRows(file, { encoding: 'utf8' }))).toBe(`${file} is empty: it has no header row`);
  });

  it('says a whitespace-only file has no header row', async () => {
    const file = aFile('  \n\r\n\t\n');
    expect(await usageErrorOf(readRows(file, { encoding: 'utf8' }))).toContain(`${file} has no header row`);
  });

  it('refuses a binary file', async () => {
    const file = aFile(Buffer.from([0x00, 0x01, 0x02, 0x03, 0x0a, 0x41]));
    expect(await usageErrorOf(readRows(file, { encoding: 'utf8' }))).toBe(`${file} looks like a binary file, not CSV`);
  });

  it('asks for .xlsx or CSV when given an Excel 97-2003 workbook', async () => {
    const file = aFile(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0]));
    expect(await usageErrorOf(readRows(file, { encoding: 'utf8' }))).toBe(
      `${file} is an Excel 97-2003 workbook (.xls); save it as .xlsx or CSV`,
    );
  });

  it('names the line of a record whose quote is never closed, while iterating', async () => {
    const file = aFile('a,b\n1,2\n"multi\nline",3\n4,"never closed\n5,6\n7,8\n');
    const source = await readRows(file, { encoding: 'utf8' });
    const seen: number[] = [];
    const message = await usageErrorOf(
      (async () => {
        for await (const row of source.rows) seen.push(row.line);
      })(),
    );
    expect(message).toBe(
      `${file}: the record starting on line 5 opens a quote that is never closed (the file ends inside it)`,
    );
    expect(seen).toEqual([2, 3]);
  });

  it('stops at a record that runs on for too long instead of buffering the file', async () => {
    const file = aFile(`a,b\n1,"${'x'.repeat(MAX_RECORD_BYTES)}\n`);
    const source = await readRows(file, { encoding: 'utf8' });
    const message = await usageErrorOf(collect(source));
    expect(message).toBe(`${file}: the record starting on line 2 runs over 10 MB; is a quote never closed?`);
  });

  it('names the line of a record with more fields than any spreadsheet holds, counting lines inside quotes', async () => {
    const file = aFile(`a,b\n1,"two\r\nlines"\n\n${','.repeat(MAX_FIELDS)}\n`);
    // The whole file fits in the first chunk read, so the header is refused with it: one error either way.
    const message = await usageErrorOf(readRows(file, { encoding: 'utf8' }).then(collect));
    expect(message).toBe(
      `${file}: the record starting on line 5 has more than ${MAX_FIELDS} fields; is "," really its delimiter?`,
    );
  });

  it('passes NUL bytes past the sniffed head on to the rows (normalise rejects the row, not the file)', async () => {
    const filler = `a,b\n${'x,y\n'.repeat(20_000)}`;
    const { rows } = await readAll(`${filler}nul\0here,z\nlast,row\n`);
    expect(rows.at(-2)?.cells).toEqual(['nul\0here', 'z']);
    expect(rows.at(-1)?.cells).toEqual(['last', 'row']);
  });

  it('passes a 1 MB cell on (normalise rejects it for its length)', async () => {
    const { rows } = await readAll(`a,b\n1,${'x'.repeat(1024 * 1024)}\n2,y\n`);
    expect(rows.map((r) => [r.line, r.cells[1]?.length])).toEqual([
      [2, 1024 * 1024],
      [3, 1],
    ]);
  });
});

describe('readRows: digest', () => {
  const content = '\uFEFFname,email\r\n"multi\r\nline",x@y.com\r\nZoë,z@y.com\r\n';
  const expected = {
    sha256: createHash('sha256').update(content).digest('hex'),
    bytes: Buffer.byteLength(content),
  };

  it('hashes the raw bytes while streaming', async () => {
    const { source } = await readAll(content, 'utf8', 4);
    expect(source.digest()).toEqual({ ...expected, complete: true });
  });

  it('says so, and reads nothing again, when reading stopped early (an aborted run)', async () => {
    const long = `name,email\n${'Jane,jane@x.com\n'.repeat(50_000)}`;
    const file = aFile(long);
    const source = await readRows(file, { encoding: 'utf8', highWaterMark: 1024 });
    for await (const _row of source.rows) break;
    // The file changes after the stop: a digest that read the rest again would see the new bytes.
    fs.writeFileSync(file, 'changed');
    const digest = source.digest();
    expect(digest.complete).toBe(false);
    expect(digest.bytes).toBeGreaterThan(0);
    expect(digest.bytes).toBeLessThan(Buffer.byteLength(long));
    expect(digest.sha256).toBe(createHash('sha256').update(long.slice(0, digest.bytes)).digest('hex'));
  });
});
