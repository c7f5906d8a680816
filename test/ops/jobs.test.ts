import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadMapping } from '../../src/normalise/loadMapping.js';
import { METRIC_NAMES } from '../../src/ops/buildMetrics.js';
import { resolveOptions } from '../../src/options/index.js';
import { PROJECT_ROOT } from '../helpers/runCli.js';

const jobs = (name: string) => path.join(PROJECT_ROOT, 'jobs', name);
const readText = (file: string) => fs.readFileSync(file, 'utf8');

/** Where the Dockerfile puts the project's folders in the image: /app/bin → bin/, and so on. */
function repoPathOf(imagePath: string): string | undefined {
  const match = /^\/app\/(.+)$/.exec(imagePath);
  return match ? path.join(PROJECT_ROOT, match[1] as string) : undefined;
}

/** Every string in a parsed YAML document. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

// biome-ignore lint/suspicious/noExplicitAny: the manifest is read as Kubernetes would, field by field
const manifest: any = parse(readText(jobs('k8s-indexed-job.yaml')));
const container = manifest.spec.template.spec.containers[0];
const envOf = (name: string): string | undefined => container.env.find((e: { name: string }) => e.name === name)?.value;

describe('jobs/k8s-indexed-job.yaml', () => {
  it('is an Indexed Job of N pods, each told N, with restartPolicy Never as a podFailurePolicy needs', () => {
    expect(manifest).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job' });
    expect(manifest.spec.completionMode).toBe('Indexed');
    expect(manifest.spec.parallelism).toBe(manifest.spec.completions);
    expect(Number(envOf('SHARDS'))).toBe(manifest.spec.completions);
    expect(manifest.spec.template.spec.restartPolicy).toBe('Never');
    expect(manifest.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
  });

  it('fails the Job at once on exit 2, retries exit 3, and never retries exit 1 without end', () => {
    const rules: { action: string; onExitCodes?: { containerName?: string; operator: string; values: number[] } }[] =
      manifest.spec.podFailurePolicy.rules;
    const onCodes = rules.filter((rule) => rule.onExitCodes);
    expect(onCodes).toEqual([
      { action: 'FailJob', onExitCodes: { containerName: container.name, operator: 'In', values: [2] } },
    ]);
    expect(manifest.spec.backoffLimit).toBeGreaterThan(0);
    // Exit 1 becomes 0 in the entrypoint: the shard finished, and its report says which rows need attention.
    expect(container.command).toEqual(['/app/jobs/k8s-entrypoint.sh']);
    expect(readText(jobs('k8s-entrypoint.sh'))).toMatch(/if \[ "\$code" -eq 1 \]; then[\s\S]*exit 0/);
  });

  it('names only files that exist in the image the Dockerfile builds', () => {
    const imagePaths = stringsOf(manifest).filter((s) => s.startsWith('/app/'));
    expect(imagePaths.length).toBeGreaterThanOrEqual(2);
    for (const imagePath of imagePaths) {
      const repoPath = repoPathOf(imagePath) as string;
      expect(fs.existsSync(repoPath), imagePath).toBe(true);
      const folder = path.relative(PROJECT_ROOT, repoPath).split(path.sep)[0];
      expect(readText(path.join(PROJECT_ROOT, 'Dockerfile'))).toContain(`COPY ${folder} ./${folder}`);
    }
    expect(fs.statSync(jobs('k8s-entrypoint.sh')).mode & 0o111).toBe(0o111);
  });
});

describe('jobs/nightly.json', () => {
  it("reads as options, with a mapping file of its own in jobs/ (not the demo's fixture) that loads", () => {
    const options = resolveOptions({
      command: 'sync',
      file: 'dump.csv',
      flags: {},
      env: {},
      config: jobs('nightly.json'),
    });
    expect(options.mapping).toBe(jobs('nightly-mapping.json'));
    expect(options.mapping).not.toContain('fixtures');
    expect(Object.values(loadMapping(options.mapping as string).columns)).toEqual(
      expect.arrayContaining(['primaryEmail', 'firstName', 'lastName', 'promotionOptIn']),
    );
  });
});

describe('jobs/crontab', () => {
  const line = readText(jobs('crontab'))
    .split('\n')
    .find((l) => l.includes(' sync ') && !l.startsWith('#')) as string;

  it('keeps every report: each run in reports/<run-id>/ of a base folder, never a folder per day', () => {
    expect(line).toBeDefined();
    expect(line).not.toContain('--report-dir');
    expect(line).not.toContain('date');
    expect(line).toMatch(/^[\d* ]+ cd \/var\/lib\/customer-sync && /);
  });

  it('writes the metrics file and uses the job file of this folder', () => {
    expect(line).toMatch(/--metrics-file \S+\.prom/);
    const config = /--config (\S+)/.exec(line)?.[1] as string;
    expect(fs.existsSync(jobs(path.basename(config)))).toBe(true);
  });
});

describe('jobs/prometheus-alerts.yml', () => {
  it('alerts on the age of the last success, by the metric names of SPEC §4', () => {
    const rules: { alert: string; expr: string }[] = parse(readText(jobs('prometheus-alerts.yml'))).groups.flatMap(
      (group: { rules: unknown[] }) => group.rules,
    );
    const stale = rules.find((rule) => rule.expr.includes(METRIC_NAMES.lastSuccess));
    expect(stale?.expr).toMatch(/^time\(\) - customer_sync_last_success_timestamp_seconds/);
    const names = new Set(Object.values(METRIC_NAMES) as string[]);
    for (const rule of rules) {
      const used = rule.expr.match(/customer_sync_[a-z_]+/g) ?? [];
      for (const name of used) expect(names.has(name), `${rule.alert}: ${name}`).toBe(true);
    }
  });
});
