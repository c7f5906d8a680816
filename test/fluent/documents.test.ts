import { buildSchema, type DocumentNode, Kind, parse, validate, visit } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  CREATE_CUSTOMER,
  FIND_CUSTOMERS,
  FIND_RETAILER,
  LIST_CUSTOMERS,
  LIST_RETAILERS,
  READ_LOGIN,
  UPDATE_CUSTOMER,
} from '../../src/fluent/documents.js';
import { SANDBOX_SCHEMA_SDL } from '../../src/sandbox/schema.js';
import { readFluentAccountSchema, readFluentSchema } from '../helpers/fluentSchema.js';

const fluentSchema = buildSchema(readFluentSchema());
const accountSchema = buildSchema(readFluentAccountSchema());
const sandboxSchema = buildSchema(SANDBOX_SCHEMA_SDL);

const documents = { FIND_CUSTOMERS, CREATE_CUSTOMER, UPDATE_CUSTOMER, LIST_CUSTOMERS };
/** Who the login is and which retailers exist: Fluent's access part of the schema. */
const accountDocuments = { READ_LOGIN, FIND_RETAILER, LIST_RETAILERS };

/** Every argument value in the document, by argument name, so a literal spliced into the text shows up. */
function argumentKinds(document: DocumentNode): string[] {
  const kinds: string[] = [];
  visit(document, {
    Argument(node) {
      kinds.push(`${node.name.value}:${node.value.kind}`);
    },
  });
  return kinds;
}

describe('GraphQL documents', () => {
  for (const [name, text] of Object.entries(documents)) {
    it(`${name} is valid against Fluent's customer schema`, () => {
      expect(validate(fluentSchema, parse(text)).map((error) => error.message)).toEqual([]);
    });

    it(`${name} is valid against the sandbox's schema`, () => {
      expect(validate(sandboxSchema, parse(text)).map((error) => error.message)).toEqual([]);
    });

    it(`${name} passes every value as a variable`, () => {
      const kinds = argumentKinds(parse(text));
      expect(kinds.length).toBeGreaterThan(0);
      for (const kind of kinds) expect(kind.endsWith(`:${Kind.VARIABLE}`)).toBe(true);
    });
  }

  for (const [name, text] of Object.entries(accountDocuments)) {
    it(`${name} is valid against Fluent's customer and access schema`, () => {
      expect(validate(accountSchema, parse(text)).map((error) => error.message)).toEqual([]);
    });

    it(`${name} passes every value as a variable`, () => {
      for (const kind of argumentKinds(parse(text))) expect(kind.endsWith(`:${Kind.VARIABLE}`)).toBe(true);
    });
  }

  it('asks for the permissions and role contexts a preflight needs to tell an account-wide login from a scoped one', () => {
    const fields: string[] = [];
    visit(parse(READ_LOGIN), {
      Field(node) {
        fields.push(node.name.value);
      },
    });
    expect(fields).toEqual(
      expect.arrayContaining(['me', 'roles', 'permissions', 'contexts', 'contextType', 'contextId']),
    );
  });

  it('asks the retailer list for the page size and cursor', () => {
    expect(argumentKinds(parse(LIST_RETAILERS))).toEqual(['first:Variable', 'after:Variable']);
  });

  it('asks the lookup for the page size and cursor (Fluent pages 10 by default)', () => {
    expect(argumentKinds(parse(FIND_CUSTOMERS))).toEqual(
      expect.arrayContaining(['username:Variable', 'first:Variable', 'after:Variable']),
    );
  });

  it('lists the whole account a page at a time: page size and cursor, no username filter', () => {
    expect(argumentKinds(parse(LIST_CUSTOMERS))).toEqual(['first:Variable', 'after:Variable']);
  });

  it('a field Fluent lacks would fail validation', () => {
    const broken = FIND_CUSTOMERS.replace('primaryPhone', 'mobilePhone');
    expect(validate(fluentSchema, parse(broken)).length).toBeGreaterThan(0);
  });
});
