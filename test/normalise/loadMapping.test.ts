import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMapping } from '../../src/normalise/loadMapping.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';

let dir: string;
let counter = 0;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'load-mapping-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function aMappingFile(content: string): string {
  const file = path.join(dir, `mapping-${++counter}.json`);
  fs.writeFileSync(file, content);
  return file;
}

const messageOf = (file: string): string => usageErrorMessage(() => loadMapping(file));

describe('loadMapping', () => {
  it('loads a valid mapping (a BOM is fine)', () => {
    const file = aMappingFile('\uFEFF{"columns": {"EMAIL_ADDR": "primaryEmail", "Tel": "primaryPhone"}, "note": "x"}');
    expect(loadMapping(file)).toEqual({ columns: { EMAIL_ADDR: 'primaryEmail', Tel: 'primaryPhone' } });
  });

  it('names a missing file', () => {
    const file = path.join(dir, 'missing.json');
    expect(messageOf(file)).toBe(`mapping file ${file} cannot be read: no such file`);
  });

  it('names a directory', () => {
    expect(messageOf(dir)).toBe(`mapping file ${dir} cannot be read: it is a folder`);
  });

  it('says when the file is not JSON', () => {
    const file = aMappingFile('{"columns": {');
    expect(messageOf(file)).toMatch(
      new RegExp(`^mapping file ${file} is not valid JSON \\(.+\\); expected \\{"columns"`),
    );
  });

  it.each(['{}', '{"columns": ["a"]}', '{"columns": null}', '[]', '"columns"'])(
    'refuses %s: no "columns" object',
    (content) => {
      const file = aMappingFile(content);
      expect(messageOf(file)).toBe(
        `mapping file ${file} has no "columns" object; expected {"columns": {"EMAIL_ADDR": "primaryEmail"}}`,
      );
    },
  );

  it('refuses a target that is not a Fluent field, listing the allowed ones', () => {
    const file = aMappingFile('{"columns": {"EMAIL_ADDR": "mail_address"}}');
    expect(messageOf(file)).toBe(
      `mapping file ${file} maps "EMAIL_ADDR" to "mail_address", which is not a Fluent customer field (did you mean primaryEmail?); use one of: username, title, firstName, lastName, primaryEmail, primaryPhone, timezone, promotionOptIn, department, country`,
    );
  });

  it('suggests the field a wrongly spelled target means', () => {
    const file = aMappingFile('{"columns": {"FNAME": "first_name"}}');
    expect(messageOf(file)).toContain('(did you mean firstName?)');
  });

  it('suggests nothing for a target that is no name of a field', () => {
    const file = aMappingFile('{"columns": {"EMAIL_ADDR": "loyalty"}}');
    expect(messageOf(file)).toMatch(/to "loyalty", which is not a Fluent customer field; use one of/);
  });

  it('refuses a target that is not a string', () => {
    const file = aMappingFile('{"columns": {"FNAME": 3}}');
    expect(messageOf(file)).toContain('maps "FNAME" to 3, which is not a Fluent customer field');
  });

  it('refuses two headers mapped to one field', () => {
    const file = aMappingFile('{"columns": {"EMAIL": "primaryEmail", "MAIL2": "primaryEmail"}}');
    expect(messageOf(file)).toBe(`mapping file ${file} maps both "EMAIL" and "MAIL2" to primaryEmail; keep one`);
  });

  it('refuses an empty header name', () => {
    const file = aMappingFile('{"columns": {" ": "primaryEmail"}}');
    expect(messageOf(file)).toBe(`mapping file ${file} maps an empty header name; remove that entry`);
  });
});

describe('loadMapping: attributes', () => {
  it('loads attributes beside columns, taking the type in any case', () => {
    const file = aMappingFile(
      JSON.stringify({
        columns: { EMAIL_ADDR: 'primaryEmail' },
        attributes: { CRM_ID: { name: 'legacyCrmId', type: 'STRING' }, TIER: { name: 'loyaltyTier', type: 'integer' } },
      }),
    );
    expect(loadMapping(file)).toEqual({
      columns: { EMAIL_ADDR: 'primaryEmail' },
      attributes: {
        CRM_ID: { name: 'legacyCrmId', type: 'STRING' },
        TIER: { name: 'loyaltyTier', type: 'INTEGER' },
      },
    });
  });

  it('takes a file with attributes only: the columns are then matched by their names', () => {
    const file = aMappingFile('{"attributes": {"CRM_ID": {"name": "legacyCrmId", "type": "STRING"}}}');
    expect(loadMapping(file)).toEqual({ columns: {}, attributes: { CRM_ID: { name: 'legacyCrmId', type: 'STRING' } } });
  });

  it.each([
    ['{"attributes": []}', '"attributes" must be an object, e.g. {"attributes": {"CRM_ID"'],
    [
      '{"attributes": {"CRM_ID": "legacyCrmId"}}',
      'attribute column "CRM_ID" must map to {"name": "...", "type": "STRING"}, got "legacyCrmId"',
    ],
    ['{"attributes": {"CRM_ID": {"type": "STRING"}}}', 'attribute column "CRM_ID" needs a "name"'],
    ['{"attributes": {"CRM_ID": {"name": " x", "type": "STRING"}}}', 'attribute column "CRM_ID" needs a "name"'],
    [
      '{"attributes": {"CRM_ID": {"name": "x\\u001b[2J", "type": "STRING"}}}',
      'attribute column "CRM_ID" needs a "name"',
    ],
    [
      '{"attributes": {"CRM_ID": {"name": "x"}}}',
      'attribute column "CRM_ID" has no "type"; use one of: STRING, INTEGER, FLOAT, BOOLEAN, JSON',
    ],
    [
      '{"attributes": {"CRM_ID": {"name": "x", "type": "TEXT"}}}',
      'attribute column "CRM_ID" has type "TEXT"; use one of: STRING, INTEGER, FLOAT, BOOLEAN, JSON',
    ],
    [
      '{"attributes": {"CRM_ID": {"name": "x", "typ": "STRING"}}}',
      'attribute column "CRM_ID" has "typ" (did you mean "type"?); an attribute takes only "name" and "type"',
    ],
    [
      '{"attributes": {" ": {"name": "x", "type": "STRING"}}}',
      'maps an empty header name to an attribute; remove that entry',
    ],
    [
      '{"attributes": {"A": {"name": "x", "type": "STRING"}, "B": {"name": "x", "type": "INTEGER"}}}',
      'maps both "A" and "B" to attribute x; keep one',
    ],
  ])('refuses %s in one line', (content, expected) => {
    const file = aMappingFile(content);
    expect(messageOf(file)).toContain(expected);
    expect(messageOf(file)).toMatch(new RegExp(`^mapping file ${file}`));
  });

  it.each(['attribute', 'atributes', 'column', 'Columns'])('refuses the near miss "%s" of a part name', (key) => {
    const file = aMappingFile(`{"columns": {"E": "primaryEmail"}, "${key}": {}}`);
    expect(messageOf(file)).toMatch(/; did you mean "(columns|attributes)"\?$/);
  });
});

describe('loadMapping: values', () => {
  const withValues = (values: unknown, attributes: object = { VIP: { name: 'vip', type: 'BOOLEAN' } }) =>
    aMappingFile(JSON.stringify({ columns: { E: 'primaryEmail' }, attributes, values }));

  it('compiles each map: keys as normalised, lower-cased cell text, values as the text they stand for', () => {
    const file = withValues({
      country: { Oz: 'AU', ' Blighty ': 'United Kingdom' },
      promotionOptIn: { Subscribed: true },
      vip: { Gold: true },
      'attributes.vip': { Silver: false },
      firstName: { 'N/A': '' },
    });
    const { values } = loadMapping(file);
    expect(values?.fields.country).toEqual(
      new Map([
        ['oz', 'AU'],
        ['blighty', 'GB'],
      ]),
    );
    expect(values?.fields.promotionOptIn).toEqual(new Map([['subscribed', 'true']]));
    expect(values?.fields.firstName).toEqual(new Map([['n/a', '']]));
    expect(values?.attributes.vip).toEqual(new Map([['silver', 'false']]));
  });

  it.each([
    [
      { contry: { Oz: 'AU' } },
      '"values" has "contry", which is neither a Fluent customer field nor an attribute of "attributes" (did you mean "country"?)',
    ],
    [
      { loyalty: { Gold: 1 } },
      '"values" has "loyalty", which is neither a Fluent customer field nor an attribute of "attributes"',
    ],
    [{ country: ['AU'] }, '"values" for country must be an object of cell → value'],
    [{ country: { Oz: 61 } }, '"values" for country: "Oz" maps to 61, which is not a country code or name as text'],
    [{ country: { Oz: 'Ozland' } }, '"values" for country: "Oz" maps to "Ozland", which is not a country code or name'],
    [
      { country: { C: 'Congo' } },
      'which is not one country (it could be CD, Congo - Kinshasa or CG, Congo - Brazzaville)',
    ],
    [{ promotionOptIn: { Subscribed: 'yes' } }, '"Subscribed" maps to "yes", which is not true or false'],
    [{ vip: { Gold: 1 } }, '"values" for vip: "Gold" maps to 1, which is not true or false'],
    [{ firstName: { X: 3 } }, '"X" maps to 3, which is not text'],
    [{ country: { ' ': 'AU' } }, 'maps an empty cell, which is "no value" and cannot be mapped'],
    [
      { country: { Oz: 'AU', oz: 'NZ' } },
      'maps both "Oz" and "oz", which are one cell (case and spaces aside); keep one',
    ],
  ])('refuses %j, naming the entry', (values, expected) => {
    const file = withValues(values);
    expect(messageOf(file)).toContain(expected);
    expect(messageOf(file)).toMatch(new RegExp(`^mapping file ${file}: "values"`));
  });

  it('checks values of attributes by their type', () => {
    const attributes = {
      T: { name: 'tier', type: 'INTEGER' },
      S: { name: 'score', type: 'FLOAT' },
      J: { name: 'j', type: 'JSON' },
    };
    expect(messageOf(withValues({ tier: { Gold: 1.5 } }, attributes))).toContain(
      'maps to 1.5, which is not a whole number',
    );
    expect(messageOf(withValues({ score: { High: 'x' } }, attributes))).toContain('maps to "x", which is not a number');
    expect(messageOf(withValues({ j: { None: null } }, attributes))).toContain(
      'which is not a JSON value Fluent keeps',
    );
    expect(
      loadMapping(withValues({ tier: { Gold: 3 }, j: { Pref: { a: 1 } } }, attributes)).values?.attributes,
    ).toEqual({
      tier: new Map([['gold', '3']]),
      j: new Map([['pref', '{"a":1}']]),
    });
  });

  it('refuses a near miss of "values"', () => {
    const file = aMappingFile('{"columns": {"E": "primaryEmail"}, "value": {}}');
    expect(messageOf(file)).toMatch(/did you mean "values"\?$/);
  });
});
