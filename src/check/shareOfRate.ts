import type { Shard } from '../options/index.js';

/**
 * The requests per second one process may send (SPEC §2): `--rate` is the budget of all N shards of a job together,
 * so each shard takes rate/N and N pods started at once stay within what the OMS was promised. Without a shard, all of
 * it. `auto` stays `auto`: each shard's client finds its share of the OMS's limit as it climbs and backs off, as
 * flows sharing a link do.
 */
export function shareOfRate(rate: number | 'auto', shard: Shard | undefined): number | 'auto' {
  return shard && rate !== 'auto' ? rate / shard.count : rate;
}
