/** Bits of the filter: 64 Mbit, 8 MB whatever the file's size, allocated on first use. */
const BITS = 2 ** 26;
const MASK = BITS - 1;

/** Which keys may have been seen before, with no false "no". */
export interface SeenKeys {
  /** Notes `key`; true when it may have been added before (surely, if it was), false when it surely was not. */
  add(key: string): boolean;
}

/**
 * A Bloom filter of two bits per key over a fixed bit array, so that staging can tell in constant memory which
 * usernames may occur more than once in a file: a key met for the first time is almost always a plain "no", and only
 * the few "maybe"s are checked exactly against the rows. Even at 2 million keys fewer than 0.4% of new keys read
 * "maybe"; each costs an exact check, never a wrong answer.
 */
export function createSeenKeys(): SeenKeys {
  let bits: Uint8Array | undefined;
  return {
    add(key) {
      bits ??= new Uint8Array(BITS / 8);
      // FNV-1a over the UTF-16 code units; the second position from a murmur3 finaliser of the first hash.
      let h = 0x811c9dc5;
      for (let i = 0; i < key.length; i++) {
        h ^= key.charCodeAt(i);
        h = Math.imul(h, 0x01000193);
      }
      let g = h ^ (h >>> 16);
      g = Math.imul(g, 0x85ebca6b);
      g ^= g >>> 13;
      g = Math.imul(g, 0xc2b2ae35);
      g ^= g >>> 16;
      const a = h & MASK;
      const b = g & MASK;
      const maskA = 1 << (a & 7);
      const maskB = 1 << (b & 7);
      const seen = ((bits[a >>> 3] as number) & maskA) !== 0 && ((bits[b >>> 3] as number) & maskB) !== 0;
      bits[a >>> 3] = (bits[a >>> 3] as number) | maskA;
      bits[b >>> 3] = (bits[b >>> 3] as number) | maskB;
      return seen;
    },
  };
}
