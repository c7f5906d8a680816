import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { readCredentials, secretValues } from '../../src/fluent/credentials.js';

const full = {
  FLUENT_CLIENT_ID: 'client-id-value',
  FLUENT_CLIENT_SECRET: 'client-secret-value',
  FLUENT_USERNAME: 'user-value',
  FLUENT_PASSWORD: 'password-value',
};

describe('readCredentials', () => {
  it('reads the four password-grant variables', () => {
    expect(readCredentials(full)).toEqual({
      kind: 'password',
      clientId: 'client-id-value',
      clientSecret: 'client-secret-value',
      username: 'user-value',
      password: 'password-value',
    });
  });

  it('prefers FLUENT_ACCESS_TOKEN, which skips the grant', () => {
    expect(readCredentials({ ...full, FLUENT_ACCESS_TOKEN: 'tok' })).toEqual({ kind: 'token', accessToken: 'tok' });
  });

  it('returns undefined when no credentials are set (validate needs none)', () => {
    expect(readCredentials({ PATH: '/bin', FLUENT_API_HOST: 'https://x' })).toBeUndefined();
  });

  it('names the missing variables of a partial set, never a value', () => {
    const partial = { FLUENT_CLIENT_ID: 'client-id-value', FLUENT_PASSWORD: 'password-value', FLUENT_USERNAME: '' };
    let caught: unknown;
    try {
      readCredentials(partial);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    const message = (caught as Error).message;
    expect(message).toContain('FLUENT_CLIENT_SECRET');
    expect(message).toContain('FLUENT_USERNAME');
    expect(message).not.toContain('client-id-value');
    expect(message).not.toContain('password-value');
  });
});

describe('secretValues', () => {
  it('lists every credential value to scrub', () => {
    const values = secretValues({ kind: 'password', ...splitFull() });
    expect(values.sort()).toEqual(['client-id-value', 'client-secret-value', 'password-value', 'user-value']);
    expect(secretValues({ kind: 'token', accessToken: 'tok' })).toEqual(['tok']);
  });
});

function splitFull() {
  return {
    clientId: full.FLUENT_CLIENT_ID,
    clientSecret: full.FLUENT_CLIENT_SECRET,
    username: full.FLUENT_USERNAME,
    password: full.FLUENT_PASSWORD,
  };
}
