import { shardOf } from './shardOf.js';

/**
 * The 1-based shard of N that owns a row (SPEC §3 `--shard`): the shard of its username when it has one, so every
 * spelling of one username lands in one shard; otherwise (a row rejected before a username could be made of it) the
 * shard its row number falls to, round robin. Every row thus belongs to exactly one shard, counts `skipped` in the
 * others, and the shards' reports add up to the file.
 */
export function shardOfRow(row: number, username: string | undefined, count: number): number {
  return username === undefined ? ((row - 1) % count) + 1 : shardOf(username, count);
}
