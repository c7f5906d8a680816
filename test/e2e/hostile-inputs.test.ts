import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { escapeControl } from '../../src/shared/escapeControl.js';
import { type StubServer, startStubServer } from '../fluent/stubServer.js';
import { sharedStringsXml, sheetXml, workbookParts, zipParts } from '../helpers/craftWorkbook.js';
import { generateCustomersCsv } from '../helpers/generateCsv.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace, readCsv, readReport } from '../helpers/workspace.js';

/**
 * The inputs and hooks an attacker (or an unlucky night) hands a nightly job: an Excel workbook with its parts in
 * Excel's order, a zip bomb, a gzip of blank lines, hooks that echo credentials, trickle or flood, and file names
 * holding terminal escapes. Each fails safe: bounded, one line, nothing left behind, nothing leaked.
 */
const ws = makeWorkspace('cs-hostile-');
let sandbox: Sandbox;
const tempDir = ws.path('tmp');
const env = (extra: Record<string, string> = {}) => ({
  ...TEST_CREDENTIALS,
  FLUENT_API_HOST: sandbox.url,
  FLUENT_RETAILER_ID: '5',
  // The job's own temp folder, watched: nothing of an input may be left there.
  TMPDIR: tempDir,
  ...extra,
});
const syncArgs = (file: string, name: string) => [
  'sync',
  file,
  '--checkpoint',
  ws.path('state', `${name}.sqlite`),
  '--report-dir',
  ws.path(name),
  '--rate',
  '500',
];
/** Every file under the workspace's report and checkpoint folders, as text, to look for a leaked secret. */
const everythingWritten = () =>
  fs
    .readdirSync(ws.dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(ws.dir, name))
    .filter((file) => fs.lstatSync(file).isFile() && !file.endsWith('.csv.in'))
    .map((file) => fs.readFileSync(file, 'latin1'))
    .join('\n');
const inOms = () =>
  sandbox
    .customers()
    .map((c) => c.username)
    .sort();

/** Customers as Excel stores them: the sheet first, its texts in the shared strings after it. */
function customersParts(count: number) {
  const strings = ['<t>primaryEmail</t>', '<t>firstName</t>'];
  const rows = ['<c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'];
  for (let i = 1; i <= count; i++) {
    strings.push(`<t>xl${i}@example.com</t>`, `<t>Xl${i}</t>`);
    rows.push(`<c r="A${i + 1}" t="s"><v>${2 * i}</v></c><c r="B${i + 1}" t="s"><v>${2 * i + 1}</v></c>`);
  }
  return workbookParts([['Customers', sheetXml(rows)]], { sharedStrings: sharedStringsXml(strings) });
}

beforeAll(async () => {
  fs.mkdirSync(tempDir);
  fs.mkdirSync(ws.path('state'));
  sandbox = await startSandbox({
    credentials: {
      clientId: TEST_CREDENTIALS.FLUENT_CLIENT_ID,
      clientSecret: TEST_CREDENTIALS.FLUENT_CLIENT_SECRET,
      username: TEST_CREDENTIALS.FLUENT_USERNAME,
      password: TEST_CREDENTIALS.FLUENT_PASSWORD,
    },
    retailers: ['5'],
  });
});
afterAll(async () => {
  await sandbox.close();
  ws.remove();
});

describe('inputs that could fill the disk, the memory or the clock', () => {
  it('syncs a workbook whose sheet comes before its shared strings, leaving nothing in the temp folder', async () => {
    const file = ws.write('customers.xlsx', await zipParts(customersParts(40)));
    const result = await runCli(syncArgs(file, 'xlsx'), { env: env() });
    expect(result.code).toBe(0);
    expect(readReport(ws.path('xlsx')).totals).toMatchObject({ read: 40, created: 40 });
    expect(inOms()).toContain('5_xl40@example.com');
    expect(fs.readdirSync(tempDir)).toEqual([]);
  });

  it('refuses a shared-strings zip bomb with one line and exit 2, before any request, leaving nothing', async () => {
    // 5,000,001 empty strings: 25 MB of XML in a zip of a few KB; the limit is 5,000,000.
    const parts = customersParts(1);
    const strings = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${'<si/>'.repeat(5_000_001)}</sst>`;
    const bomb = parts.map(([name, xml]): [string, string] => [name, name === 'xl/sharedStrings.xml' ? strings : xml]);
    const file = ws.write('bomb.xlsx', await zipParts(bomb));
    expect(fs.statSync(file).size).toBeLessThan(1024 * 1024);
    const requests = sandbox.stats().requests;
    const result = await runCli(syncArgs(file, 'bomb'), { env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      `error: ${file} holds more than 5,000,000 shared strings (distinct texts), more than this tool reads from a workbook; save the sheet as CSV`,
    ]);
    expect(sandbox.stats().requests).toBe(requests);
    expect(fs.existsSync(ws.path('bomb'))).toBe(false);
    expect(fs.readdirSync(tempDir)).toEqual([]);
  });

  it('reads a .csv.gz of a million blank lines at the speed of the parser, numbering lines right', async () => {
    const text = `primaryEmail,firstName\n${'\n'.repeat(1_000_000)}blank@example.com,Bea\n\r\n\r\nnot-an-email,X\n`;
    const file = ws.write('blanks.csv.gz', gzipSync(text));
    const started = Date.now();
    const result = await runCli(['validate', file, '--report-dir', ws.path('blanks')], { env: env() });
    // It took 25 s per million blank lines.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.code).toBe(1);
    expect(readCsv(ws.path('blanks', 'outcomes.csv')).map((o) => [o.row, o.line, o.outcome])).toEqual([
      ['1', '1000002', 'valid'],
      ['2', '1000005', 'rejected'],
    ]);
  });
});

describe('hooks that echo, trickle or flood', () => {
  let echoing: StubServer;
  let flooding: StubServer;
  let hookBodies: string[];
  const checkpoint = () => ws.path('state', 'hooks.sqlite');

  beforeAll(async () => {
    hookBodies = [];
    echoing = await startStubServer((request, response) => {
      if (request.path.startsWith('/services/')) {
        hookBodies.push(request.body);
        response.writeHead(200).end('ok');
      } else response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify(request.headers));
    });
    flooding = await startStubServer(async (_request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'e');
      for (let i = 0; i < 800 && !response.destroyed; i++) {
        if (!response.write(chunk)) await drained(response);
      }
      response.end();
    });
  });
  afterAll(async () => {
    await Promise.all([echoing.close(), flooding.close()]);
  });

  it('a Pushgateway answering 401 with the request echoed: only the status is told; URL secrets masked everywhere', async () => {
    const file = ws.write('hooks.csv.in', generateCustomersCsv(5, { domain: 'hooks.example.com' }));
    const gateway = `${echoing.url.replace('http://', 'http://pguser:PgPass777@')}/gw?token=tok-secret-42`;
    const result = await runCli(
      [
        'sync',
        file,
        '--checkpoint',
        checkpoint(),
        '--report-dir',
        ws.path('hooks-1'),
        '--pushgateway',
        gateway,
        '--notify-url',
        `${echoing.url}/services/T0001/B0002/xoxb-hook-secret-51ac`,
      ],
      { env: env() },
    );
    expect(result.code).toBe(0);
    expect(inOms()).toContain('5_user5@hooks.example.com');
    expect(result.stderr).toContain(
      'warn: could not push the metrics to --pushgateway: the Pushgateway answered HTTP 401\n',
    );
    const options = readReport(ws.path('hooks-1')).options as Record<string, unknown>;
    expect(options.pushgateway).toBe(`${echoing.url.replace('http://', 'http://***@')}/gw?token=***`);
    expect(options.notifyUrl).toBe(`${echoing.url}/***`);
    const written = `${everythingWritten()}${result.stdout}${result.stderr}${hookBodies.join('')}`;
    for (const secret of ['PgPass777', 'pguser', 'tok-secret-42', 'xoxb-hook-secret', 'cGd1c2VyOlBnUGFzczc3Nw==']) {
      expect(written).not.toContain(secret);
    }
  });

  it('a Pushgateway that trickles a byte a second and a webhook answering 500 with 50 MB end within the deadline', async () => {
    const trickling = net.createServer((socket) => {
      socket.on('error', () => {});
      // A valid answer that never ends: a status line, then header lines, one byte a second.
      const answer = `HTTP/1.1 200 OK\r\n${'x-wait: 1\r\n'.repeat(100)}`;
      let at = 0;
      const timer = setInterval(() => socket.write(answer.charAt(at++)), 1_000);
      socket.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => trickling.listen(0, '127.0.0.1', resolve));
    const { port } = trickling.address() as AddressInfo;
    const file = ws.write('hooks-2.csv.in', generateCustomersCsv(3, { domain: 'slow.example.com' }));
    const started = Date.now();
    try {
      const result = await runCli(
        [
          'sync',
          file,
          '--checkpoint',
          checkpoint(),
          '--report-dir',
          ws.path('hooks-2'),
          '--metrics-file',
          ws.path('hooks.prom'),
          '--pushgateway',
          `http://127.0.0.1:${port}`,
          '--notify-url',
          flooding.url,
        ],
        { env: env() },
      );
      // Held over 10 minutes before: the 5 s limit was an idle timeout.
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(result.code).toBe(0);
      const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warn:'));
      expect(warnings.sort()).toEqual([
        'warn: could not notify --notify-url: the webhook answered HTTP 500',
        'warn: could not push the metrics to --pushgateway: no answer within 5 s',
      ]);
      expect(result.stderr.length).toBeLessThan(2_000);
      expect(fs.existsSync(ws.path('hooks.prom'))).toBe(true);
      expect(inOms()).toContain('5_user3@slow.example.com');
    } finally {
      trickling.close();
    }
  });

  it('file names with terminal escapes are printed escaped by sync, validate and undo', async () => {
    const file = ws.write('e\u001b]0;TITLE\u0007.csv.in', generateCustomersCsv(2, { domain: 'esc.example.com' }));
    const reportDir = ws.path('r\u001b[2Jout');
    const validate = await runCli(['validate', file, '--report-dir', reportDir], { env: env() });
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain('read from ');
    expect(validate.stdout).toContain('e\\u001b]0;TITLE\\u0007.csv.in');
    expect(validate.stdout).toContain('r\\u001b[2Jout/report.html');

    const created = await runCli(['sync', file, '--checkpoint', checkpoint()], { env: env() });
    expect(created.code).toBe(0);
    // The same customers renamed, synced into the escaped folder: the run the undo puts back.
    fs.writeFileSync(file, generateCustomersCsv(2, { domain: 'esc.example.com' }).replaceAll(',First', ',Renamed'));
    const sync = await runCli(['sync', file, '--checkpoint', checkpoint(), '--report-dir', reportDir], { env: env() });
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain('r\\u001b[2Jout/report.html');
    const firstNames = () =>
      sandbox
        .customers()
        .filter((c) => c.username.endsWith('@esc.example.com'))
        .map((c) => c.firstName)
        .sort();
    expect(firstNames()).toEqual(['Renamed1', 'Renamed2']);
    const undoDir = ws.path('undo\u001b]0;X\u0007');
    const undo = await runCli(
      ['undo', readReport(reportDir).runId, '--checkpoint', checkpoint(), '--report-dir', undoDir],
      {
        env: env(),
      },
    );
    expect(undo.stderr).toBe('');
    expect(undo.code).toBe(0);
    expect(firstNames()).toEqual(['First1', 'First2']);
    expect(undo.stdout).toContain('undo\\u001b]0;X\\u0007/report.html');
    expect(fs.existsSync(path.join(undoDir, 'report.json'))).toBe(true);
    for (const output of [validate, sync, undo]) {
      const printed = output.stdout + output.stderr;
      expect(escapeControl(printed, '\n')).toBe(printed);
    }
  });
});

/** Resolves when a response can take more, or is gone; leaves no listener behind. */
function drained(response: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
