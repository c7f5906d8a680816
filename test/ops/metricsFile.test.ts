import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { announceRunEnd } from '../../src/ops/announceRunEnd.js';
import { METRIC_NAMES } from '../../src/ops/buildMetrics.js';
import { checkMetricsFile, shardMetricsFile } from '../../src/ops/checkMetricsFile.js';
import type { RunEnd } from '../../src/ops/opsTypes.js';
import { readMetricsFile } from '../../src/ops/readMetricsFile.js';
import { writeMetricsFile } from '../../src/ops/writeMetricsFile.js';
import { createScrubber } from '../../src/shared/createScrubber.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';
import { aTempDir } from '../report/reportBuilders.js';

const IS_ROOT = process.geteuid?.() === 0;
const OTHER_UID = 12345;
const PLANTED = `${METRIC_NAMES.lastSuccess}{retailer="7",mode="apply"} 9999999999\n`;

let temp: ReturnType<typeof aTempDir>;
beforeEach(() => {
  temp = aTempDir();
});
afterEach(() => temp.cleanup());

const anEnd = (): RunEnd => ({
  runId: 'r',
  mode: 'apply',
  retailerId: '7',
  shard: undefined,
  exitCode: 2,
  startedAt: new Date('2026-03-01T02:15:00.000Z'),
  finishedAt: new Date('2026-03-01T02:16:00.000Z'),
  summary: undefined,
  reportDir: undefined,
  error: 'refused',
});

describe('the metrics file of another user', () => {
  it.skipIf(!IS_ROOT)(
    'is refused when the options are read, and at the end is not read, carried over or replaced',
    async () => {
      const file = path.join(temp.dir, 'customer_sync.prom');
      fs.writeFileSync(file, PLANTED);
      fs.chownSync(file, OTHER_UID, OTHER_UID);
      const before = { bytes: fs.readFileSync(file), ino: fs.statSync(file).ino };
      expect(usageErrorMessage(() => checkMetricsFile(file, '--metrics-file'))).toBe(
        `--metrics-file: ${file} belongs to another user (uid ${OTHER_UID}); customer-sync neither reads nor replaces it: remove it or name another file`,
      );
      expect(() => readMetricsFile(file)).toThrow(`${file} belongs to another user (uid ${OTHER_UID})`);
      expect(() => writeMetricsFile(file, 'x 1\n')).toThrow(/belongs to another user/);

      let logged = '';
      const stream = {
        write: (text: string) => {
          logged += text;
          return true;
        },
      } as unknown as NodeJS.WritableStream;
      const scrubber = createScrubber([]);
      const log = createLogger({ stream, format: 'text', scrubber });
      await announceRunEnd(
        anEnd(),
        { metricsFile: file, pushgateway: undefined, notifyUrl: undefined },
        { log, scrubber },
      );
      expect(logged).toMatch(/is not read, so no value carries over: .*belongs to another user/);
      expect(logged).toMatch(/could not write the metrics file .*belongs to another user/);
      expect({ bytes: fs.readFileSync(file), ino: fs.statSync(file).ino }).toEqual(before);
      expect(fs.statSync(file).uid).toBe(OTHER_UID);
      expect(fs.readdirSync(temp.dir)).toEqual(['customer_sync.prom']);
    },
  );

  it.skipIf(!IS_ROOT)('is not reached through a folder or link of another user', () => {
    const theirs = path.join(temp.dir, 'textfile');
    fs.mkdirSync(theirs);
    fs.chownSync(theirs, OTHER_UID, OTHER_UID);
    expect(usageErrorMessage(() => checkMetricsFile(path.join(theirs, 'm.prom'), '--metrics-file'))).toMatch(
      `${theirs} is a folder of another user (uid ${OTHER_UID})`,
    );
    const link = path.join(temp.dir, 'm.prom');
    fs.symlinkSync(path.join(temp.dir, 'elsewhere.prom'), link);
    fs.lchownSync(link, OTHER_UID, OTHER_UID);
    expect(usageErrorMessage(() => checkMetricsFile(link, '--metrics-file'))).toMatch(
      `${link} is a symbolic link of another user (uid ${OTHER_UID}), which customer-sync neither follows nor replaces`,
    );
    expect(fs.existsSync(path.join(temp.dir, 'elsewhere.prom'))).toBe(false);
  });
});

describe('the metrics file of a shard', () => {
  it('carries the shard in its name, so the shards of one job write side by side in one textfile folder', () => {
    const file = path.join(temp.dir, 'customer_sync.prom');
    expect(shardMetricsFile(file, { index: 2, count: 4 })).toBe(path.join(temp.dir, 'customer_sync-shard-2-of-4.prom'));
    expect(checkMetricsFile(file, '--metrics-file', { index: 1, count: 3 })).toBe(
      path.join(temp.dir, 'customer_sync-shard-1-of-3.prom'),
    );
    expect(checkMetricsFile(file, '--metrics-file')).toBe(file);
  });
});
