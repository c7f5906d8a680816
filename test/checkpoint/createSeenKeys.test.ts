import { describe, expect, it } from 'vitest';
import { createSeenKeys } from '../../src/checkpoint/createSeenKeys.js';

describe('the filter of usernames met while staging', () => {
  it('never says a repeated username is new, and rarely says a new one may repeat', () => {
    const seen = createSeenKeys();
    let maybes = 0;
    for (let i = 0; i < 200_000; i++) if (seen.add(`1_user${i}@example.com`)) maybes++;
    // A wrong "maybe" only costs an exact check; at this size it is well under 0.1% of keys.
    expect(maybes).toBeLessThan(200);
    for (const i of [0, 1, 99_999, 199_999]) expect(seen.add(`1_user${i}@example.com`)).toBe(true);
    expect(seen.add('1_ÜSER@example.com')).toBe(false);
    expect(seen.add('1_ÜSER@example.com')).toBe(true);
  });
});
