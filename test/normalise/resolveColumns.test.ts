import { describe, expect, it } from 'vitest';
import { resolveColumns } from '../../src/normalise/resolveColumns.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';

const messageOf = usageErrorMessage;

describe('resolveColumns', () => {
  it.each(['firstName', 'First Name', 'first_name', 'FIRSTNAME', 'first-name', '  First  Name '])(
    'matches %j to firstName',
    (name) => {
      const layout = resolveColumns([name, 'primaryEmail']);
      expect(layout.fieldOfColumn).toEqual(['firstName', 'primaryEmail']);
      expect(layout.columnOfField).toEqual({ firstName: 0, primaryEmail: 1 });
      expect(layout.unmapped).toEqual([]);
    },
  );

  it('matches every Fluent field by its own name', () => {
    const header = [
      'Username',
      'Title',
      'First Name',
      'Last Name',
      'Primary Email',
      'Primary Phone',
      'Time Zone',
      'Promotion Opt In',
      'Department',
      'Country',
    ];
    expect(resolveColumns(header).fieldOfColumn).toEqual([
      'username',
      'title',
      'firstName',
      'lastName',
      'primaryEmail',
      'primaryPhone',
      'timezone',
      'promotionOptIn',
      'department',
      'country',
    ]);
  });

  it('does not guess other names: Email, E-mail and email address stay unmapped', () => {
    const layout = resolveColumns(['Username', 'Email', 'E-mail', 'email address', 'Phone']);
    expect(layout.fieldOfColumn).toEqual(['username', null, null, null, null]);
    expect(layout.unmapped).toEqual(['Email', 'E-mail', 'email address', 'Phone']);
  });

  it('lets mapping entries feed fields, matched against trimmed header names', () => {
    const layout = resolveColumns([' EMAIL_ADDR ', 'Tel', 'CRM ID'], {
      columns: { EMAIL_ADDR: 'primaryEmail', ' Tel': 'primaryPhone' },
    });
    expect(layout.columnOfField).toEqual({ primaryEmail: 0, primaryPhone: 1 });
    expect(layout.unmapped).toEqual(['CRM ID']);
    expect(layout.header).toEqual([' EMAIL_ADDR ', 'Tel', 'CRM ID']);
  });

  it('lets the mapping win over a column named like the same field, which is then unmapped', () => {
    const layout = resolveColumns(['primary_email', 'Work Email'], { columns: { 'Work Email': 'primaryEmail' } });
    expect(layout.columnOfField).toEqual({ primaryEmail: 1 });
    expect(layout.unmapped).toEqual(['primary_email']);
  });

  it('lets the mapping send a Fluent-named column to another field', () => {
    const layout = resolveColumns(['title', 'Email'], { columns: { title: 'department', Email: 'primaryEmail' } });
    expect(layout.columnOfField).toEqual({ department: 0, primaryEmail: 1 });
  });

  it('refuses a mapping key that names no column, naming it and the columns there are', () => {
    expect(messageOf(() => resolveColumns(['Email'], { columns: { EMAIL: 'primaryEmail' } }))).toBe(
      'the mapping names column "EMAIL", which the CSV header does not have (its columns: "Email")',
    );
  });

  it('refuses two columns feeding one field, naming both', () => {
    expect(messageOf(() => resolveColumns(['First Name', 'primaryEmail', 'first_name']))).toBe(
      'columns "First Name" (column 1) and "first_name" (column 3) both map to firstName; rename one or map it with --mapping',
    );
  });

  it('refuses a header with neither an email nor a username column', () => {
    expect(messageOf(() => resolveColumns(['First Name', 'Email']))).toBe(
      'the CSV has no email column and no username column (its columns: "First Name", "Email"); map one with --mapping, e.g. {"columns": {"EMAIL_ADDR": "primaryEmail"}}',
    );
  });

  it('accepts a username column without an email column', () => {
    expect(resolveColumns(['username', 'firstName']).columnOfField).toEqual({ username: 0, firstName: 1 });
  });

  it('passes duplicate and empty header names that feed nothing through as unmapped', () => {
    const layout = resolveColumns(['primaryEmail', 'Notes', 'Notes', '']);
    expect(layout.unmapped).toEqual(['Notes', 'Notes', '']);
  });
});

describe('resolveColumns: mapping keys', () => {
  it('refuses two mapping keys that name the same column once trimmed', () => {
    expect(() => resolveColumns(['Email'], { columns: { Email: 'primaryEmail', ' Email ': 'username' } })).toThrow(
      'the mapping names column "Email" twice; keep one entry',
    );
  });
});
