import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { layerOptions, readEnvOptions } from '../../src/options/index.js';
import { asRate, wholeNumber } from '../../src/options/values.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-layering-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const job = (content: unknown) => {
  const file = path.join(dir, `job-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(content));
  return file;
};
const concurrency = wholeNumber({ min: 1, max: 1000 });

describe('layerOptions', () => {
  it.each<[string, Record<string, unknown>, Record<string, string>, Record<string, unknown>, unknown, string]>([
    ['the flag over everything', { rate: 7 }, { FLUENT_RATE: '5' }, { rate: 3 }, 7, '--rate'],
    ['env over the job file', {}, { FLUENT_RATE: '5' }, { rate: 3 }, '5', 'FLUENT_RATE'],
    ['the job file when nothing else gives it', {}, {}, { rate: 3 }, 3, ': rate'],
    ['the job file over an env variable set to nothing', {}, { FLUENT_RATE: '' }, { rate: 3 }, 3, ': rate'],
  ])('picks %s', (_, flags, env, file, value, source) => {
    const picked = layerOptions({ flags, env, config: job(file) }).pick('rate');
    expect(picked?.value).toBe(value);
    expect(picked?.source.endsWith(source)).toBe(true);
  });

  it('picks nothing, not the default, when no source gives a value; get falls back to the default', () => {
    const layers = layerOptions({ flags: {}, env: {} });
    expect(layers.pick('rate')).toBeUndefined();
    expect(layers.get('rate', asRate)).toBe(10);
    expect(layers.get('mapping', (v) => v)).toBeUndefined();
    expect(layers.configPath).toBeUndefined();
  });

  it('checks a value with the source it came from, and the default as its flag', () => {
    const file = job({ concurrency: 0 });
    expect(
      usageErrorMessage(() => layerOptions({ flags: {}, env: {}, config: file }).get('concurrency', concurrency)),
    ).toBe(`${file}: concurrency must be a whole number from 1 to 1000, got "0"`);
    const strict = wholeNumber({ min: 9, max: 9 });
    expect(usageErrorMessage(() => layerOptions({ flags: {}, env: {} }).get('concurrency', strict))).toBe(
      '--concurrency must be a whole number from 9 to 9, got "8"',
    );
  });

  it('takes the job file from --config before FLUENT_CONFIG, and reads it before any value is checked', () => {
    const fromFlag = job({ rate: 1 });
    const fromEnv = job({ rate: 2 });
    const layers = layerOptions({ flags: {}, env: { FLUENT_CONFIG: fromEnv }, config: fromFlag });
    expect(layers.configPath).toBe(fromFlag);
    expect(layers.pick('rate')?.value).toBe(1);
    expect(layerOptions({ flags: {}, env: { FLUENT_CONFIG: fromEnv } }).pick('rate')?.value).toBe(2);
    // A bad job file stops the command even when every value it holds is given by a flag too.
    const bad = job({ rate: 1, colour: 'red' });
    expect(usageErrorMessage(() => layerOptions({ flags: { rate: 5 }, env: {}, config: bad }))).toBe(
      `job file ${bad} has an unknown option "colour"`,
    );
  });
});

describe('readEnvOptions', () => {
  it('reads FLUENT_<NAME> of every option, skipping empty ones and everything that is no option', () => {
    expect(
      readEnvOptions({
        FLUENT_API_HOST: 'https://a.example.com',
        FLUENT_MAX_ERROR_RATE: '0.1',
        FLUENT_SHEET: '',
        FLUENT_CLIENT_SECRET: 'hush',
        FLUENT_CONFIG: 'job.json',
        RATE: '5',
      }),
    ).toEqual({ 'api-host': 'https://a.example.com', 'max-error-rate': '0.1' });
  });
});
