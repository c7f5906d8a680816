import { describe, expect, it } from 'vitest';
import { parseFaults } from '../../src/sandbox/parseFaults.js';

describe('parseFaults', () => {
  it('copies the settings it is given, and nothing else', () => {
    const settings = { random429Rate: 0.5, latencyMs: 0, rateLimitPerSecond: 20, issueRefreshTokens: true, seed: 3 };
    expect(parseFaults(settings)).toEqual({ ok: true, faults: settings });
    expect(parseFaults({})).toEqual({ ok: true, faults: {} });
  });

  it.each<[unknown, string]>([
    [[], 'faults must be a JSON object'],
    [null, 'faults must be a JSON object'],
    [{ random429rate: 0.5 }, "unknown fault setting 'random429rate'"],
    [{ latencyMs: -1, fail: 1 }, "unknown fault setting 'fail'"],
    [{ random5xxRate: 1.5 }, 'random5xxRate must be a number from 0 to 1'],
    [{ cutAfterCommitRate: '0.5' }, 'cutAfterCommitRate must be a number from 0 to 1'],
    [{ random429Rate: Number.NaN }, 'random429Rate must be a number from 0 to 1'],
    [{ retryAfterSeconds: -1 }, 'retryAfterSeconds must be a number of at least 0'],
    [{ latencyMs: Number.POSITIVE_INFINITY }, 'latencyMs must be a number of at least 0'],
    [{ tokenLifetimeSeconds: 0 }, 'tokenLifetimeSeconds must be a number above 0'],
    [{ issueRefreshTokens: 'yes' }, 'issueRefreshTokens must be true or false'],
    [{ refuseUsernamePattern: 5 }, 'refuseUsernamePattern must be a regular expression of 1 to 200 characters'],
    [{ seed: 'one' }, 'seed must be a number'],
  ])('refuses %j in one line naming the setting', (value, message) => {
    expect(parseFaults(value)).toEqual({ ok: false, message });
  });
});
