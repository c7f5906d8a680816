/**
 * A seeded PRNG (mulberry32): tiny, fast and good enough to decide faults, and the same sequence for the same
 * seed on every machine, so a failing fault test can be replayed.
 *
 * @param seed any number; its integer part (mod 2^32) is used
 * @returns a function giving the next number in [0, 1)
 */
export function createRandom(seed: number): () => number {
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
