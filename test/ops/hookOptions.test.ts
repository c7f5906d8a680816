import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { hookSecrets } from '../../src/ops/hookSecrets.js';
import { describeOptions, type RawOptions, resolveOptions } from '../../src/options/index.js';

const resolve = (flags: RawOptions, env: NodeJS.ProcessEnv = {}) =>
  resolveOptions({ command: 'validate', file: 'x.csv', flags, env });

function messageOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('the hooks options', () => {
  it('refuses a webhook or Pushgateway that is not an http(s) URL, without repeating the value', () => {
    for (const value of ['hooks.example.com/T0/B0/secret-part', 'ftp://hooks.example.com/secret-part']) {
      expect(() => resolve({ 'notify-url': value })).toThrow(UsageError);
      expect(() => resolve({ 'notify-url': value })).toThrow(/^--notify-url must be an http:\/\/ or https:\/\/ URL/);
      const message = messageOf(() => resolve({}, { FLUENT_PUSHGATEWAY: value }));
      expect(message).toMatch(/^FLUENT_PUSHGATEWAY must be an http/);
      expect(message).not.toContain('secret-part');
    }
    expect(resolve({ 'notify-url': 'https://hooks.example.com/T0/B0/x', pushgateway: 'http://pg:9091' })).toMatchObject(
      {
        notifyUrl: 'https://hooks.example.com/T0/B0/x',
        pushgateway: 'http://pg:9091',
        reportMissing: false,
      },
    );
  });

  it("refuses a metrics file whose folder does not exist (node_exporter's, never created here), or that is a folder", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-hooks-'));
    try {
      expect(() => resolve({ 'metrics-file': path.join(dir, 'missing', 'm.prom') })).toThrow(
        /^--metrics-file: the folder .*missing cannot be used \(no such file\); create it first$/,
      );
      expect(() => resolve({ 'metrics-file': dir })).toThrow(/is a folder; name the file to write/);
      expect(resolve({ 'metrics-file': path.join(dir, 'm.prom') }).metricsFile).toBe(path.join(dir, 'm.prom'));
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the run scrubber every part of a hook URL that can carry a secret, in every form it can appear in', () => {
    const secrets = hookSecrets({
      notifyUrl: 'https://hooks.example.com/services/T0/B0/abcdefgh1234',
      pushgateway: 'https://ops:p%40ss-9@pg:9091/prefix?token=tok%2Fen-42',
    });
    for (const part of [
      'https://hooks.example.com/services/T0/B0/abcdefgh1234',
      '/services/T0/B0/abcdefgh1234',
      'abcdefgh1234',
      'p%40ss-9',
      'p@ss-9',
      Buffer.from('ops:p@ss-9').toString('base64'),
      'tok/en-42',
      'tok%2Fen-42',
    ]) {
      expect(secrets).toContain(part);
    }
    // Parts too short to be tokens, and the hosts, stay readable.
    expect(secrets).not.toContain('services');
    expect(secrets.some((s) => s === 'pg' || s === 'hooks.example.com')).toBe(false);
    expect(hookSecrets({ notifyUrl: undefined, pushgateway: 'http://pg:9091' })).toEqual([]);
  });

  it('shows hook URLs in the options with user info, query values and a webhook path masked', () => {
    const options = resolve({
      'notify-url': 'https://hooks.slack.com/services/T0001/B0002/xoxb-secret',
      pushgateway: 'https://pguser:PgPass777@pg.example.com:9091/gateway?token=tok-123&x=1#frag',
    });
    expect(describeOptions(options)).toMatchObject({
      notifyUrl: 'https://hooks.slack.com/***',
      pushgateway: 'https://***@pg.example.com:9091/gateway?token=***&x=***#***',
    });
    expect(JSON.stringify(describeOptions(options))).not.toMatch(/xoxb|PgPass|pguser|tok-123|frag/);
  });
});
