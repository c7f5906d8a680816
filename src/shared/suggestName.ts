/**
 * The candidate a mistyped name most likely meant, for a "did you mean …?" hint: the closest by edit distance
 * (insertions, deletions, substitutions and swaps of neighbours, without regard to case, `-` and `_`), if it is
 * close enough to be a typo — one edit per four characters, at least 1 and at most 3 — else undefined. Stricter
 * would miss `--maxerorrate`; looser would offer `upsert` for `insert`, a word that means something else.
 */
export function suggestName(given: string, candidates: Iterable<string>): string | undefined {
  const key = comparable(given);
  const allowed = Math.min(3, Math.max(1, Math.floor(key.length / 4)));
  let best: string | undefined;
  let bestDistance = allowed + 1;
  for (const candidate of candidates) {
    const distance = editDistance(key, comparable(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function comparable(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** Optimal string alignment distance: Levenshtein plus the swap of two neighbouring characters. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}
