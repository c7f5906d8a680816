import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadOptions } from '../../src/read/readRows.js';
import type { RawRow } from '../../src/types.js';
import { PROJECT_ROOT } from '../helpers/runCli.js';

// csv-parse runs in a worker thread only from the compiled build (the worker is dist/read/csvWorker.js), so these tests
// drive the built reader, and hold the worker's answers to those of the same reader parsing on its own thread.
type ReadRows = typeof import('../../src/read/readRows.js').readRows;
let readRows: ReadRows;
let dir: string;
let counter = 0;

beforeAll(async () => {
  ({ readRows } = (await import(path.join(PROJECT_ROOT, 'dist/read/readRows.js'))) as { readRows: ReadRows });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'read-worker-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function aFile(content: string | Buffer): string {
  const file = path.join(dir, `input-${++counter}.csv`);
  fs.writeFileSync(file, content);
  return file;
}

/** Everything a read gives, rows or the one-line error, as a comparable value. */
async function readBoth(file: string, options: Omit<ReadOptions, 'parseInWorker'> = { encoding: 'utf8' }) {
  const read = async (parseInWorker: boolean) => {
    const rows: RawRow[] = [];
    try {
      const source = await readRows(file, { ...options, parseInWorker });
      for await (const row of source.rows) rows.push(row);
      return { header: source.header, rows, digest: source.digest() };
    } catch (error) {
      return { error: `${(error as Error).name}: ${(error as Error).message}` };
    }
  };
  const inWorker = await read(true);
  expect(inWorker).toEqual(await read(false));
  return inWorker;
}

/** An export with every shape the reader handles, long enough to span many chunks and batches. */
function anAwkwardExport(rows: number): string {
  const lines = ['\uFEFFprimaryEmail,firstName,notes'];
  for (let i = 1; i <= rows; i++) {
    const ending = i % 3 === 0 ? '\r\n' : i % 7 === 0 ? '\r' : '\n';
    const notes =
      i % 5 === 0 ? `"line one${ending}line two, with ""quotes"""` : i % 11 === 0 ? "'=SUM(A1)" : `Zoë 日本 ${i}`;
    lines.push(`user${i}@example.com,${i % 13 === 0 ? 'O"Brien' : 'Ann'},${notes}${i % 17 === 0 ? ',extra' : ''}`);
    if (i % 19 === 0) lines.push(i % 2 === 0 ? '' : ',,');
  }
  return `${lines.join('\n')}\n`;
}

describe('parsing in a worker thread', () => {
  it('gives the same rows, numbers and lines as parsing on this thread, through chunks of any size', async () => {
    const file = aFile(anAwkwardExport(6_000));
    for (const highWaterMark of [undefined, 4_093]) {
      const result = await readBoth(file, { encoding: 'utf8', highWaterMark });
      expect(result.rows).toHaveLength(6_000);
      expect(result.rows?.at(-1)).toMatchObject({ row: 6_000 });
    }
  });

  it('decodes a legacy encoding before parsing, the same way', async () => {
    const text = anAwkwardExport(3_000).replace(/[日本\uFEFF]/g, '');
    const result = await readBoth(aFile(Buffer.from(text, 'latin1')), { encoding: 'latin1' });
    expect(result.rows?.[0]?.cells[2]).toBe('Zoë  1');
  });

  it('names the line of a quote never closed, the same way', async () => {
    const result = await readBoth(aFile(`${anAwkwardExport(2_000)}user,Ann,"never closed\n${'x,y,z\n'.repeat(50)}`));
    expect(result.error).toMatch(/the record starting on line \d+ opens a quote that is never closed/);
  });

  it('skips a million empty lines of a .csv.gz at the speed of the parser, keeping rows and lines right', async () => {
    // Empty lines, and lines of spaces, used to cost csv-parse ~20 µs each (a short record's error built and
    // dropped): 25 s per million.
    const blanks = (count: number) => '\n'.repeat(count / 2) + '\r\n'.repeat(count / 4) + '\r'.repeat(count / 4);
    const text =
      `primaryEmail,notes\n${blanks(1_000_000)}ann@example.com,"two\r\nlines"\n` +
      `${blanks(1_000)}${'   \n'.repeat(200_000)},\nbob@example.com,x\n${blanks(400)}joe@example.com,"never closed\n`;
    const file = aFile(gzipSync(text));
    const started = Date.now();
    const result = await readBoth(file);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.error).toBe(
      `UsageError: ${file}: the record starting on line 1201406 opens a quote that is never closed (the file ends inside it)`,
    );
    const complete = await readBoth(aFile(gzipSync(text.replace('"never closed', 'closed'))));
    expect(complete.rows).toEqual([
      { row: 1, line: 1_000_002, cells: ['ann@example.com', 'two\r\nlines'] },
      { row: 2, line: 1_201_005, cells: ['bob@example.com', 'x'] },
      { row: 3, line: 1_201_406, cells: ['joe@example.com', 'closed'] },
    ]);
  });

  it('refuses a record over the size limit and a cut gzip the same way', async () => {
    const huge = `${anAwkwardExport(1_000)}a,b,"${'x'.repeat(11 * 1024 * 1024)}"\n`;
    expect((await readBoth(aFile(huge))).error).toMatch(/runs over 10 MB; is a quote never closed/);
    const gzip = gzipSync(anAwkwardExport(20_000));
    const cut = await readBoth(aFile(gzip.subarray(0, Math.floor(gzip.length * 0.6))));
    expect(cut.error).toMatch(/gzip-compressed but cut short/);
  });

  it('lets go of the worker when the reading stops early', async () => {
    const source = await readRows(aFile(anAwkwardExport(20_000)), { encoding: 'utf8', parseInWorker: true });
    let read = 0;
    for await (const row of source.rows) {
      if (++read === 10) break;
      expect(row.row).toBe(read);
    }
    expect(read).toBe(10);
    const controller = new AbortController();
    const stopped = await readRows(aFile(anAwkwardExport(20_000)), {
      encoding: 'utf8',
      parseInWorker: true,
      signal: controller.signal,
    });
    let seen = 0;
    for await (const _ of stopped.rows) if (++seen === 100) controller.abort('SIGTERM');
    expect(seen).toBeGreaterThanOrEqual(100);
    expect(seen).toBeLessThan(20_000);
    expect(stopped.digest().complete).toBe(false);
  });

  it('keeps the process alive exactly while its reader waits for it', () => {
    const file = aFile(anAwkwardExport(20_000));
    const module = path.join(PROJECT_ROOT, 'dist/read/readRows.js');
    const run = (consume: string) =>
      spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const { readRows } = await import(${JSON.stringify(module)});
           const source = await readRows(${JSON.stringify(file)}, { encoding: 'utf8', parseInWorker: true });
           ${consume}`,
        ],
        { encoding: 'utf8', timeout: 20_000 },
      );
    // Every row, though nothing but the worker is left to wait on once the file is read.
    const all = run('let n = 0; for await (const _ of source.rows) n++; console.log(n);');
    expect(all.stdout.trim()).toBe('20000');
    // One row, then the reading is abandoned: the process ends instead of waiting on the worker.
    const one = run('console.log((await source.rows[Symbol.asyncIterator]().next()).value.row);');
    expect(one.signal).toBeNull();
    expect(one.stdout.trim()).toBe('1');
  });
});
