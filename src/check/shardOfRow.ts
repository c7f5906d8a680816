import { shardOf } from './shardOf.js';

/**
 * How shardOfRow assigns rows, as report.json names it (`shard.rule`): a merge recomputes each row's shard by the same
 * rule, and refuses reports of a release that assigned them by another.
 */
export const SHARD_RULE = 'fnv1a32-username-else-row';

/**
 * The 1-based shard of N that owns a row (SPEC §3 `--shard`): the shard of its username when it has one, so every
 * spelling of one username lands in one shard; otherwise (a row rejected before a username could be made of it) the
 * shard its row number falls to, round robin. Every row thus belongs to exactly one shard, counts `skipped` in the
 * others, and the shards' reports add up to the file.
 */
export function shardOfRow(row: number, username: string | undefined, count: number): number {
  return username === undefined ? ((row - 1) % count) + 1 : shardOf(username, count);
}
