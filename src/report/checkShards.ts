import { UsageError } from '../errors.js';
import { describeShard, type ShardReport } from './readShardReport.js';

/**
 * The shards' reports in shard order, once checked to be every shard of one file, once each, of one kind of run.
 *
 * @throws UsageError naming the folder when a shard is missing or given twice, of a split of another size, of another
 *   input (sha256), of another mode, or read another number of rows
 */
export function checkShards(shards: ShardReport[]): ShardReport[] {
  const [first] = shards;
  if (!first) throw new UsageError('name the report folders of the shards to merge: --merge DIR...');
  const { count } = first.shard;
  const byIndex = new Map<number, ShardReport>();
  for (const report of shards) {
    if (report.shard.count !== count) {
      throw new UsageError(
        `${report.dir} is shard ${describeShard(report.shard)} but ${first.dir} is shard ${describeShard(first.shard)}: merge the shards of one split`,
      );
    }
    const twin = byIndex.get(report.shard.index);
    if (twin) throw new UsageError(`${twin.dir} and ${report.dir} are both shard ${describeShard(report.shard)}`);
    byIndex.set(report.shard.index, report);
  }
  for (let index = 1; index <= count; index++) {
    if (!byIndex.has(index)) {
      throw new UsageError(`shard ${index}/${count} is missing: pass the report folders of all ${count} shards`);
    }
  }
  const common = mostCommon(shards.map((s) => s.summary.input.sha256));
  for (const report of shards) {
    if (report.summary.input.sha256 !== common) {
      throw new UsageError(
        `${report.dir} (shard ${describeShard(report.shard)}) is a report of another file: input sha256 ${report.summary.input.sha256.slice(0, 12)}…, the other shards ${common.slice(0, 12)}…`,
      );
    }
    if (report.summary.mode !== first.summary.mode) {
      throw new UsageError(
        `${report.dir} is a ${report.summary.mode} report but ${first.dir} a ${first.summary.mode} one`,
      );
    }
    if (report.summary.totals.read !== first.summary.totals.read) {
      throw new UsageError(
        `${report.dir} read ${report.summary.totals.read} rows but ${first.dir} ${first.summary.totals.read}: a shard that stopped while reading must run again`,
      );
    }
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, report]) => report);
}

function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best = values[0] ?? '';
  for (const [value, n] of counts) if (n > (counts.get(best) ?? 0)) best = value;
  return best;
}
