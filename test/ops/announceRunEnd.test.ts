import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { announceRunEnd } from '../../src/ops/announceRunEnd.js';
import { METRIC_NAMES } from '../../src/ops/buildMetrics.js';
import type { RunEnd } from '../../src/ops/opsTypes.js';
import { parseMetricsText } from '../../src/ops/parseMetricsText.js';
import { createScrubber } from '../../src/shared/createScrubber.js';
import { findClosedPort, type StubServer, startStubServer } from '../fluent/stubServer.js';
import { aSummary, someTotals } from '../report/reportBuilders.js';

const SECRET = 'S3cret-client-secret-9f2c';

function anEnd(overrides: Partial<RunEnd> = {}): RunEnd {
  return {
    runId: '20260301T021500Z-ab12',
    mode: 'apply',
    retailerId: '7',
    shard: undefined,
    exitCode: 0,
    startedAt: new Date('2026-03-01T02:15:00.000Z'),
    finishedAt: new Date('2026-03-01T02:16:00.000Z'),
    summary: aSummary({ mode: 'apply', totals: someTotals({ created: 2, unchanged: 8 }) }),
    reportDir: 'reports/20260301T021500Z-ab12',
    error: undefined,
    ...overrides,
  };
}

describe('announceRunEnd', () => {
  let dir: string;
  let servers: StubServer[];
  let logged: string;
  const deps = () => {
    const scrubber = createScrubber([SECRET]);
    const stream = {
      write: (text: string) => {
        logged += text;
        return true;
      },
    } as unknown as NodeJS.WritableStream;
    return { log: createLogger({ stream, format: 'text', scrubber }), scrubber, timeoutMs: 500 };
  };
  const listen = async (status = 200, delayMs = 0) => {
    const server = await startStubServer(async (_request, response) => {
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      response.writeHead(status).end();
    });
    servers.push(server);
    return server;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-ops-'));
    servers = [];
    logged = '';
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes the metrics file readable by the collector, leaving no temporary file, and pushes the same metrics', async () => {
    const gateway = await listen();
    const file = path.join(dir, 'customer_sync.prom');
    await announceRunEnd(anEnd(), { metricsFile: file, pushgateway: gateway.url, notifyUrl: undefined }, deps());

    expect(fs.readdirSync(dir)).toEqual(['customer_sync.prom']);
    expect(fs.statSync(file).mode & 0o777).toBe(0o644);
    const written = parseMetricsText(fs.readFileSync(file, 'utf8'));
    expect(written.find((s) => s.name === METRIC_NAMES.rows && s.labels.outcome === 'created')?.value).toBe(2);

    expect(gateway.requests).toHaveLength(1);
    const [push] = gateway.requests;
    // POST keeps what this push leaves out (a last success after a failed run); PUT would delete it.
    expect(push?.method).toBe('POST');
    expect(push?.path).toBe('/metrics/job/customer_sync/retailer/7/mode/apply');
    expect(parseMetricsText(push?.body ?? '')).toEqual(written);
    expect(logged).toBe('');
  });

  it('pushes each shard of a job into a group of its own, so the shards do not replace each other', async () => {
    const gateway = await listen();
    for (const index of [1, 2]) {
      await announceRunEnd(
        anEnd({ shard: { index, count: 2 } }),
        { metricsFile: undefined, pushgateway: gateway.url, notifyUrl: undefined },
        deps(),
      );
    }
    expect(gateway.requests.map((r) => r.path)).toEqual([
      '/metrics/job/customer_sync/retailer/7/mode/apply/shard/1-of-2',
      '/metrics/job/customer_sync/retailer/7/mode/apply/shard/2-of-2',
    ]);
  });

  it("posts the webhook a Slack-compatible summary with counts only, and the run's secrets masked", async () => {
    const hook = await listen();
    const end = anEnd({
      exitCode: 3,
      summary: aSummary({
        mode: 'apply',
        status: 'aborted',
        abortReason: `Fluent refused the credentials <${SECRET}> & more`,
        totals: someTotals({ created: 2, skipped: 8 }),
      }),
    });
    await announceRunEnd(end, { metricsFile: undefined, pushgateway: undefined, notifyUrl: hook.url }, deps());

    expect(hook.requests).toHaveLength(1);
    const [request] = hook.requests;
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(request?.body ?? '{}');
    expect(Object.keys(body).sort()).toEqual(
      ['exitCode', 'mode', 'reportDir', 'runId', 'status', 'text', 'totals'].sort(),
    );
    expect(body).toMatchObject({
      runId: '20260301T021500Z-ab12',
      mode: 'apply',
      status: 'aborted',
      exitCode: 3,
      totals: { read: 10, created: 2, skipped: 8 },
      reportDir: path.resolve('reports/20260301T021500Z-ab12'),
    });
    expect(body.text).toContain('aborted (exit 3)');
    expect(body.text).toContain('10 read: 2 created, 8 skipped');
    // Slack's special characters are encoded, the secret masked before anything left.
    expect(body.text).toContain('&lt;***&gt; &amp; more');
    expect(request?.body).not.toContain(SECRET);
  });

  it('a webhook or Pushgateway that fails or hangs is a warning, never an error, and the metrics file is still written', async () => {
    const refusing = await listen(500);
    const hanging = await listen(200, 5_000);
    const closed = `http://127.0.0.1:${await findClosedPort()}`;
    const file = path.join(dir, 'm.prom');
    const started = Date.now();
    await announceRunEnd(anEnd(), { metricsFile: file, pushgateway: closed, notifyUrl: refusing.url }, deps());
    await announceRunEnd(anEnd(), { metricsFile: undefined, pushgateway: hanging.url, notifyUrl: hanging.url }, deps());
    // Bounded by the hooks' total deadline (500 ms here, the hooks side by side), far below the 5 s the server takes.
    expect(Date.now() - started).toBeLessThan(3_000);

    expect(fs.existsSync(file)).toBe(true);
    expect(logged).toMatch(/warn: could not push the metrics to --pushgateway: .*ECONNREFUSED/);
    expect(logged).toMatch(/warn: could not notify --notify-url: the webhook answered HTTP 500/);
    expect(logged).toContain('warn: could not notify --notify-url: no answer within 500 ms');
    expect(logged).toContain('warn: could not push the metrics to --pushgateway: no answer within 500 ms');
    expect(logged).not.toContain(refusing.url.split(':').at(-1) ?? 'never');
  });

  it('tells only the status of a Pushgateway that answers 401 echoing the request, sending URL credentials as Basic', async () => {
    const gateway = await startStubServer((request, response) => {
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify(request));
    });
    servers.push(gateway);
    const url = gateway.url.replace('http://', 'http://pguser:PgPass777@');
    await announceRunEnd(
      anEnd(),
      { metricsFile: undefined, pushgateway: `${url}/?token=tok-secret-42`, notifyUrl: undefined },
      deps(),
    );

    const [push] = gateway.requests;
    expect(push?.headers.authorization).toBe(`Basic ${Buffer.from('pguser:PgPass777').toString('base64')}`);
    expect(push?.path).toBe('/metrics/job/customer_sync/retailer/7/mode/apply?token=tok-secret-42');
    expect(logged).toBe('warn: could not push the metrics to --pushgateway: the Pushgateway answered HTTP 401\n');
  });

  it('cuts a hook that trickles its answer at a total deadline, and reads a large answer no further than a few KB', async () => {
    // One byte of the status line every 100 ms: never idle for long, never done.
    const trickling = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => {
        const reply = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
        let at = 0;
        const timer = setInterval(() => {
          if (socket.destroyed || at >= reply.length) return clearInterval(timer);
          socket.write(reply.subarray(at, ++at));
        }, 100);
        socket.on('close', () => clearInterval(timer));
      });
    });
    await new Promise<void>((resolve) => trickling.listen(0, '127.0.0.1', resolve));
    let sent = 0;
    const verbose = await startStubServer(async (_request, response) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      // 64 MB, written as fast as the client reads: it stops reading after a few KB.
      for (let i = 0; i < 1024 && !response.destroyed; i++) {
        sent += chunk.length;
        if (!response.write(chunk)) await drained(response);
      }
      response.end();
    });
    servers.push(verbose);
    const { port } = trickling.address() as AddressInfo;
    const started = Date.now();
    try {
      await announceRunEnd(
        anEnd(),
        { metricsFile: undefined, pushgateway: `http://127.0.0.1:${port}`, notifyUrl: verbose.url },
        { ...deps(), timeoutMs: 1_000 },
      );
    } finally {
      trickling.close();
    }
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(logged.split('\n').filter(Boolean).sort()).toEqual([
      'warn: could not notify --notify-url: the webhook answered HTTP 500',
      'warn: could not push the metrics to --pushgateway: no answer within 1 s',
    ]);
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });

  it('replaces a symlink planted at the metrics file without writing through it or reading it', async () => {
    const victim = path.join(dir, 'victim.txt');
    fs.writeFileSync(victim, `${METRIC_NAMES.lastSuccess}{retailer="7",mode="apply"} 42\n`);
    const file = path.join(dir, 'customer_sync.prom');
    fs.symlinkSync(victim, file);
    await announceRunEnd(
      anEnd({ exitCode: 3, summary: undefined }),
      { metricsFile: file, pushgateway: undefined, notifyUrl: undefined },
      deps(),
    );

    expect(fs.readFileSync(victim, 'utf8')).toContain(' 42');
    expect(fs.lstatSync(file).isFile()).toBe(true);
    const samples = parseMetricsText(fs.readFileSync(file, 'utf8'));
    expect(samples.find((s) => s.name === METRIC_NAMES.lastSuccess)).toBeUndefined();
    expect(logged).toMatch(/is not read, so no value carries over: it is a symbolic link/);
  });

  it('a metrics file that cannot be written (its folder gone) is a warning naming it', async () => {
    const file = path.join(dir, 'gone', 'm.prom');
    await announceRunEnd(anEnd(), { metricsFile: file, pushgateway: undefined, notifyUrl: undefined }, deps());
    expect(logged).toContain(`warn: could not write the metrics file ${file}`);
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
