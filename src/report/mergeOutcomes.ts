import { shardOfRow } from '../check/shardOfRow.js';
import { UsageError } from '../errors.js';
import type { CustomerField, OutcomeKind, RowOutcome, RunTotals } from '../types.js';
import { OUTCOME_KINDS } from '../types.js';
import { restoreCell, type ShardReport, sameCells } from './readShardReport.js';
import { OUTCOMES_HEADER } from './writeReport.js';

/** The columns of an earlier release's outcomes.csv, before `customerId`: still merged. */
const OUTCOMES_HEADER_BEFORE_IDS = OUTCOMES_HEADER.slice(0, -1);

/**
 * The merged outcomes, in row order: the shards' outcomes.csv read side by side (each holds every row of the file),
 * each row taken from the one shard that owns it (ownerOf). `perShard`, when given, counts every shard's own lines.
 * `shards` are in shard order, as checkShards returns them.
 *
 * @throws UsageError when a file is no outcomes.csv of a report, ends early, or the shards disagree about a row
 */
export function* mergeOutcomes(shards: readonly ShardReport[], perShard?: RunTotals[]): Generator<RowOutcome> {
  const readers = shards.map((s) => s.outcomes.records());
  try {
    shards.forEach((report, i) => {
      const header = readers[i]?.next();
      const cells = header?.done ? undefined : header?.value;
      if (!sameCells(cells, OUTCOMES_HEADER) && !sameCells(cells, OUTCOMES_HEADER_BEFORE_IDS)) {
        throw new UsageError(`${report.dir}/outcomes.csv does not start with the header ${OUTCOMES_HEADER.join(',')}`);
      }
    });
    for (let expected = 1; ; expected++) {
      const lines = readers.map((reader, i) => {
        const next = reader.next();
        return next.done ? undefined : toOutcome(next.value, shards[i] as ShardReport, expected);
      });
      const ended = lines.filter((line) => line === undefined).length;
      if (ended === lines.length) return;
      if (ended > 0) {
        const short = shards[lines.indexOf(undefined)] as ShardReport;
        throw new UsageError(`${short.dir}/outcomes.csv ends before row ${expected}, where the other shards go on`);
      }
      lines.forEach((line, i) => {
        const counts = perShard?.[i];
        if (counts && line) {
          counts[line.outcome] += 1;
          counts.read += 1;
        }
      });
      yield ownLine(lines as RowOutcome[], shards, expected);
    }
  } finally {
    for (const reader of readers) reader.return();
  }
}

function toOutcome(cells: string[], report: ShardReport, expected: number): RowOutcome {
  const [row, line, username, outcome, reason, changedFields, customerId] = cells.map(restoreCell);
  if (Number(row) !== expected || !OUTCOME_KINDS.includes(outcome as OutcomeKind)) {
    throw new UsageError(`${report.dir}/outcomes.csv: the line for row ${expected} is not one of this tool's`);
  }
  return {
    row: expected,
    line: Number(line),
    username: username ?? '',
    outcome: outcome as OutcomeKind,
    reason: reason ?? '',
    changedFields: changedFields ? (changedFields.split(';') as CustomerField[]) : [],
    customerId: customerId ?? '',
  };
}

/** The line of the shard that owns the row, checked against what the other shards say. */
function ownLine(lines: readonly RowOutcome[], shards: readonly ShardReport[], row: number): RowOutcome {
  const owner = ownerOf(lines, shards, row);
  if (owner === undefined) {
    throw new UsageError(
      `row ${row}: the shards disagree about which of them holds it; were they run on the same file with the same options?`,
    );
  }
  const chosen = lines[owner] as RowOutcome;
  if (lines.some((line) => line.line !== chosen.line)) {
    throw new UsageError(`row ${row} starts on different lines in the shards' reports: they read different files`);
  }
  return chosen;
}

/**
 * Which of `lines` (one per shard) is the owning shard's, worked out as the runs did (shardOfRow): every `skipped`
 * line holds the username its run took the row's shard from, empty where the row could not be normalised (its row
 * number then decides). Every skipped line must name one shard, and every other shard's line be skipped; undefined
 * when they do not (shards of different files or options). The owner's own line may be skipped too (a run that
 * stopped before it), and names its own shard then.
 */
function ownerOf(lines: readonly RowOutcome[], shards: readonly ShardReport[], row: number): number | undefined {
  const { count } = (shards[0] as ShardReport).shard;
  if (count === 1) return 0;
  let owner: number | undefined;
  for (const line of lines) {
    if (line.outcome !== 'skipped') continue;
    const shard = shardOfRow(row, line.username === '' ? undefined : line.username, count);
    if (owner !== undefined && owner !== shard) return undefined;
    owner = shard;
  }
  const at = shards.findIndex((s) => s.shard.index === owner);
  if (at === -1) return undefined;
  return lines.every((line, i) => i === at || line.outcome === 'skipped') ? at : undefined;
}
