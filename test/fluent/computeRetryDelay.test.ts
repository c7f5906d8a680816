import { describe, expect, it } from 'vitest';
import { computeRateLimitDelay, computeRetryDelay, parseRetryAfter } from '../../src/fluent/computeRetryDelay.js';

const policy = (random: number) => ({
  baseBackoffMs: 250,
  maxBackoffMs: 15_000,
  maxRetryAfterMs: 60_000,
  rateBackoffMs: 1_000,
  maxRateBackoffMs: 60_000,
  now: () => Date.parse('2024-05-01T10:00:00Z'),
  random: () => random,
});

describe('computeRetryDelay', () => {
  it('backs off exponentially up to the ceiling, with full jitter', () => {
    expect([1, 2, 3, 4].map((n) => computeRetryDelay(n, undefined, policy(0.999999)))).toEqual([249, 499, 999, 1999]);
    expect(computeRetryDelay(20, undefined, policy(0.999999))).toBe(14_999);
    expect(computeRetryDelay(3, undefined, policy(0))).toBe(0);
    expect(computeRetryDelay(3, undefined, policy(0.5))).toBe(500);
  });

  it('honours Retry-After in seconds or as an HTTP date, capped', () => {
    expect(computeRetryDelay(1, '2', policy(0.5))).toBe(2000);
    expect(computeRetryDelay(1, 'Wed, 01 May 2024 10:00:05 GMT', policy(0.5))).toBe(5000);
    expect(computeRetryDelay(1, '86400', policy(0.5))).toBe(60_000);
  });

  it('falls back to back-off when Retry-After is unreadable', () => {
    expect(parseRetryAfter('soon', Date.now)).toBeUndefined();
    expect(computeRetryDelay(1, 'soon', policy(0.5))).toBe(125);
  });

  it('treats a Retry-After date in the past as no wait', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 09:00:00 GMT', policy(0).now)).toBe(0);
  });
});

describe('computeRateLimitDelay', () => {
  it('without Retry-After, grows from 1 s towards 60 s (a penalty box), never under half its ceiling', () => {
    const longest = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => computeRateLimitDelay(n, undefined, policy(0.999999)));
    expect(longest).toEqual([999, 1999, 3999, 7999, 15_999, 31_999, 59_999, 59_999]);
    const shortest = [1, 2, 3, 7, 12].map((n) => computeRateLimitDelay(n, undefined, policy(0)));
    expect(shortest).toEqual([500, 1000, 2000, 30_000, 30_000]);
  });

  it('honours Retry-After, capped, like any retry', () => {
    expect(computeRateLimitDelay(5, '2', policy(0.5))).toBe(2000);
    expect(computeRateLimitDelay(1, '86400', policy(0.5))).toBe(60_000);
  });
});
