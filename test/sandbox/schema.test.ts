import {
  buildASTSchema,
  buildSchema,
  type InputObjectTypeDefinitionNode,
  Kind,
  parse,
  printSchema,
  visit,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { SANDBOX_SCHEMA_ADDITIONS, SANDBOX_SCHEMA_SDL } from '../../src/sandbox/schema.js';
import { readFluentAccountSchema } from '../helpers/fluentSchema.js';

/** Fluent's customer and access schemas together: what the sandbox serves, less the documented drift. */
const sharedSdl = readFluentAccountSchema();

describe('SANDBOX_SCHEMA_SDL', () => {
  it('makes CreateCustomerInput.firstName and timezone optional, as today’s docs do', () => {
    const shared = buildSchema(sharedSdl).getType('CreateCustomerInput');
    const sandbox = buildSchema(SANDBOX_SCHEMA_SDL).getType('CreateCustomerInput');
    if (!shared || !sandbox || !('getFields' in shared) || !('getFields' in sandbox)) throw new Error('type missing');
    expect(String(shared.getFields().firstName?.type)).toBe('String!');
    expect(String(shared.getFields().timezone?.type)).toBe('String!');
    expect(String(sandbox.getFields().firstName?.type)).toBe('String');
    expect(String(sandbox.getFields().timezone?.type)).toBe('String');
  });

  it('serves the access part too: me, user, retailerById and retailers', () => {
    const query = buildSchema(SANDBOX_SCHEMA_SDL).getQueryType()?.getFields() ?? {};
    expect(String(query.me?.type)).toBe('User');
    expect(query.user?.args.map((arg) => arg.name)).toEqual(['id', 'username']);
    expect(String(query.retailerById?.type)).toBe('Retailer');
    expect(String(query.retailers?.type)).toBe('RetailerConnection');
    expect(String(query.customers?.type)).toBe('CustomerConnection');
  });

  it('gives User the fields of Fluent’s createUser docs, and Retailer those Fluent’s SDK reads, all nullable', () => {
    const schema = buildSchema(SANDBOX_SCHEMA_SDL);
    const shared = buildSchema(sharedSdl);
    const fieldsOf = (built: typeof schema, name: string) => {
      const type = built.getType(name);
      if (!type || !('getFields' in type)) throw new Error(`${name} missing`);
      return type.getFields();
    };
    const added = (name: string) =>
      Object.keys(fieldsOf(schema, name)).filter((field) => !(field in fieldsOf(shared, name)));
    expect(added('User').sort()).toEqual(
      [
        'title',
        'firstName',
        'lastName',
        'primaryEmail',
        'primaryPhone',
        'attributes',
        'department',
        'country',
        'timezone',
        'language',
        'promotionOptIn',
        'primaryLocation',
      ].sort(),
    );
    expect(added('Retailer').sort()).toEqual(
      ['summary', 'websiteUrl', 'websiteUrlName', 'supportContactName', 'supportEmail', 'supportPhone'].sort(),
    );
    for (const name of ['User', 'Retailer', 'Location']) {
      for (const field of Object.values(fieldsOf(schema, name))) {
        if (name === 'Location' || !(field.name in fieldsOf(shared, name))) {
          if (field.name !== 'id' && field.name !== 'ref')
            expect(String(field.type), `${name}.${field.name}`).not.toMatch(/!$/);
        }
      }
    }
  });

  it('is otherwise identical to the shared Fluent schema, customer and access parts together', () => {
    // Make exactly those two fields nullable in the shared schema; everything else must then print the same.
    let relaxed = 0;
    const patched = visit(parse(sharedSdl), {
      InputObjectTypeDefinition(node: InputObjectTypeDefinitionNode) {
        if (node.name.value !== 'CreateCustomerInput') return undefined;
        return {
          ...node,
          fields: node.fields?.map((field) => {
            if (!['firstName', 'timezone'].includes(field.name.value) || field.type.kind !== Kind.NON_NULL_TYPE) {
              return field;
            }
            relaxed++;
            return { ...field, type: field.type.type };
          }),
        };
      },
    });
    expect(relaxed).toBe(2);
    const withAdditions = {
      ...patched,
      definitions: [...patched.definitions, ...parse(SANDBOX_SCHEMA_ADDITIONS).definitions],
    };
    expect(printSchema(buildSchema(SANDBOX_SCHEMA_SDL))).toBe(printSchema(buildASTSchema(withAdditions)));
  });
});
