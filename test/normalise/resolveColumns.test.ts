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

  it('leaves names that are no field and no common name for one unmapped', () => {
    const layout = resolveColumns(['Username', 'Email Opt Out', 'Work Email', 'Login', 'Notes']);
    expect(layout.fieldOfColumn).toEqual(['username', null, null, null, null]);
    expect(layout.unmapped).toEqual(['Email Opt Out', 'Work Email', 'Login', 'Notes']);
    expect(layout.guessed).toEqual([]);
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
    expect(messageOf(() => resolveColumns(['First Name', 'Contact']))).toBe(
      'the CSV has no email column and no username column (its columns: "First Name", "Contact"); map one with --mapping, e.g. {"columns": {"EMAIL_ADDR": "primaryEmail"}}',
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

describe('resolveColumns: the names people write', () => {
  it.each([
    ['Email', 'primaryEmail'],
    ['E-Mail', 'primaryEmail'],
    ['e_mail', 'primaryEmail'],
    ['Email Address', 'primaryEmail'],
    ['E-mail address', 'primaryEmail'],
    ['MAIL', 'primaryEmail'],
    ['Phone', 'primaryPhone'],
    ['Mobile', 'primaryPhone'],
    ['Mobile Number', 'primaryPhone'],
    ['Telephone', 'primaryPhone'],
    ['Tel', 'primaryPhone'],
    ['Cell', 'primaryPhone'],
    ['cell-phone', 'primaryPhone'],
    ['Surname', 'lastName'],
    ['Family Name', 'lastName'],
    ['family_name', 'lastName'],
    ['Given Name', 'firstName'],
    ['Forename', 'firstName'],
    ['Salutation', 'title'],
    ['Opt In', 'promotionOptIn'],
    ['opt-in', 'promotionOptIn'],
    ['Marketing Consent', 'promotionOptIn'],
    ['Newsletter', 'promotionOptIn'],
    ['Accepts Email Marketing', 'promotionOptIn'],
    ['Country Code', 'country'],
    ['Country/Region', 'country'],
    ['TZ', 'timezone'],
    ['Dept', 'department'],
  ])('reads %j as %s, and says it guessed', (name, field) => {
    const layout = resolveColumns(['username', name]);
    expect(layout.fieldOfColumn).toEqual(['username', field]);
    expect(layout.guessed).toEqual([{ header: name, field }]);
    expect(layout.unmapped).toEqual([]);
  });

  it('reads a real CRM header without a mapping file, noting each guess once', () => {
    const header = [
      '\uFEFFCustomer ID',
      'Salutation',
      'First Name',
      'Surname',
      'E-Mail',
      'Phone',
      'Country',
      'Newsletter',
    ];
    const layout = resolveColumns(header);
    expect(layout.columnOfField).toEqual({
      title: 1,
      firstName: 2,
      lastName: 3,
      primaryEmail: 4,
      primaryPhone: 5,
      country: 6,
      promotionOptIn: 7,
    });
    expect(layout.guessed.map((g) => `${g.header} → ${g.field}`)).toEqual([
      'Salutation → title',
      'Surname → lastName',
      'E-Mail → primaryEmail',
      'Phone → primaryPhone',
      'Newsletter → promotionOptIn',
    ]);
  });

  it("lets a field's own name win over a synonym, wherever the columns stand", () => {
    for (const header of [
      ['Email', 'primary_email', 'E-Mail'],
      ['primary_email', 'E-Mail', 'Email'],
    ]) {
      const layout = resolveColumns(header);
      expect(layout.columnOfField.primaryEmail).toBe(header.indexOf('primary_email'));
      expect(layout.guessed).toEqual([]);
      expect(layout.unmapped).toEqual(header.filter((name) => name !== 'primary_email'));
    }
  });

  it('lets a mapping entry win over a synonym', () => {
    const layout = resolveColumns(['Email', 'Work Email'], { columns: { 'Work Email': 'primaryEmail' } });
    expect(layout.columnOfField).toEqual({ primaryEmail: 1 });
    expect(layout.unmapped).toEqual(['Email']);
    expect(layout.guessed).toEqual([]);
  });

  it('refuses two columns that could both be one field, naming both and the fix', () => {
    expect(messageOf(() => resolveColumns(['Email', 'Phone', 'Mobile']))).toBe(
      'columns "Phone" (column 2) and "Mobile" (column 3) could both be primaryPhone; name the one to use in a mapping file, e.g. {"columns": {"Phone": "primaryPhone"}}',
    );
  });

  it('never guesses a username: it decides who the customer is', () => {
    const layout = resolveColumns(['Email', 'Login', 'User ID']);
    expect(layout.columnOfField).toEqual({ primaryEmail: 0 });
  });
});

describe('resolveColumns: attributes', () => {
  const attributes = {
    CRM_ID: { name: 'legacyCrmId', type: 'STRING' as const },
    Tier: { name: 'loyaltyTier', type: 'INTEGER' as const },
  };

  it('keeps the mapped columns as attributes in file order, neither unmapped nor guessed', () => {
    const layout = resolveColumns(['Tier', 'Email', ' CRM_ID ', 'Notes'], { columns: {}, attributes });
    expect(layout.attributes).toEqual([
      { column: 0, name: 'loyaltyTier', type: 'INTEGER' },
      { column: 2, name: 'legacyCrmId', type: 'STRING' },
    ]);
    expect(layout.unmapped).toEqual(['Notes']);
    expect(layout.fieldOfColumn).toEqual([null, 'primaryEmail', null, null]);
  });

  it('does not also read an attribute column as a field by its name', () => {
    const layout = resolveColumns(['Email', 'Phone'], {
      columns: {},
      attributes: { Phone: { name: 'legacyPhone', type: 'STRING' } },
    });
    expect(layout.columnOfField).toEqual({ primaryEmail: 0 });
    expect(layout.attributes).toEqual([{ column: 1, name: 'legacyPhone', type: 'STRING' }]);
  });

  it('refuses an attribute column the header does not have', () => {
    expect(messageOf(() => resolveColumns(['Email'], { columns: {}, attributes }))).toBe(
      'the mapping names column "CRM_ID", which the CSV header does not have (its columns: "Email")',
    );
  });
});
