import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { afterAll, describe, expect, it } from 'vitest';
import { type ColumnMapping, loadMapping } from '../../src/normalise/loadMapping.js';
import { normaliseRow } from '../../src/normalise/normaliseRow.js';
import { FLAG_WORDS } from '../../src/normalise/readFlag.js';
import type { Customer, NormaliseResult } from '../../src/types.js';
import { aContext, aRow, type ContextOptions } from './builders.js';

function normalise(values: Record<string, string>, options: ContextOptions = {}): NormaliseResult {
  const { header, raw } = aRow(values);
  return normaliseRow(raw, aContext(header, options));
}

function customerOf(values: Record<string, string>, options: ContextOptions = {}): Customer {
  const result = normalise(values, options);
  if (!result.ok) throw new Error(`expected the row to pass, got: ${result.reasons.join(' | ')}`);
  return result.customer;
}

function reasonsOf(values: Record<string, string>, options: ContextOptions = {}): string[] {
  const result = normalise(values, options);
  if (result.ok) throw new Error(`expected the row to be rejected, got ${JSON.stringify(result.customer)}`);
  return result.reasons;
}

describe('normaliseRow: text', () => {
  it.each([
    ['NFD accents become NFC', 'Zoe\u0308 Bro\u0302nte', 'Zo\u00eb Br\u00f4nte'],
    ['padding is trimmed', '  Jane  ', 'Jane'],
    ['space runs collapse', 'Jane    Marie', 'Jane Marie'],
    ['newlines and tabs collapse to one space', ' Jane\r\n\t Marie\n', 'Jane Marie'],
    ['non-breaking and ideographic spaces count as whitespace', 'Jane\u00a0\u3000Marie', 'Jane Marie'],
    ['plain ASCII is kept as it is', "O'Brien-Smith", "O'Brien-Smith"],
  ])('%s', (_, cell, expected) => {
    expect(customerOf({ firstName: cell, primaryEmail: 'j@x.com' }).firstName).toBe(expected);
  });

  it('leaves a field with an empty or blank cell absent', () => {
    const customer = customerOf({ title: '', firstName: '  \t ', lastName: 'Doe', primaryEmail: 'j@x.com' });
    expect(customer).toEqual({ username: '1_j@x.com', lastName: 'Doe', primaryEmail: 'j@x.com' });
    expect('title' in customer).toBe(false);
    expect('firstName' in customer).toBe(false);
  });

  it('rejects values over Fluent’s length limits, measured after normalising', () => {
    expect(reasonsOf({ firstName: 'x'.repeat(73), primaryEmail: 'j@x.com' })).toEqual([
      'firstName is 73 characters; Fluent allows at most 50',
    ]);
    expect(customerOf({ firstName: ` ${'x'.repeat(50)} `, primaryEmail: 'j@x.com' }).firstName).toHaveLength(50);
    expect(reasonsOf({ timezone: 'T'.repeat(33), primaryEmail: 'j@x.com' })).toEqual([
      'timezone is 33 characters; Fluent allows at most 32',
    ]);
  });

  it('has no limit for department (Fluent gives none)', () => {
    expect(customerOf({ department: 'd'.repeat(300), primaryEmail: 'j@x.com' }).department).toHaveLength(300);
  });
});

describe('normaliseRow: email', () => {
  it('lower-cases and trims the email', () => {
    expect(customerOf({ primaryEmail: '  Jane.Doe+Tag@Example.COM ' }).primaryEmail).toBe('jane.doe+tag@example.com');
  });

  it.each([
    'jane@',
    '@x.com',
    'jane.example.com',
    'jane@@x.com',
    'jane doe@x.com',
    'jane@x',
    'jane@x..com',
    'jane@x.com.',
  ])('rejects %s', (email) => {
    expect(reasonsOf({ primaryEmail: email })).toContain(`primaryEmail "${email}" is not a valid email address`);
  });

  it('accepts internationalised addresses', () => {
    expect(customerOf({ primaryEmail: 'José@Exämple.de' }).primaryEmail).toBe('josé@exämple.de');
  });

  it('rejects an email over 250 characters', () => {
    const email = `${'a'.repeat(245)}@x.com`;
    expect(reasonsOf({ username: 'jane', primaryEmail: email })).toEqual([
      'primaryEmail is 251 characters; Fluent allows at most 250',
    ]);
  });
});

describe('normaliseRow: promotionOptIn', () => {
  it.each([
    ['yes', true],
    ['no', false],
    ['Y', true],
    ['n', false],
    ['0', false],
    ['1', true],
    ['TRUE', true],
    ['False', false],
    [' Yes ', true],
  ])('reads %j as %s', (cell, expected) => {
    expect(customerOf({ primaryEmail: 'j@x.com', promotionOptIn: cell }).promotionOptIn).toBe(expected);
  });

  it('rejects anything else, quoting it', () => {
    expect(reasonsOf({ primaryEmail: 'j@x.com', promotionOptIn: 'maybe' })).toEqual([
      `promotionOptIn "maybe" is not one of ${FLAG_WORDS}`,
    ]);
  });

  it('leaves an empty opt-in absent (the plan decides what that means on create)', () => {
    expect('promotionOptIn' in customerOf({ primaryEmail: 'j@x.com', promotionOptIn: '' })).toBe(false);
  });
});

describe('normaliseRow: phone', () => {
  const phoneOf = (values: Record<string, string>, options?: ContextOptions) =>
    customerOf({ primaryEmail: 'j@x.com', ...values }, options).primaryPhone;

  it('reads a local number with the row’s country code', () => {
    expect(phoneOf({ primaryPhone: '020 7946 0000', country: 'GB' })).toBe('+442079460000');
    expect(phoneOf({ primaryPhone: '(415) 555-2671', country: 'us' })).toBe('+14155552671');
  });

  it('reads a local number with the row’s country written as an English name', () => {
    expect(phoneOf({ primaryPhone: '020 7946 0000', country: 'United Kingdom' })).toBe('+442079460000');
    expect(phoneOf({ primaryPhone: '030 1234567', country: 'Germany' })).toBe('+49301234567');
    expect(phoneOf({ primaryPhone: '(415) 555-2671', country: 'U.S.A.' })).toBe('+14155552671');
  });

  it('falls back to the default country only when the row has none', () => {
    expect(phoneOf({ primaryPhone: '020 7946 0000', country: '' }, { defaultCountry: 'GB' })).toBe('+442079460000');
    expect(phoneOf({ primaryPhone: '030 1234567', country: 'DE' }, { defaultCountry: 'GB' })).toBe('+49301234567');
  });

  it('rejects a local number with no country to go by', () => {
    expect(reasonsOf({ primaryEmail: 'j@x.com', primaryPhone: '020 7946 0000' })).toEqual([
      'primaryPhone "020 7946 0000" has no country code and the row has no country; pass --default-country',
    ]);
  });

  it('does not guess with the default country when the row’s country is unreadable: the country is the reason', () => {
    expect(
      reasonsOf({ primaryEmail: 'j@x.com', primaryPhone: '030 1234567', country: 'Narnia' }, { defaultCountry: 'GB' }),
    ).toEqual([
      'country "Narnia" is not a country code (ISO 3166 alpha-2 or alpha-3, such as GB or GBR) or a country\'s name',
    ]);
  });

  it('takes international input as it is, whatever the country says', () => {
    expect(phoneOf({ primaryPhone: '+442079460000' })).toBe('+442079460000');
    expect(phoneOf({ primaryPhone: '+1 (415) 555-2671', country: 'GB' })).toBe('+14155552671');
    // Only the unreadable country is a reason; the number needs no country.
    expect(reasonsOf({ primaryEmail: 'j@x.com', primaryPhone: '+44 20 79', country: 'Narnia' })).toEqual([
      'country "Narnia" is not a country code (ISO 3166 alpha-2 or alpha-3, such as GB or GBR) or a country\'s name',
      'primaryPhone "+44 20 79" has the wrong number of digits',
    ]);
  });

  it('rejects a number of impossible length', () => {
    expect(reasonsOf({ primaryEmail: 'j@x.com', primaryPhone: '12345', country: 'GB' })).toEqual([
      'primaryPhone "12345" has the wrong number of digits for GB',
    ]);
    expect(reasonsOf({ primaryEmail: 'j@x.com', primaryPhone: '+4420794600001234' })[0]).toMatch(
      /^primaryPhone "\+4420794600001234" has the wrong number of digits/,
    );
  });

  it('rejects text that is not a phone number', () => {
    expect(reasonsOf({ primaryEmail: 'j@x.com', primaryPhone: 'call me', country: 'GB' })).toEqual([
      'primaryPhone "call me" is not a phone number',
    ]);
  });

  it('keeps a possible number that the library’s metadata calls invalid', () => {
    const input = '+1 999 555 0199';
    const parsed = parsePhoneNumberFromString(input);
    expect(parsed?.isPossible()).toBe(true);
    expect(parsed?.isValid()).toBe(false);
    expect(phoneOf({ primaryPhone: input })).toBe('+19995550199');
  });
});

describe('normaliseRow: a phone read with --default-country', () => {
  const assumedAu = (phone: string) =>
    'primaryPhone "' +
    phone +
    '" is not a valid AU number (AU was assumed from --default-country because the row has no country); add the country code or a country column';

  it.each([
    ['a French mobile', '06 94 17 60 22'],
    ['a US number', '(212) 555-0199'],
    ['a British mobile', '07911 123456'],
    ['a London number', '020 7946 0000'],
  ])('rejects %s that is possible but not valid in the assumed country, naming it', (_, phone) => {
    expect(reasonsOf({ primaryEmail: 'j@x.com', primaryPhone: phone }, { defaultCountry: 'AU' })).toEqual([
      assumedAu(phone),
    ]);
  });

  it('names the assumed country when the number has the wrong length for it', () => {
    expect(
      reasonsOf({ primaryEmail: 'j@x.com', primaryPhone: '(11) 98765-4321', country: '' }, { defaultCountry: 'AU' }),
    ).toEqual([
      'primaryPhone "(11) 98765-4321" has the wrong number of digits for AU (AU was assumed from --default-country because the row has no country); add the country code or a country column',
    ]);
  });

  it.each([
    ['a mobile', '0412 345 678', '+61412345678'],
    ['a Sydney number', '(02) 9374 4000', '+61293744000'],
    ['a number without the trunk prefix', '412345678', '+61412345678'],
    ['a Christmas Island number (it shares +61)', '08 9164 1234', '+61891641234'],
  ])('keeps %s valid in the assumed country', (_, phone, e164) => {
    expect(customerOf({ primaryEmail: 'j@x.com', primaryPhone: phone }, { defaultCountry: 'AU' }).primaryPhone).toBe(
      e164,
    );
  });

  it('keeps the same numbers when the row names their country, where they are valid', () => {
    const phoneOf = (primaryPhone: string, country: string) =>
      customerOf({ primaryEmail: 'j@x.com', primaryPhone, country }, { defaultCountry: 'AU' }).primaryPhone;
    expect(phoneOf('06 12 34 56 78', 'FR')).toBe('+33612345678');
    expect(phoneOf('(212) 555-0199', 'us')).toBe('+12125550199');
    expect(phoneOf('07911 123456', 'United Kingdom')).toBe('+447911123456');
  });

  it('rejects a national number that is possible but not valid even in the row’s own country', () => {
    expect(reasonsOf({ primaryEmail: 'j@x.com', primaryPhone: '(999) 555-0199', country: 'US' })).toEqual([
      'primaryPhone "(999) 555-0199" is not a valid US number',
    ]);
  });

  it('keeps an E.164 number that is possible but not valid, with or without a default country', () => {
    for (const defaultCountry of ['AU', undefined]) {
      expect(
        customerOf({ primaryEmail: 'j@x.com', primaryPhone: '+1 999 555 0199' }, { defaultCountry }).primaryPhone,
      ).toBe('+19995550199');
    }
  });

  it('requires validity with no country column at all, as with an empty one', () => {
    expect(reasonsOf({ primaryEmail: 'j@x.com', primaryPhone: '(999) 555-0199' }, { defaultCountry: 'US' })).toEqual([
      'primaryPhone "(999) 555-0199" is not a valid US number (US was assumed from --default-country because the row has no country); add the country code or a country column',
    ]);
  });
});

describe('normaliseRow: phone extensions', () => {
  it('rejects a number with an extension by default, saying how to keep the number', () => {
    expect(reasonsOf({ primaryEmail: 'j@x.com', primaryPhone: '020 7946 0000 ext. 12', country: 'GB' })).toEqual([
      'primaryPhone "020 7946 0000 ext. 12" has an extension, which E.164 cannot hold; pass --phone-extension drop to store the number without it',
    ]);
    expect(
      reasonsOf(
        { primaryEmail: 'j@x.com', primaryPhone: '+44 20 7946 0000 x 12', country: 'GB' },
        { phoneExtension: 'reject' },
      ),
    ).toHaveLength(1);
  });

  it.each([
    ['020 7946 0000 ext. 12', 'GB', '+442079460000', '12'],
    ['+44 20 7946 0000 x 123', '', '+442079460000', '123'],
    ['(415) 555-2671 #9', 'US', '+14155552671', '9'],
  ])('with --phone-extension drop keeps %j without the extension, and notes it', (phone, country, e164, ext) => {
    const result = normalise({ primaryEmail: 'j@x.com', primaryPhone: phone, country }, { phoneExtension: 'drop' });
    expect(result).toEqual({
      ok: true,
      customer: expect.objectContaining({ primaryPhone: e164 }),
      notes: [`primaryPhone extension ${ext} was dropped`],
      normalised: expect.any(Array),
    });
  });

  it('still rejects a number that is not usable once its extension is dropped', () => {
    expect(
      reasonsOf(
        { primaryEmail: 'j@x.com', primaryPhone: '06 94 17 60 22 ext. 5' },
        { phoneExtension: 'drop', defaultCountry: 'AU' },
      ),
    ).toEqual([
      'primaryPhone "06 94 17 60 22 ext. 5" is not a valid AU number (AU was assumed from --default-country because the row has no country); add the country code or a country column',
    ]);
    expect(
      reasonsOf({ primaryEmail: 'j@x.com', primaryPhone: '020 79 ext. 5', country: 'GB' }, { phoneExtension: 'drop' }),
    ).toEqual(['primaryPhone "020 79 ext. 5" has the wrong number of digits for GB']);
  });

  it('has no notes for a row it did not change beyond normalising', () => {
    const result = normalise({ primaryEmail: 'j@x.com', primaryPhone: '020 7946 0000', country: 'GB' });
    expect(result.ok && result.notes).toEqual([]);
  });
});

describe('normaliseRow: country', () => {
  const countryOf = (country: string) => customerOf({ primaryEmail: 'j@x.com', country }).country;

  it.each([
    ['GB', 'GB'],
    ['gb', 'GB'],
    [' au ', 'AU'],
    ['uK', 'GB'],
    ['GBR', 'GB'],
    ['deu', 'DE'],
    ['USA', 'US'],
    ['Aus', 'AU'],
    ['U.S.A.', 'US'],
    ['U.K.', 'GB'],
    ['England', 'GB'],
    ['United Kingdom', 'GB'],
    [' united   kingdom ', 'GB'],
    ['the Netherlands', 'NL'],
    ['Côte d’Ivoire', 'CI'],
    ['COTE D IVOIRE', 'CI'],
    ['Türkiye', 'TR'],
    ['South Korea', 'KR'],
    ['Åland Islands', 'AX'],
    ['Deutschland', 'DE'],
    ['Allemagne', 'DE'],
    ['Brasil', 'BR'],
    ['日本', 'JP'],
    ['Österreich', 'AT'],
    ['Estados Unidos', 'US'],
    ['EUA', 'US'],
    ['Royaume-Uni', 'GB'],
    ['イギリス', 'GB'],
    ['Россия', 'RU'],
    ['대한민국', 'KR'],
  ])('stores %j as its ISO 3166 alpha-2 code %s', (cell, code) => {
    expect(countryOf(cell)).toBe(code);
  });

  it.each(['Narnia', 'G B', 'ZZZ', '826', 'XX', 'EU', 'E.U.', 'European Union', 'UN', 'ZZ', 'XK', 'AC', 'Kosovo'])(
    'rejects %j, which is no ISO 3166 country',
    (cell) => {
      expect(reasonsOf({ primaryEmail: 'j@x.com', country: cell })).toEqual([
        `country "${cell}" is not a country code (ISO 3166 alpha-2 or alpha-3, such as GB or GBR) or a country's name`,
      ]);
    },
  );

  it.each([
    ['Congo', 'CD (Congo - Kinshasa) or CG (Congo - Brazzaville)'],
    ['Korea', 'KP (North Korea) or KR (South Korea)'],
    ['Saint Martin', 'MF (St. Martin) or SX (Sint Maarten)'],
  ])('rejects %j, which could be two countries, naming both', (cell, both) => {
    expect(reasonsOf({ primaryEmail: 'j@x.com', country: cell })).toEqual([
      `country "${cell}" could be ${both}; write its ISO code`,
    ]);
  });

  it('leaves an empty country absent', () => {
    expect('country' in customerOf({ primaryEmail: 'j@x.com', country: ' ' })).toBe(false);
  });
});

describe('normaliseRow: control characters', () => {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for raw control characters
  const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

  it.each([
    ['ESC', '\u001b', '\\u001b'],
    ['SOH', '\u0001', '\\u0001'],
    ['vertical tab', '\u000b', '\\u000b'],
    ['form feed', '\u000c', '\\u000c'],
    ['DEL', '\u007f', '\\u007f'],
    ['C1 NEL', '\u0085', '\\u0085'],
    ['C1 CSI', '\u009b', '\\u009b'],
  ])('rejects a mapped value holding %s, naming the column and showing it escaped', (_, char, escaped) => {
    const reasons = reasonsOf({ 'First Name': `Jane${char}[2J`, primaryEmail: 'j@x.com' });
    expect(reasons).toEqual([`column "First Name" has a control character (${escaped})`]);
  });

  it.each([
    ['title', { title: 'Dr\u001b' }],
    ['firstName', { firstName: 'Jane\u001b]0;pwned\u0007' }],
    ['lastName', { lastName: '\u009bDoe' }],
    ['timezone', { timezone: 'Europe/London\u007f' }],
    ['department', { department: 'Sales\u0008' }],
    ['primaryEmail', { primaryEmail: 'jane\u0001@x.com' }],
    ['primaryPhone', { primaryPhone: '020 7946 0000\u001b', country: 'GB' }],
    ['promotionOptIn', { promotionOptIn: 'yes\u001b' }],
    ['country', { country: 'GB\u0085', primaryPhone: '020 7946 0000' }],
    ['username', { username: 'jane\u001b' }],
  ])('rejects a control character in %s', (field, values: Record<string, string>) => {
    const reasons = reasonsOf({ primaryEmail: 'j@x.com', ...values });
    expect(reasons[0]).toMatch(new RegExp(`^column "${field}" has a control character \\(\\\\u00[0-9a-f]{2}\\)$`));
    for (const reason of reasons) expect(reason).not.toMatch(RAW_CONTROL);
  });

  it('rejects a control character in a column the username template is made of', () => {
    expect(reasonsOf({ 'CRM ID': 'C-1\u001b', primaryEmail: 'j@x.com' }, { template: 'crm-{column:CRM ID}' })).toEqual([
      'column "CRM ID" has a control character (\\u001b)',
    ]);
  });

  it('ignores control characters in columns that reach the OMS neither way', () => {
    expect(customerOf({ primaryEmail: 'j@x.com', Notes: 'beep\u0007' })).toEqual({
      username: '1_j@x.com',
      primaryEmail: 'j@x.com',
    });
  });

  it('rejects a NUL in any column, mapped or not', () => {
    expect(reasonsOf({ primaryEmail: 'j@x.com', Notes: 'a\u0000b' })).toEqual([
      'column "Notes" has a NUL character (\\u0000)',
    ]);
    expect(reasonsOf({ firstName: '\u0000', primaryEmail: 'j@x.com' })).toEqual([
      'column "firstName" has a NUL character (\\u0000)',
    ]);
  });

  it('keeps tabs and line breaks, which collapse to a space', () => {
    expect(customerOf({ firstName: 'Jane\tMarie\r\nAnn', primaryEmail: 'j@x.com' }).firstName).toBe('Jane Marie Ann');
  });

  it('escapes a control character in a header name it quotes', () => {
    expect(reasonsOf({ 'Name\u001b[31m': 'Jane\u0000', primaryEmail: 'j@x.com' })).toEqual([
      'column "Name\\u001b[31m" has a NUL character (\\u0000)',
    ]);
  });
});

describe('normaliseRow: row shape and bytes', () => {
  it('rejects a short row with the column count only', () => {
    const { raw } = aRow({ a: '1', b: '2', c: '3', d: '4', e: '5' });
    const context = aContext(['firstName', 'lastName', 'primaryEmail', 'country', 'title', 'Notes']);
    expect(normaliseRow(raw, context)).toEqual({
      ok: false,
      reasons: ['row has 5 columns; the header has 6'],
      offending: [],
    });
  });

  it('rejects a long row with the column count only', () => {
    const context = aContext(['firstName', 'primaryEmail']);
    const raw = { row: 3, line: 9, cells: ['Jane', 'not-an-email', 'extra'] };
    expect(normaliseRow(raw, context)).toEqual({
      ok: false,
      reasons: ['row has 3 columns; the header has 2'],
      offending: [],
    });
  });

  it('rejects a replacement character in any column, mapped or not, naming the column', () => {
    expect(reasonsOf({ firstName: 'Jos\uFFFD', primaryEmail: 'j@x.com', Notes: 'caf\uFFFD' })).toEqual([
      'column "firstName" has bytes that are not valid UTF-8 (if the file is not UTF-8, pass --encoding, e.g. latin1)',
      'column "Notes" has bytes that are not valid UTF-8 (if the file is not UTF-8, pass --encoding, e.g. latin1)',
    ]);
  });

  it('does not read a phone with the default country when the row’s country has bad bytes', () => {
    expect(
      reasonsOf(
        { primaryEmail: 'j@x.com', primaryPhone: '030 1234567', country: 'Deutschl\uFFFDnd' },
        { defaultCountry: 'GB' },
      ),
    ).toEqual([
      'column "country" has bytes that are not valid UTF-8 (if the file is not UTF-8, pass --encoding, e.g. latin1)',
    ]);
  });

  it('collects every reason of a row, one line each', () => {
    const reasons = reasonsOf({
      firstName: 'x'.repeat(51),
      primaryEmail: 'jane@',
      promotionOptIn: 'perhaps',
      primaryPhone: '12',
      country: 'GB',
    });
    expect(reasons).toEqual([
      'firstName is 51 characters; Fluent allows at most 50',
      'primaryEmail "jane@" is not a valid email address',
      `promotionOptIn "perhaps" is not one of ${FLAG_WORDS}`,
      'primaryPhone "12" has the wrong number of digits for GB',
      'username template needs primaryEmail, which is not valid',
    ]);
    expect(reasons.every((reason) => !reason.includes('\n'))).toBe(true);
  });

  it('quotes long values cut short, without inner double quotes', () => {
    const [reason] = reasonsOf({ primaryEmail: 'j@x.com', promotionOptIn: `say "${'y'.repeat(60)}"` });
    expect(reason).toBe(`promotionOptIn "say '${'y'.repeat(34)}…" is not one of ${FLAG_WORDS}`);
  });
});

describe('normaliseRow: username', () => {
  it('derives the default template’s username in lower case', () => {
    expect(customerOf({ primaryEmail: 'Jane@Example.com' }).username).toBe('1_jane@example.com');
  });

  it('takes the username column when mapped, normalised but with its case kept', () => {
    expect(customerOf({ 'User Name': '  Jane.DOE\t01 ', primaryEmail: 'jane@example.com' }).username).toBe(
      'Jane.DOE 01',
    );
  });

  it('rejects a row whose username column is empty', () => {
    expect(reasonsOf({ username: '', primaryEmail: 'jane@example.com' })).toEqual([
      'username is empty (column "username")',
    ]);
  });

  it('derives a username from a raw column', () => {
    const customer = customerOf(
      { 'CRM ID': ' CRM-00042 ', primaryEmail: 'j@x.com' },
      { template: 'crm-{column:CRM ID}' },
    );
    expect(customer.username).toBe('crm-crm-00042');
  });

  it('names the empty value a template needs', () => {
    expect(reasonsOf({ primaryEmail: '' })).toEqual(['username template needs primaryEmail, which is empty']);
    expect(reasonsOf({ 'CRM ID': '', primaryEmail: 'j@x.com' }, { template: '{column:CRM ID}' })).toEqual([
      'username template needs column "CRM ID", which is empty',
    ]);
  });

  it('rejects a derived username over 250 characters', () => {
    const email = `${'a'.repeat(240)}@x.com`;
    expect(reasonsOf({ primaryEmail: email }, { retailerId: '123456' })).toEqual([
      'username is 253 characters; Fluent allows at most 250',
    ]);
  });
});

describe('normaliseRow: attributes', () => {
  const mapping = {
    columns: {},
    attributes: {
      CRM_ID: { name: 'legacyCrmId', type: 'STRING' as const },
      TIER: { name: 'loyaltyTier', type: 'INTEGER' as const },
      VIP: { name: 'vip', type: 'BOOLEAN' as const },
    },
  };

  it('converts each mapped cell to its type, in file column order', () => {
    const customer = customerOf({ primaryEmail: 'j@x.com', VIP: 'yes', CRM_ID: ' C-1 ', TIER: '3' }, { mapping });
    expect(customer.attributes).toEqual([
      { name: 'vip', type: 'BOOLEAN', value: true },
      { name: 'legacyCrmId', type: 'STRING', value: 'C-1' },
      { name: 'loyaltyTier', type: 'INTEGER', value: 3 },
    ]);
  });

  it('leaves an attribute with an empty cell out, so the OMS keeps what it has', () => {
    const customer = customerOf({ primaryEmail: 'j@x.com', CRM_ID: 'C-1', TIER: ' ', VIP: '' }, { mapping });
    expect(customer.attributes).toEqual([{ name: 'legacyCrmId', type: 'STRING', value: 'C-1' }]);
    expect('attributes' in customerOf({ primaryEmail: 'j@x.com', CRM_ID: '', TIER: '', VIP: '' }, { mapping })).toBe(
      false,
    );
  });

  it('rejects a row whose value is not of the type, naming the attribute, the column and the type', () => {
    expect(reasonsOf({ primaryEmail: 'j@x.com', CRM_ID: 'C-1', TIER: 'gold', VIP: 'maybe' }, { mapping })).toEqual([
      'attribute loyaltyTier (column "TIER", INTEGER): "gold" is not a whole number',
      `attribute vip (column "VIP", BOOLEAN): "maybe" is not one of ${FLAG_WORDS}`,
    ]);
  });

  it('rejects a control character in an attribute cell, which the OMS would receive', () => {
    expect(reasonsOf({ primaryEmail: 'j@x.com', CRM_ID: 'C\u001b[2J1', TIER: '', VIP: '' }, { mapping })).toEqual([
      'column "CRM_ID" has a control character (\\u001b)',
    ]);
  });
});

describe('normaliseRow: what it changed, by rule', () => {
  const normalisedOf = (values: Record<string, string>, options: ContextOptions = {}) => {
    const result = normalise({ primaryEmail: 'j@x.com', ...values }, options);
    if (!result.ok) throw new Error(`expected the row to pass, got: ${result.reasons.join(' | ')}`);
    return result.normalised;
  };

  it('lists nothing for a row it wrote as the file had it', () => {
    expect(
      normalisedOf({ firstName: 'Jane', country: 'GB', primaryPhone: '+442079460000', promotionOptIn: 'true' }),
    ).toEqual([]);
  });

  it('names each changed cell with the cell as the file had it and the value written', () => {
    expect(
      normalisedOf({
        firstName: '  Jane ',
        lastName: 'Zoe\u0308',
        primaryEmail: 'Jane@Example.COM',
        promotionOptIn: 'Y',
        country: 'United Kingdom',
        primaryPhone: '020 7946 0000',
      }),
    ).toEqual([
      { field: 'firstName', rule: 'textTrimmed', input: '  Jane ', written: 'Jane' },
      { field: 'lastName', rule: 'textRecomposed', input: 'Zoe\u0308', written: 'Zo\u00eb' },
      { field: 'primaryEmail', rule: 'emailLowerCased', input: 'Jane@Example.COM', written: 'jane@example.com' },
      { field: 'promotionOptIn', rule: 'optInWord', input: 'Y', written: 'true' },
      { field: 'country', rule: 'countryTranslated', input: 'United Kingdom', written: 'GB' },
      { field: 'primaryPhone', rule: 'phoneReformatted', input: '020 7946 0000', written: '+442079460000' },
    ]);
  });

  it('counts a cell both composed and trimmed under both rules', () => {
    expect(normalisedOf({ firstName: ' Zoe\u0308  Ann' })).toEqual([
      { field: 'firstName', rule: 'textRecomposed', input: ' Zoe\u0308  Ann', written: 'Zo\u00eb Ann' },
      { field: 'firstName', rule: 'textTrimmed', input: ' Zoe\u0308  Ann', written: 'Zo\u00eb Ann' },
    ]);
  });

  it('calls a code in lower case or padded a trimmed text, not a translation', () => {
    expect(normalisedOf({ country: ' GB ' })).toEqual([
      { field: 'country', rule: 'textTrimmed', input: ' GB ', written: 'GB' },
    ]);
    expect(normalisedOf({ country: 'gb' })).toEqual([
      { field: 'country', rule: 'countryTranslated', input: 'gb', written: 'GB' },
    ]);
  });

  it('lists a phone read with --default-country for review, and a dropped extension', () => {
    expect(normalisedOf({ primaryPhone: '0412 345 678' }, { defaultCountry: 'AU' })).toEqual([
      { field: 'primaryPhone', rule: 'phoneAssumedCountry', input: '0412 345 678', written: '+61412345678' },
    ]);
    expect(normalisedOf({ primaryPhone: '+44 20 7946 0000 x 12' }, { phoneExtension: 'drop' })).toEqual([
      {
        field: 'primaryPhone',
        rule: 'phoneExtensionDropped',
        input: '+44 20 7946 0000 x 12',
        written: '+442079460000',
      },
    ]);
  });

  it('names attributes as attributes.NAME, with values as diff.csv shows them', () => {
    const mapping = {
      columns: {},
      attributes: {
        VIP: { name: 'vip', type: 'BOOLEAN' as const },
        TIER: { name: 'tier', type: 'INTEGER' as const },
        CRM: { name: 'crm', type: 'STRING' as const },
      },
    };
    expect(normalisedOf({ VIP: 'yes', TIER: ' 3 ', CRM: 'C-1' }, { mapping })).toEqual([
      { field: 'attributes.vip', rule: 'optInWord', input: 'yes', written: 'true' },
      { field: 'attributes.tier', rule: 'textTrimmed', input: ' 3 ', written: '3' },
    ]);
  });

  it('lists a username column it trimmed', () => {
    expect(normalisedOf({ username: ' jane ' })).toEqual([
      { field: 'username', rule: 'textTrimmed', input: ' jane ', written: 'jane' },
    ]);
  });
});

describe('normaliseRow: the values that rejected a row', () => {
  const offendingOf = (values: Record<string, string>, options: ContextOptions = {}) => {
    const result = normalise(values, options);
    if (result.ok) throw new Error(`expected the row to be rejected, got ${JSON.stringify(result.customer)}`);
    return result.offending;
  };

  it('names the field and the normalised value behind each reason about one cell', () => {
    expect(
      offendingOf({
        firstName: 'x'.repeat(51),
        primaryEmail: ' jane@ ',
        promotionOptIn: 'perhaps',
        country: 'Narnia',
        primaryPhone: '+44 12',
      }),
    ).toEqual([
      { field: 'firstName', value: 'x'.repeat(51) },
      { field: 'primaryEmail', value: 'jane@' },
      { field: 'promotionOptIn', value: 'perhaps' },
      { field: 'country', value: 'Narnia' },
      { field: 'primaryPhone', value: '+44 12' },
    ]);
  });

  it('names a column by its header for a problem of the cell itself', () => {
    expect(offendingOf({ primaryEmail: 'j@x.com', Notes: 'caf\uFFFD' })).toEqual([
      { field: 'Notes', value: 'caf\uFFFD' },
    ]);
  });

  it('names an attribute as attributes.NAME, and an empty username column', () => {
    const mapping = { columns: {}, attributes: { TIER: { name: 'tier', type: 'INTEGER' as const } } };
    expect(offendingOf({ primaryEmail: 'j@x.com', TIER: 'gold' }, { mapping })).toEqual([
      { field: 'attributes.tier', value: 'gold' },
    ]);
    expect(offendingOf({ username: ' ', primaryEmail: 'j@x.com' })).toEqual([{ field: 'username', value: '' }]);
  });

  it('has none for a row whose column count is wrong, or a username the template could not make', () => {
    expect(offendingOf({ primaryEmail: '' })).toEqual([]);
  });
});

describe('normaliseRow: --default-country where the row points to another country', () => {
  const assumedAu = { defaultCountry: 'AU' };
  const notAssumed = (phone: string, evidence: string) =>
    `primaryPhone "${phone}" has no country code, and --default-country AU is not assumed for it: ${evidence}; add the country code or a country column`;

  it.each([
    ['a French email', 'marie@laposte.fr', '04 61 80 07 28', 'primaryEmail\'s domain ".fr" is France\'s (FR)'],
    ['a Japanese email', 'taro@docomo.ne.jp', '03-8801-2157', 'primaryEmail\'s domain ".jp" is Japan\'s (JP)'],
    ['a German email', 'jens@gmx.de', '0302 158326', 'primaryEmail\'s domain ".de" is Germany\'s (DE)'],
    [
      'a British email',
      'sam@btinternet.co.uk',
      '0412 345 678',
      'primaryEmail\'s domain ".uk" is United Kingdom\'s (GB)',
    ],
  ])('rejects a national number in a row with %s, naming it', (_, email, phone, evidence) => {
    expect(reasonsOf({ primaryEmail: email, primaryPhone: phone }, assumedAu)).toEqual([notAssumed(phone, evidence)]);
  });

  it('takes a column whose header names a country, or a locale with a region, as evidence', () => {
    expect(
      reasonsOf({ primaryEmail: 'j@x.com', primaryPhone: '0412 345 678', Land: 'Deutschland' }, assumedAu),
    ).toEqual([notAssumed('0412 345 678', 'column "Land" says "Deutschland" (DE)')]);
    expect(reasonsOf({ primaryEmail: 'j@x.com', primaryPhone: '0412 345 678', Locale: 'fr_FR' }, assumedAu)).toEqual([
      notAssumed('0412 345 678', 'column "Locale" says "fr_FR" (FR)'),
    ]);
    expect(
      reasonsOf({ primaryEmail: 'j@x.com', primaryPhone: '0412 345 678', 'Billing Country': 'Brasil' }, assumedAu),
    ).toEqual([notAssumed('0412 345 678', 'column "Billing Country" says "Brasil" (BR)')]);
  });

  it.each([
    ['a generic country domain', { primaryEmail: 'j@startup.io' }],
    ['the default country’s own domain', { primaryEmail: 'j@bigpond.com.au' }],
    ['a column naming the default country', { primaryEmail: 'j@x.com', Pays: 'Australie' }],
    ['a locale without a region', { primaryEmail: 'j@x.com', Locale: 'en' }],
    ['a column value that names no country', { primaryEmail: 'j@x.com', Country_Notes: 'see file' }],
  ])('assumes the default country for a row with %s, listing it for review', (_, values: Record<string, string>) => {
    const result = normalise({ ...values, primaryPhone: '0412 345 678' }, assumedAu);
    expect(result).toMatchObject({
      ok: true,
      customer: { primaryPhone: '+61412345678' },
      normalised: [
        { field: 'primaryPhone', rule: 'phoneAssumedCountry', input: '0412 345 678', written: '+61412345678' },
      ],
    });
  });

  it('takes a country sharing the default country’s calling code as no evidence: its numbers read the same', () => {
    expect(
      customerOf({ primaryEmail: 'j@rogers.ca', primaryPhone: '(416) 555-0199' }, { defaultCountry: 'US' })
        .primaryPhone,
    ).toBe('+14165550199');
  });

  it('still reads 00 and a calling code, which needs no assumed country', () => {
    expect(
      customerOf({ primaryEmail: 'marie@orange.fr', primaryPhone: '0033 6 12 34 56 78' }, assumedAu).primaryPhone,
    ).toBe('+33612345678');
  });

  it('never looks for evidence when the row names its own country', () => {
    expect(
      customerOf({ primaryEmail: 'marie@orange.de', primaryPhone: '06 12 34 56 78', country: 'FR' }, assumedAu)
        .primaryPhone,
    ).toBe('+33612345678');
  });
});

describe('normaliseRow: phones read from an international prefix', () => {
  it.each([
    ['0061 233 354 220', 'AU', '+61233354220'],
    ['0055 519 646 99044', 'BR', '+5551964699044'],
    ['001 415 211 0419', 'JP', '+14152110419'],
    ['011 44 20 7946 0000', 'US', '+442079460000'],
    ['＋８１ ８０５ １２３ ６５８７', 'JP', '+818051236587'],
  ])('reads %j in a %s row as %s, saying so', (phone, country, e164) => {
    const result = normalise({ primaryEmail: 'j@x.com', primaryPhone: phone, country });
    expect(result).toMatchObject({ ok: true, customer: { primaryPhone: e164 } });
    const rules = result.ok ? result.normalised.map((entry) => entry.rule) : [];
    expect(rules).toContain(phone.startsWith('＋') ? 'phoneReformatted' : 'phoneInternationalPrefix');
  });

  it('lists a +CC number that is possible but not valid for review', () => {
    expect(normalise({ primaryEmail: 'j@x.com', primaryPhone: '+1 999 555 0199' })).toMatchObject({
      ok: true,
      normalised: [{ field: 'primaryPhone', rule: 'phonePossibleNotValid', written: '+19995550199' }],
    });
  });
});

describe('normaliseRow: yes/no in the customer’s language', () => {
  it.each([
    ['Ja', true],
    ['Nein', false],
    ['Oui', true],
    ['Non', false],
    ['Sí', true],
    ['si', true],
    ['Sim', true],
    ['Não', false],
    ['nao', false],
    ['Sì', true],
    ['nee', false],
    ['Tak', true],
    ['Nie', false],
    ['はい', true],
    ['いいえ', false],
    ['Da', true],
    ['Nu', false],
    ['Evet', true],
    ['Hayır', false],
    ['WAHR', true],
    ['FALSCH', false],
    ['VRAI', true],
    ['Kyllä', true],
    ['Нет', false],
  ])('reads %j as %s, listing the word', (cell, flag) => {
    const result = normalise({ primaryEmail: 'j@x.com', promotionOptIn: cell });
    expect(result).toMatchObject({
      ok: true,
      customer: { promotionOptIn: flag },
      normalised: [{ field: 'promotionOptIn', rule: 'optInWord', input: cell, written: String(flag) }],
    });
  });

  it('has no word that means yes in one language and no in another', async () => {
    const { readFlag } = await import('../../src/normalise/readFlag.js');
    for (const word of ['ne', 'ano', 'o', 'maybe', 'vielleicht', 'peut-être']) expect(readFlag(word)).toBeUndefined();
  });
});

describe('normaliseRow: formulas in names', () => {
  it.each([
    ['firstName', '=HYPERLINK("http://evil.example","Hans")', "=HYPERLINK('http://evil.example','Hans')"],
    ['firstName', '+SUM(1+1)', '+SUM(1+1)'],
    ['lastName', '@SUM(A1:A9)', '@SUM(A1:A9)'],
    ['lastName', "-cmd|' /C calc'!A0", "-cmd|' /C calc'!A0"],
    ['title', '=1+1', '=1+1'],
  ])('rejects a %s that is a spreadsheet formula: %j', (field, cell, quoted) => {
    expect(reasonsOf({ primaryEmail: 'j@x.com', [field]: cell })).toEqual([
      `${field} "${quoted}" is a spreadsheet formula, which exports of the OMS would run; pass --allow-formula-values to keep it`,
    ]);
  });

  it.each(['+44 20 7946 0000', '@home', '-Smith', '- Anne (Marie)', 'Jean=Paul', '=', '+', 'Anne-Marie (née Dupont)'])(
    'keeps %j, which is no formula',
    (cell) => {
      expect(customerOf({ primaryEmail: 'j@x.com', lastName: cell }).lastName).toBe(cell);
    },
  );

  it('keeps a formula with --allow-formula-values, and in fields that are not names', () => {
    const formula = '=HYPERLINK("http://evil.example","Hans")';
    expect(customerOf({ primaryEmail: 'j@x.com', firstName: formula }, { allowFormulaValues: true }).firstName).toBe(
      formula,
    );
    expect(customerOf({ primaryEmail: 'j@x.com', department: '=SUM(1)' }).department).toBe('=SUM(1)');
  });
});

describe('normaliseRow: value maps', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'value-maps-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const mappingOf = (content: object): ColumnMapping => {
    const file = path.join(dir, `mapping-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify(content));
    return loadMapping(file);
  };
  const mapping = mappingOf({
    columns: { Land: 'country', Newsletter: 'promotionOptIn', Anrede: 'title' },
    attributes: { Tier: { name: 'tier', type: 'INTEGER' } },
    values: {
      country: { Oz: 'AU', 'Blighty ': 'United Kingdom' },
      promotionOptIn: { Subscribed: true, 'Opted out': false },
      title: { 'n/a': '' },
      tier: { Gold: 3 },
    },
  });

  it('reads a mapped cell as its value, whatever its case or padding, and lists it as valueMapped', () => {
    const result = normalise(
      { primaryEmail: 'j@x.com', Land: ' oz ', Newsletter: 'SUBSCRIBED', Anrede: 'N/A', Tier: 'gold' },
      { mapping },
    );
    expect(result).toEqual({
      ok: true,
      customer: {
        username: '1_j@x.com',
        primaryEmail: 'j@x.com',
        country: 'AU',
        promotionOptIn: true,
        attributes: [{ name: 'tier', type: 'INTEGER', value: 3 }],
      },
      notes: [],
      normalised: [
        { field: 'title', rule: 'valueMapped', input: 'N/A', written: '' },
        { field: 'promotionOptIn', rule: 'valueMapped', input: 'SUBSCRIBED', written: 'true' },
        { field: 'country', rule: 'valueMapped', input: ' oz ', written: 'AU' },
        { field: 'attributes.tier', rule: 'valueMapped', input: 'gold', written: '3' },
      ],
    });
  });

  it('reads the other cells as ever', () => {
    expect(
      customerOf({ primaryEmail: 'j@x.com', Land: 'Blighty', Newsletter: 'Ja', Anrede: 'Dr', Tier: '2' }, { mapping }),
    ).toMatchObject({ country: 'GB', promotionOptIn: true, title: 'Dr', attributes: [{ name: 'tier', value: 2 }] });
    expect(
      reasonsOf({ primaryEmail: 'j@x.com', Land: 'Ozland', Newsletter: '', Anrede: '', Tier: '' }, { mapping }),
    ).toHaveLength(1);
  });
});
