import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { compileUsernameTemplate } from '../../src/normalise/compileUsernameTemplate.js';
import { resolveColumns } from '../../src/normalise/resolveColumns.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';

const layout = resolveColumns(['CRM ID', 'firstName', 'primaryEmail', 'promotionOptIn']);

const messageOf = usageErrorMessage;

describe('compileUsernameTemplate', () => {
  it('fills the default template {retailerId}_{primaryEmail}', () => {
    const template = compileUsernameTemplate('{retailerId}_{primaryEmail}', layout, '1');
    expect(template({ primaryEmail: 'jane@example.com' }, [])).toEqual({ ok: true, username: '1_jane@example.com' });
  });

  it('lower-cases derived usernames, literal text included', () => {
    const template = compileUsernameTemplate('R{retailerId}-{firstName}-{column:CRM ID}', layout, 'EU');
    expect(template({ firstName: 'Zoë' }, [' CRM-42 ', 'Zoë', '', ''])).toEqual({
      ok: true,
      username: 'reu-zoë-crm-42',
    });
  });

  it('allows spaces inside the braces', () => {
    const template = compileUsernameTemplate('{ retailerId }_{ primaryEmail }', layout, '7');
    expect(template({ primaryEmail: 'j@x.com' }, [])).toEqual({ ok: true, username: '7_j@x.com' });
  });

  it('writes a flag placeholder as true or false', () => {
    const template = compileUsernameTemplate('{primaryEmail}:{promotionOptIn}', layout, undefined);
    expect(template({ primaryEmail: 'j@x.com', promotionOptIn: false }, [])).toEqual({
      ok: true,
      username: 'j@x.com:false',
    });
  });

  it('names an empty field or column at row time', () => {
    const template = compileUsernameTemplate('{firstName}.{column:CRM ID}', layout, undefined);
    expect(template({}, ['x', '', '', ''])).toEqual({
      ok: false,
      reason: 'username template needs firstName, which is empty',
    });
    expect(template({ firstName: 'Jo' }, ['  ', 'Jo', '', ''])).toEqual({
      ok: false,
      reason: 'username template needs column "CRM ID", which is empty',
    });
  });

  it('says "not valid" when the field’s cell had a value that was rejected', () => {
    const template = compileUsernameTemplate('{primaryEmail}', layout, undefined);
    expect(template({}, ['', '', 'jane@', ''])).toEqual({
      ok: false,
      reason: 'username template needs primaryEmail, which is not valid',
    });
  });

  it('refuses an unknown placeholder, suggesting the field meant', () => {
    expect(messageOf(() => compileUsernameTemplate('{retailerId}_{email}', layout, '1'))).toMatch(
      /^--username-template "\{retailerId\}_\{email\}" has an unknown placeholder \{email\} \(did you mean \{primaryEmail\}\?\); use \{retailerId\}, \{column:HEADER\} or a Fluent field: \{title\}, /,
    );
    expect(messageOf(() => compileUsernameTemplate('{first_name}', layout, '1'))).toContain(
      '(did you mean {firstName}?)',
    );
  });

  it('refuses {retailerId} with no retailer id, saying what to pass', () => {
    expect(messageOf(() => compileUsernameTemplate('{retailerId}_{primaryEmail}', layout, undefined))).toBe(
      '--username-template "{retailerId}_{primaryEmail}" uses {retailerId}, but no retailer id is set; pass --retailer-id (or FLUENT_RETAILER_ID), or map a username column',
    );
  });

  it('refuses a {column:X} the header lacks', () => {
    expect(messageOf(() => compileUsernameTemplate('{column:Customer No}', layout, '1'))).toBe(
      '--username-template "{column:Customer No}" uses {column:Customer No}, but the CSV has no column "Customer No"',
    );
  });

  it('refuses a field placeholder the file has no column for', () => {
    expect(messageOf(() => compileUsernameTemplate('{lastName}', layout, '1'))).toBe(
      '--username-template "{lastName}" uses {lastName}, but the CSV has no lastName column; map one with --mapping or change the template',
    );
  });

  it.each([
    ['no placeholder', 'everyone', 'has no placeholder, so every row would get the same username'],
    ['an unclosed brace', '{primaryEmail', 'has a "{" that is not closed by "}"'],
    ['a nested brace', '{prim{aryEmail}', 'has a "{" that is not closed by "}"'],
    ['a stray closing brace', 'x}{primaryEmail}', 'has a "}" with no "{" before it'],
    ['{username}', '{username}', 'cannot use {username}'],
  ])('refuses a template with %s', (_, text, expected) => {
    expect(messageOf(() => compileUsernameTemplate(text, layout, '1'))).toContain(expected);
  });

  it('does not require what an unused template needs when the file has a username column', () => {
    const withUsername = resolveColumns(['username', 'primaryEmail']);
    expect(() => compileUsernameTemplate('{retailerId}_{primaryEmail}', withUsername, undefined)).not.toThrow();
    expect(() => compileUsernameTemplate('{nope}', withUsername, undefined)).toThrow(UsageError);
  });

  it('lists the raw columns a username is made of, none when the file has a username column', () => {
    expect(compileUsernameTemplate('{column:CRM ID}-{firstName}', layout, '1').columns).toEqual([0]);
    expect(compileUsernameTemplate('{retailerId}_{primaryEmail}', layout, '1').columns).toEqual([]);
    const withUsername = resolveColumns(['username', 'CRM ID']);
    expect(compileUsernameTemplate('{column:CRM ID}', withUsername, '1').columns).toEqual([]);
  });
});
