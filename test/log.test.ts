import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { createScrubber } from '../src/shared/createScrubber.js';

function capture(format: 'text' | 'json', secrets: string[]) {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const scrubber = createScrubber(secrets);
  const log = createLogger({ stream, format, scrubber, now: () => new Date(0) });
  return { log, scrubber, out: () => out };
}

describe('the scrubber', () => {
  it('masks every secret, the longest first, and learns new ones as they are granted', () => {
    const scrubber = createScrubber(['abcd', 'abcdefgh', '', 'ab']);
    expect(scrubber.scrub('x abcdefgh y abcd z ab')).toBe('x *** y *** z ab');
    scrubber.add('token-123');
    expect(scrubber.scrubValue({ reason: 'Bearer token-123', list: ['token-123'], n: 1 })).toEqual({
      reason: 'Bearer ***',
      list: ['***'],
      n: 1,
    });
  });
});

describe('the logger', () => {
  it('masks a secret holding " and \\ before JSON encodes it, so its escaped form never appears', () => {
    const password = 'pa"ss\\word-77';
    const { log, out } = capture('json', [password]);
    log.error(`refused: ${password}`, { detail: `echo ${password}` });
    expect(out()).not.toContain(JSON.stringify(password).slice(1, -1));
    expect(out()).not.toContain(password);
    expect(JSON.parse(out())).toMatchObject({ level: 'error', message: 'refused: ***', detail: 'echo ***' });
  });

  it('masks tokens added after it was created', () => {
    const { log, scrubber, out } = capture('text', []);
    scrubber.add('granted-token-xyz');
    log.warn('got granted-token-xyz back');
    expect(out()).toBe('warn: got *** back\n');
  });

  it('shows control characters from outside as escapes, in text and JSON', () => {
    for (const format of ['text', 'json'] as const) {
      const { log, out } = capture(format, []);
      log.info('header \u001b]0;title\u0007 and \u009b2J');
      expect([...out()].filter((c) => ['\u001b', '\u0007', '\u009b'].includes(c))).toEqual([]);
      const message = format === 'json' ? (JSON.parse(out()) as { message: string }).message : out();
      expect(message).toContain('\\u001b]0;title\\u0007 and \\u009b2J');
    }
  });
});
