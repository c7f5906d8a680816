import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { readSandboxCredentials } from '../../src/sandbox/readSandboxCredentials.js';

describe('readSandboxCredentials', () => {
  it('is undefined when SANDBOX_CREDENTIALS is unset or empty', () => {
    expect(readSandboxCredentials({})).toBeUndefined();
    expect(readSandboxCredentials({ SANDBOX_CREDENTIALS: '' })).toBeUndefined();
  });

  it('reads id:secret:user:pass, the password keeping any further colons', () => {
    expect(readSandboxCredentials({ SANDBOX_CREDENTIALS: 'cid:sec:ops:pa:ss' })).toEqual({
      clientId: 'cid',
      clientSecret: 'sec',
      username: 'ops',
      password: 'pa:ss',
    });
  });

  it('refuses a malformed value without repeating it', () => {
    for (const value of ['cid:topsecret:ops', 'cid::ops:pass', 'cid:topsecret:ops:', 'topsecret']) {
      let caught: unknown;
      try {
        readSandboxCredentials({ SANDBOX_CREDENTIALS: value });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UsageError);
      expect((caught as Error).message).toContain('SANDBOX_CREDENTIALS');
      expect((caught as Error).message).not.toContain('topsecret');
    }
  });
});
