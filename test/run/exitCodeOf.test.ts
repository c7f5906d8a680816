import { describe, expect, it } from 'vitest';
import { emptyTotals } from '../../src/report/countOutcomes.js';
import type { ReportSummary } from '../../src/report/reportTypes.js';
import { countNeedingAttention, exitCodeOf } from '../../src/run/exitCodeOf.js';
import type { OutcomeKind } from '../../src/types.js';

const summary = (
  counts: Partial<Record<OutcomeKind, number>>,
  more: Partial<Pick<ReportSummary, 'status' | 'incomplete'>> = {},
): Pick<ReportSummary, 'status' | 'totals' | 'incomplete'> => ({
  status: 'completed',
  totals: { ...emptyTotals(), ...counts },
  ...more,
});

describe('exitCodeOf: the one exit rule of every run that got as far as its report', () => {
  const cases: [string, ReturnType<typeof summary>, 0 | 1 | 3, number][] = [
    [
      'every row created, updated, unchanged, duplicate or skipped',
      summary({ created: 3, updated: 1, unchanged: 4, duplicate: 1, skipped: 2 }),
      0,
      0,
    ],
    ['validate: every row valid', summary({ valid: 5 }), 0, 0],
    ['a rejected row', summary({ created: 3, rejected: 1 }), 1, 1],
    ['a conflict and a failed row', summary({ conflict: 1, failed: 2 }), 1, 3],
    ['stopped early, whatever the rows', summary({ created: 3 }, { status: 'aborted' }), 3, 0],
    ['stopped early with rows needing attention', summary({ rejected: 2 }, { status: 'aborted' }), 3, 2],
    ['an undo that put everything back', summary({ updated: 4, unchanged: 1 }, { incomplete: 0 }), 0, 0],
    ['an undo with created customers or changes since', summary({ updated: 2, skipped: 3 }, { incomplete: 3 }), 1, 3],
    [
      'an undo that put a customer back but for a field changed since',
      summary({ updated: 2 }, { incomplete: 1 }),
      1,
      1,
    ],
  ];
  it.each(cases)('%s', (_, run, code, attention) => {
    expect(exitCodeOf(run)).toBe(code);
    expect(countNeedingAttention(run)).toBe(attention);
  });
});
