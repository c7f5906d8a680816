import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJobFile } from '../../src/options/index.js';
import { jobFileJsonSchema } from '../../src/options/jobFile.js';
import { loadZod } from '../../src/shared/loadZod.js';
import { PROJECT_ROOT } from '../helpers/runCli.js';
import { renderOptionsDoc } from './renderOptionsDoc.js';

/**
 * docs/options.md and docs/job-file.schema.json are generated from the option specs; each test fails while the
 * committed file differs. `npm run docs` (UPDATE_DOCS=1) writes them again.
 */
const UPDATE = process.env.UPDATE_DOCS === '1';
const docs = (name: string) => path.join(PROJECT_ROOT, 'docs', name);

function expectGenerated(file: string, generated: string): void {
  if (UPDATE) fs.writeFileSync(file, generated);
  const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  expect(committed, `${path.relative(PROJECT_ROOT, file)} is out of date: run npm run docs`).toBe(generated);
}

describe('the generated docs', () => {
  it('docs/options.md is what the option specs say', () => {
    expectGenerated(docs('options.md'), renderOptionsDoc());
  });

  it('docs/job-file.schema.json is what the option specs say', () => {
    expectGenerated(docs('job-file.schema.json'), `${JSON.stringify(jobFileJsonSchema(loadZod()), null, 2)}\n`);
  });
});

describe('the job files in jobs/', () => {
  const jobFiles = fs
    .readdirSync(path.join(PROJECT_ROOT, 'jobs'))
    .filter((name) => name.endsWith('.json') && !name.endsWith('-mapping.json'));

  it.each(jobFiles)('%s names the published schema, which the reader ignores', (name) => {
    const file = path.join(PROJECT_ROOT, 'jobs', name);
    const job = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(job.$schema).toBe('../docs/job-file.schema.json');
    expect(fs.existsSync(path.resolve(path.dirname(file), job.$schema as string))).toBe(true);
    expect(Object.keys(readJobFile(file))).not.toContain('$schema');
  });
});
