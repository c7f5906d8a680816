import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { gzipSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, PROJECT_ROOT } from '../helpers/runCli.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
  /** Highest VmHWM seen while polling /proc (undefined where there is no /proc). */
  peakRssMb: number | undefined;
}

/**
 * Runs bin/customer-sync like runCli, but with standard input under the test's control: a buffer to pipe in, or a pipe
 * held open for `onStart` to write to and signal. Killed after `timeoutMs`, so a hang fails instead of
 * blocking the suite.
 */
function runWithInput(
  args: readonly string[],
  options: { stdin?: Buffer | 'silent'; timeoutMs?: number; onStart?: (child: ChildProcess) => void } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '' },
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    if (Buffer.isBuffer(options.stdin)) child.stdin?.end(options.stdin);
    // A reader that stops early closes its end of the pipe; that is not the test's failure.
    child.stdin?.on('error', () => {});
    let peakKb: number | undefined;
    const poll = setInterval(() => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (match) peakKb = Math.max(peakKb ?? 0, Number(match[1]));
      } catch {
        // Gone already, or no /proc here.
      }
    }, 20);
    const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    options.onStart?.(child);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      clearTimeout(timeout);
      child.stdin?.destroy();
      resolve({
        code,
        stdout,
        stderr,
        ms: performance.now() - started,
        peakRssMb: peakKb === undefined ? undefined : peakKb / 1024,
      });
    });
  });
}

const CUSTOMERS_CSV =
  'primaryEmail,firstName,lastName,promotionOptIn\n' +
  'ann@example.com,Ann,Lee,yes\n' +
  '\n' +
  'bob@example.com,Bob,"Ng, Jr",no\n' +
  'not-an-email,Zoë,Ångström,yes\n';

async function customersWorkbook(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.addWorksheet('Read me').addRow(['This sheet is not the customers']);
  const sheet = workbook.addWorksheet('Customers');
  sheet.getRow(1).values = ['primaryEmail', 'firstName', 'lastName', 'promotionOptIn'];
  sheet.getRow(2).values = ['ann@example.com', 'Ann', 'Lee', 'yes'];
  sheet.getRow(4).values = ['bob@example.com', 'Bob', 'Ng, Jr', 'no'];
  sheet.getRow(5).values = ['not-an-email', 'Zoë', 'Ångström', 'yes'];
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Polls `ready` every 20 ms; throws after `ms`. */
async function waitFor(ready: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Every user-visible column of outcomes.csv: the same customers must read the same, whatever the format. */
const outcomesOf = (dir: string) => readCsv(`${dir}/outcomes.csv`);

/** What users feed the tool: plain, compressed, a workbook, a pipe; and what they must not be able to feed it. */
describe('inputs', () => {
  const ws = makeWorkspace('cs-inputs-');
  afterAll(() => ws.remove());
  const validateArgs = (name: string, file: string, ...extra: string[]) => [
    'validate',
    file,
    '--report-dir',
    ws.path(name),
    '--retailer-id',
    '1',
    ...extra,
  ];

  it('reads the same customers from .csv, .csv.gz, .xlsx and standard input into the same outcomes', async () => {
    const csv = ws.write('customers.csv', CUSTOMERS_CSV);
    const gz = ws.write('customers.csv.gz', gzipSync(CUSTOMERS_CSV));
    const workbook = await customersWorkbook();
    const xlsx = ws.write('customers.xlsx', workbook);

    const runs = [
      await runWithInput(validateArgs('csv', csv)),
      await runWithInput(validateArgs('gz', gz)),
      await runWithInput(validateArgs('xlsx', xlsx, '--sheet', 'Customers')),
      await runWithInput(validateArgs('stdin', '-'), { stdin: Buffer.from(CUSTOMERS_CSV) }),
    ];
    for (const run of runs) expect([run.code, run.stderr]).toEqual([1, '']);

    const expected = outcomesOf(ws.path('csv'));
    expect(expected.map((o) => [o.row, o.line, o.outcome])).toEqual([
      ['1', '2', 'valid'],
      ['2', '4', 'valid'],
      ['3', '5', 'rejected'],
    ]);
    for (const name of ['gz', 'xlsx', 'stdin']) expect(outcomesOf(ws.path(name))).toEqual(expected);
    expect(readCsv(ws.path('xlsx', 'rejects.csv'))).toEqual(readCsv(ws.path('csv', 'rejects.csv')));

    expect(readReport(ws.path('gz')).input).toMatchObject({ bytes: fs.statSync(gz).size, complete: true });
    expect(readReport(ws.path('xlsx')).input).toMatchObject({ bytes: workbook.length, complete: true });
    expect(readReport(ws.path('stdin')).input).toMatchObject({ path: '-', bytes: Buffer.byteLength(CUSTOMERS_CSV) });
  });

  it('reads a gzip export named .csv by its magic bytes', async () => {
    const file = ws.write('nightly.csv', gzipSync(CUSTOMERS_CSV));
    const run = await runWithInput(validateArgs('magic', file));
    expect(run.code).toBe(1);
    expect(readReport(ws.path('magic')).totals).toMatchObject({ read: 3, valid: 2, rejected: 1 });
  });

  const oneLineRefusals: [string, () => Promise<string[]>, RegExp][] = [
    [
      'a corrupt gzip',
      async () => validateArgs('corrupt', ws.write('corrupt.csv.gz', Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5]))),
      /corrupt\.csv\.gz is gzip-compressed but its data is corrupt/,
    ],
    [
      'an unknown sheet',
      async () => validateArgs('sheet', ws.write('book.xlsx', await customersWorkbook()), '--sheet', 'Clients'),
      /book\.xlsx has no sheet "Clients"; its sheets are "Read me", "Customers"/,
    ],
    [
      'an old .xls workbook',
      async () =>
        validateArgs('xls', ws.write('old.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))),
      /old\.xls is an Excel 97-2003 workbook \(\.xls\); save it as \.xlsx or CSV/,
    ],
  ];

  it.each(oneLineRefusals)('refuses %s with exit 2 and one line', async (_name, args, message) => {
    const run = await runWithInput(await args());
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  it('refuses a named pipe at once instead of hanging in open()', async () => {
    const fifo = ws.path('export.csv');
    execFileSync('mkfifo', [fifo]);
    const run = await runWithInput(validateArgs('fifo', fifo), { timeoutMs: 15_000 });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      `error: ${fifo} is a named pipe; to read from a pipe pass - and redirect it to standard input`,
    );
  });

  it('validate - reads a pipe', async () => {
    const run = await runWithInput(validateArgs('pipe', '-'), { stdin: gzipSync(CUSTOMERS_CSV) });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/3 rows read from -/);
    expect(readReport(ws.path('pipe')).totals).toMatchObject({ read: 3, valid: 2, rejected: 1 });
  });

  it('stops promptly on SIGTERM while the pipe it reads is silent, with a partial report (exit 3)', async () => {
    const rows = `primaryEmail\n${Array.from({ length: 5000 }, (_, i) => `user${i}@example.com\n`).join('')}`;
    let child: ChildProcess | undefined;
    const running = runWithInput(validateArgs('silent', '-'), {
      stdin: 'silent',
      onStart: (started) => {
        child = started;
        // More than the 64 KB sniffed before the header; then the pipe stays open and silent.
        started.stdin?.write(rows);
      },
    });
    // The report folder is made once the header is read; then the run waits on the pipe for more rows.
    await waitFor(() => fs.existsSync(ws.path('silent')), 15_000);
    const signalled = performance.now();
    child?.kill('SIGTERM');
    const run = await running;
    expect(run.code).toBe(3);
    expect(performance.now() - signalled).toBeLessThan(10_000);
    expect(run.stderr).toMatch(/stopped by SIGTERM/);
    const report = readReport(ws.path('silent'));
    expect(report.input).toMatchObject({ path: '-', complete: false });
    expect(report.totals.read).toBeGreaterThan(4000);
  });

  it('refuses a 150 MB line of commas with one line, in bounded memory and time', async () => {
    const file = ws.path('commas.csv');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, 'primaryEmail,firstName\nann@example.com,Ann\n');
    const mb = Buffer.alloc(1024 * 1024, ',');
    for (let i = 0; i < 150; i++) fs.writeSync(fd, mb);
    fs.writeSync(fd, '\n');
    fs.closeSync(fd);

    const run = await runWithInput(validateArgs('commas', file), { timeoutMs: 30_000 });
    fs.rmSync(file);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      `error: ${file}: the record starting on line 3 has more than 16384 fields; is "," really its delimiter?`,
    );
    // Before the guard, a 30 MB line alone took 1.4 GB and this one crashed Node; now it stops within the first MB.
    if (run.peakRssMb !== undefined) expect(run.peakRssMb).toBeLessThan(250);
    expect(run.ms).toBeLessThan(20_000);
  });
});
