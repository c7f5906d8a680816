/**
 * The 1-based shard of N a username belongs to: FNV-1a (32-bit) over the UTF-8 bytes of the case-folded username.
 * Stable on every machine and version (no seeds, no platform hashing), so N machines given the same file split it
 * without overlap, and every spelling of one username lands in one shard, which keeps in-file uniqueness intact.
 */
export function shardOf(username: string, count: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(username.toLowerCase(), 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % count) + 1;
}
