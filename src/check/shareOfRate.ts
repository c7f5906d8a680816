import type { Shard } from '../options.js';

/**
 * The requests per second one process may send (SPEC §2): `--rate` is the budget of all N shards of a job together,
 * so each shard takes rate/N and N pods started at once stay within what the OMS was promised. Without a shard, all of
 * it.
 */
export function shareOfRate(rate: number, shard: Shard | undefined): number {
  return shard ? rate / shard.count : rate;
}
