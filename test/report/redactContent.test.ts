import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redactContent } from '../../src/report/redactContent.js';
import type { DiffLine, RowOutcome } from '../../src/types.js';
import { anOutcome, aReport } from './reportBuilders.js';

const outcomesOf = (content: ReturnType<typeof redactContent>): RowOutcome[] => [...content.outcomes()];

describe('redactContent', () => {
  const report = aReport('apply', [
    anOutcome(1, 'created', { username: '1_jane@example.com' }),
    anOutcome(2, 'rejected', { username: '', reason: 'primaryEmail "jane@" is not a valid email address' }),
    anOutcome(3, 'failed', {
      username: 'CRM-77120',
      reason: 'Fluent refused the create: C0123E: customer CRM-77120 (bob@example.org) already exists',
    }),
  ]);

  it('keeps the first character, the domain and a tag; the same value gets the same mask within a report', () => {
    const content = redactContent(report);
    const [created, rejected, failed] = outcomesOf(content);
    expect(created?.username).toMatch(/^1\*\*\*@example\.com#[0-9a-f]{6}$/);
    expect(rejected?.reason).toMatch(/^primaryEmail "j\*\*\*@#[0-9a-f]{6}" is not a valid email address$/);
    expect(outcomesOf(content)[0]?.username).toBe(created?.username);
    expect(failed?.outcome).toBe('failed');
    expect(failed?.row).toBe(3);
  });

  it('masks values an OMS message echoes without quotes: the row username and email addresses', () => {
    const failed = outcomesOf(redactContent(report, 'key'))[2];
    expect(failed?.reason).not.toMatch(/CRM-77120|bob@/);
    const masked = maskOf('CRM-77120');
    expect(failed?.username).toBe(masked);
    expect(failed?.reason).toBe(
      `Fluent refused the create: C0123E: customer ${masked} (${maskOf('bob@example.org')}) already exists`,
    );
  });

  it('gives different masks with a new random key on every call, the same with the same key', () => {
    const random = [outcomesOf(redactContent(report))[0], outcomesOf(redactContent(report))[0]];
    expect(random[0]?.username).not.toBe(random[1]?.username);
    const keyed = [outcomesOf(redactContent(report, 'k1'))[0], outcomesOf(redactContent(report, 'k1'))[0]];
    expect(keyed[0]?.username).toBe(keyed[1]?.username);
    expect(outcomesOf(redactContent(report, 'k2'))[0]?.username).not.toBe(keyed[0]?.username);
  });

  it('masks cells and reasons of rejects and both sides of diffs; booleans and empty values stay', () => {
    const diffs: DiffLine[] = [
      { username: '1_jane@example.com', field: 'lastName', before: 'Doe', after: 'Smith', input: ' Smith' },
      { username: '1_jane@example.com', field: 'promotionOptIn', before: null, after: true, input: 'Ja' },
    ];
    const rejects = [{ row: 2, cells: ['jane@', 'Jane', ''], reason: 'primaryEmail "jane@" is not valid' }];
    const content = redactContent({ ...report, diffs: () => diffs, rejects: () => rejects }, 'key');
    const [lastName, optIn] = [...content.diffs()];
    expect(lastName).toMatchObject({ field: 'lastName', before: expect.stringMatching(/^D\*\*\*#/) });
    expect(lastName?.after).toMatch(/^S\*\*\*#/);
    expect(lastName?.input).toMatch(/^ \*\*\*#/);
    expect(optIn?.input).toMatch(/^J\*\*\*#/);
    expect(optIn).toMatchObject({ before: null, after: true });
    const [reject] = [...content.rejects()];
    expect(reject?.cells[0]).toMatch(/^j\*\*\*@#/);
    expect(reject?.cells[2]).toBe('');
    expect(reject?.reason).toBe(`primaryEmail "${reject?.cells[0]}" is not valid`);
    expect(content.phoneColumns.size).toBe(0);
  });

  it("masks review lines and rejected values, and a rejected row's identifying values; rows, fields and rules stay", () => {
    const content = redactContent(
      {
        ...report,
        outcomes: () => [
          anOutcome(4, 'rejected', {
            username: '',
            reason: 'country "Deutschland" is not a country (row of primaryEmail "ann@example.com", firstName "Ann")',
          }),
        ],
        review: () => [
          {
            row: 2,
            username: '1_jane@example.com',
            field: 'primaryPhone',
            input: '0412 345 678',
            written: '+61412345678',
            rule: 'phoneAssumedCountry',
          },
        ],
        rejectedValues: () => [{ field: 'country', value: 'Deutschland', rows: 15, example: 4 }],
      },
      'key',
    );
    expect([...(content.review?.() ?? [])]).toEqual([
      {
        row: 2,
        username: maskOf('1_jane@example.com'),
        field: 'primaryPhone',
        input: maskOf('0412 345 678'),
        written: maskOf('+61412345678'),
        rule: 'phoneAssumedCountry',
      },
    ]);
    expect(content.rejectedValues?.()).toEqual([
      { field: 'country', value: maskOf('Deutschland'), rows: 15, example: 4 },
    ]);
    expect(outcomesOf(content)[0]?.reason).toBe(
      `country "${maskOf('Deutschland')}" is not a country (row of primaryEmail "${maskOf('ann@example.com')}", firstName "${maskOf('Ann')}")`,
    );
  });

  it("masks a missing customer's username and email; the OMS id stays, so the owner can still find it", () => {
    const missing = [{ username: '1_gone@example.com', id: '4711', primaryEmail: 'gone@example.com' }];
    const content = redactContent({ ...report, missing: () => missing }, 'key');
    expect([...(content.missing?.() ?? [])]).toEqual([
      { username: maskOf('1_gone@example.com'), id: '4711', primaryEmail: maskOf('gone@example.com') },
    ]);
    expect(redactContent(report).missing).toBeUndefined();
  });
});

/** The mask `redactContent(…, 'key')` gives a value, computed here from the key as a reader holding it could. */
function maskOf(value: string): string {
  const tag = crypto.createHmac('sha256', 'key').update(value).digest('hex').slice(0, 6);
  const at = value.lastIndexOf('@');
  return `${value[0]}***${at > 0 ? value.slice(at) : ''}#${tag}`;
}
