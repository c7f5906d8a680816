import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../src/report/formatSummary.js';
import { escapeControl } from '../../src/shared/escapeControl.js';
import { aSummary, someTotals } from './reportBuilders.js';

describe('formatSummary', () => {
  it('escapes control characters in every text from outside: the input, the report folder, the reason it stopped', () => {
    const summary = aSummary({
      mode: 'apply',
      totals: someTotals({ rejected: 1 }),
      status: 'aborted',
      abortReason: 'the OMS said \u001b[2Jgone',
      input: { path: 'e\u001b]0;TITLE\u0007.csv', sha256: '', bytes: 0 },
    });
    const text = formatSummary(summary, 'out\nFAKE LINE\u009b');
    // Only the summary's own line breaks: a name cannot add a line or reach the terminal raw.
    expect(escapeControl(text, '\n')).toBe(text);
    expect(text.split('\n')).toHaveLength(
      formatSummary({ ...summary, input: { ...summary.input, path: 'x' } }, 'o').split('\n').length,
    );
    expect(text).toContain('read from e\\u001b]0;TITLE\\u0007.csv');
    expect(text).toContain(': the OMS said \\u001b[2Jgone');
    expect(text).toContain('  Report: out\\u000aFAKE LINE\\u009b/report.html');
  });

  it('gives a dry run its mode, non-zero totals, requests and where the report is', () => {
    const summary = aSummary({ mode: 'dry-run', totals: someTotals({ created: 3, unchanged: 1200, rejected: 2 }) });
    expect(formatSummary(summary, 'reports/run-1/')).toBe(
      [
        'customer-sync dry run 20240501-020000-ab12 finished in 2 min 13 s',
        '  Dry run: nothing was changed in the OMS.',
        '  1,205 rows read from exports/legacy-crm.csv',
        '  3 customers would be created',
        '  1,200 customers are already up to date',
        '  2 rows were rejected',
        '  Requests: 25 GraphQL (9.8/s), 2 retried, 1 rate-limited',
        '  2 rows need attention: see reports/run-1/rejects.csv',
        '  Report: reports/run-1/report.html',
        '',
      ].join('\n'),
    );
  });

  it('words conflicts by their kinds and names the values Fluent did not take as sent', () => {
    const summary = aSummary({
      mode: 'apply',
      totals: someTotals({ updated: 5, conflict: 1, failed: 3 }),
      conflicts: { otherRetailer: 0, caseVariant: 1, concurrent: 0, unseen: 0 },
      notTakenAsSent: { primaryPhone: 2, 'attributes.tier': 1 },
    });
    const lines = formatSummary(summary, 'r').split('\n');
    expect(lines).toContain('  1 row has a username this retailer holds in another case');
    expect(lines).toContain(
      '  Fluent did not take values as sent: primaryPhone (2 rows), attributes.tier (1 row); the reasons say what it holds',
    );
  });

  it('says a run stopped early, why, and that it resumes', () => {
    const summary = aSummary({
      mode: 'apply',
      totals: someTotals({ created: 1 }),
      status: 'aborted',
      abortReason: 'credentials refused',
    });
    const text = formatSummary(summary, 'out');
    expect(text.split('\n')[0]).toBe(
      'customer-sync sync 20240501-020000-ab12 STOPPED EARLY after 2 min 13 s: credentials refused',
    );
    expect(text).toContain('  1 customer was created\n');
    expect(text).toContain('Run the same command again to resume');
    expect(text).not.toContain('need attention');
  });

  it("says how many of the retailer's customers are missing from the file, and where they are listed", () => {
    const text = formatSummary(
      aSummary({ mode: 'apply', totals: someTotals({ unchanged: 5 }), missing: { count: 1204, complete: true } }),
      'r',
    );
    expect(text).toContain('  1,204 customers of the retailer in the OMS not in the file: see r/missing.csv\n');
    expect(formatSummary(aSummary({ totals: someTotals({ unchanged: 5 }) }), 'r')).not.toContain('missing.csv');
  });

  it('leaves requests out of a validation, which sends none', () => {
    const summary = aSummary({ mode: 'validate', totals: someTotals({ valid: 1 }) });
    const text = formatSummary(summary, 'out');
    expect(text).toContain('  1 row read');
    expect(text).toContain('  1 row passed every check');
    expect(text).not.toContain('Requests');
  });

  it('says which changes a create-only or update-only run left out', () => {
    const createOnly = aSummary({ mode: 'apply', options: { mode: 'create-only' } });
    expect(formatSummary(createOnly, 'out')).toContain(
      '\n  Create only: existing customers were left as they are (--mode create-only).\n',
    );
    const updateOnly = aSummary({ mode: 'dry-run', options: { mode: 'update-only' } });
    expect(formatSummary(updateOnly, 'out')).toContain(
      '\n  Update only: no customer was created (--mode update-only).\n',
    );
    expect(formatSummary(aSummary({ options: { mode: 'upsert' } }), 'out')).not.toContain('--mode');
  });

  it('calls a run cut short by --limit a sample, but not one whose file ended first', () => {
    const totals = someTotals({ created: 50 });
    const input = { path: 'big.csv', sha256: 'b'.repeat(64), bytes: 9_000 };
    const sample = aSummary({ totals, options: { limit: 50 }, input: { ...input, complete: false } });
    expect(formatSummary(sample, 'out')).toContain('  50 rows read from big.csv (a sample: the first 50, --limit)\n');
    const whole = aSummary({ totals, options: { limit: 500 }, input: { ...input, complete: true } });
    expect(formatSummary(whole, 'out')).toContain('  50 rows read from big.csv\n');
  });
});
