import { describe, expect, it } from 'vitest';
import { suggestName } from '../../src/shared/suggestName.js';

const FLAGS = ['dry-run', 'retailer-id', 'max-error-rate', 'mode', 'limit', 'rate', 'report-dir', 'log-format'];

describe('suggestName', () => {
  it.each([
    ['dry-rn', 'dry-run'],
    ['dryrun', 'dry-run'],
    ['retailerid', 'retailer-id'],
    ['retailerId', 'retailer-id'],
    ['maxErorRate', 'max-error-rate'],
    ['reportdir', 'report-dir'],
    ['mdoe', 'mode'],
    ['limt', 'limit'],
    ['log_format', 'log-format'],
  ])('%s → %s', (given, meant) => {
    expect(suggestName(given, FLAGS)).toBe(meant);
  });

  it.each(['verbose', 'x', 'retry', 'output'])('offers nothing for %s, which is no near miss', (given) => {
    expect(suggestName(given, FLAGS)).toBeUndefined();
  });

  it('does not offer a word that differs in meaning by two letters of six', () => {
    expect(suggestName('insert', ['upsert', 'create-only', 'update-only'])).toBeUndefined();
  });
});
