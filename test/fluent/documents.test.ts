import { buildSchema, type DocumentNode, executeSync, type GraphQLSchema, Kind, parse, validate, visit } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  batchMutation,
  CREATE_CUSTOMER,
  FIND_CUSTOMERS,
  FIND_RETAILER,
  LIST_CUSTOMERS,
  LIST_RETAILERS,
  PROBE_ALIASES,
  READ_LOGIN,
  UPDATE_CUSTOMER,
} from '../../src/fluent/documents.js';
import { planAction } from '../../src/plan/planAction.js';
import { SANDBOX_SCHEMA_SDL } from '../../src/sandbox/schema.js';
import type { CustomerAttribute } from '../../src/types.js';
import { aCustomer, anOmsCustomer } from '../builders/customers.js';
import { readFluentAccountSchema, readFluentSchema } from '../helpers/fluentSchema.js';

const fluentSchema = buildSchema(readFluentSchema());
const accountSchema = buildSchema(readFluentAccountSchema());
const sandboxSchema = buildSchema(SANDBOX_SCHEMA_SDL);

const documents = {
  FIND_CUSTOMERS,
  CREATE_CUSTOMER,
  UPDATE_CUSTOMER,
  PROBE_ALIASES,
  'a batch of 2 creates and 3 updates': batchMutation({ creates: 2, updates: 3 }).query,
  'a batch of 25 creates': batchMutation({ creates: 25, updates: 0 }).query,
  LIST_CUSTOMERS,
  'a batch of 1 update': batchMutation({ creates: 0, updates: 1 }).query,
};
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

  it('selects every attribute of a customer with its name, type and value', () => {
    // Every document that returns customers to compare (the aliased probe and the account listing return a few fields).
    for (const text of Object.values(documents).filter((t) => t !== PROBE_ALIASES && t !== LIST_CUSTOMERS)) {
      expect(text.replace(/\s+/g, ' ')).toContain('attributes { name type value }');
    }
  });

  it('the attributes a create and an update send are valid variables for both schemas', () => {
    const attributes: CustomerAttribute[] = [
      { name: 'legacyCrmId', type: 'STRING', value: 'C-1' },
      { name: 'loyaltyTier', type: 'INTEGER', value: 2 },
      { name: 'prefs', type: 'JSON', value: { sms: true } },
    ];
    // Fluent's snapshot still marks firstName and timezone required on create (see the schema's drift notes).
    const customer = aCustomer({ timezone: 'Australia/Sydney', attributes });
    const create = planAction(customer, [], '1');
    const oms = anOmsCustomer({ attributes: [{ name: 'segment', type: 'STRING', value: 'B2B' }] });
    const update = planAction(customer, [oms], '1');
    if (create.kind !== 'create' || update.kind !== 'update') throw new Error('expected a create and an update');
    expect(update.input.attributes).toHaveLength(4);
    for (const schema of [fluentSchema, sandboxSchema]) {
      expect(variableErrors(schema, CREATE_CUSTOMER, { input: create.input })).toEqual([]);
      expect(variableErrors(schema, UPDATE_CUSTOMER, { input: update.input })).toEqual([]);
    }
    const untyped = { input: { username: 'u', attributes: [{ name: 'x', value: 1 }] } };
    expect(variableErrors(fluentSchema, UPDATE_CUSTOMER, untyped)).not.toEqual([]);
  });

  it('names each alias of a batch after its mutation and position, its input in the variable of the same name', () => {
    const { query, aliases } = batchMutation({ creates: 2, updates: 1 });
    expect(aliases).toEqual(['c0', 'c1', 'u2']);
    const fields: string[] = [];
    visit(parse(query), {
      Field(node) {
        if (node.alias) {
          const input = node.arguments?.[0]?.value;
          fields.push(
            `${node.alias.value}:${node.name.value}(${input?.kind === Kind.VARIABLE ? input.name.value : '?'})`,
          );
        }
      },
    });
    expect(fields).toEqual(['c0:createCustomer(c0)', 'c1:createCustomer(c1)', 'u2:updateCustomer(u2)']);
  });

  it('a batch of nothing is refused before it is sent', () => {
    expect(() => batchMutation({ creates: 0, updates: 0 })).toThrow(RangeError);
  });

  it('lists the whole account a page at a time: page size and cursor, no username filter', () => {
    expect(argumentKinds(parse(LIST_CUSTOMERS))).toEqual(['first:Variable', 'after:Variable']);
  });

  it('a field Fluent lacks would fail validation', () => {
    const broken = FIND_CUSTOMERS.replace('primaryPhone', 'mobilePhone');
    expect(validate(fluentSchema, parse(broken)).length).toBeGreaterThan(0);
  });
});

/**
 * What graphql-js says about `variables` for the operation in `text`, run against a schema without resolvers (every
 * field answers null): [] when the schema accepts them as they are.
 */
function variableErrors(schema: GraphQLSchema, text: string, variables: Record<string, unknown>): string[] {
  const result = executeSync({ schema, document: parse(text), variableValues: variables, rootValue: {} });
  return (result.errors ?? []).map((error) => error.message);
}
