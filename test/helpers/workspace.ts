import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { RunTotals } from '../../src/types.js';
import { PROJECT_ROOT } from './runCli.js';

/** A temp folder for one test's checkpoint, reports and input files. */
export function makeWorkspace(prefix = 'cs-e2e-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    dir,
    path: (...parts: string[]) => path.join(dir, ...parts),
    write(name: string, content: string | Buffer): string {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content);
      return file;
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export const fixture = (name: string) => path.join(PROJECT_ROOT, 'fixtures', name);

export interface ReportJson {
  runId: string;
  mode: string;
  totals: RunTotals;
  requests: { graphql: number; retries: number; rateLimited: number; effectiveRate: number };
  status: string;
  [key: string]: unknown;
}

export function readReport(dir: string): ReportJson {
  return JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) as ReportJson;
}

/** A report CSV as objects keyed by its header. */
export function readCsv(file: string): Record<string, string>[] {
  return parse(fs.readFileSync(file), { columns: true, bom: true }) as Record<string, string>[];
}
