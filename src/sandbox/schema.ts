import fs from 'node:fs';
import { Kind, parse, print, visit } from 'graphql';

/** Fluent's customer schema as published (a snapshot older than today's docs), kept in fixtures/. */
const FLUENT_SCHEMA_FILE = new URL('../../fixtures/fluent-customer-schema.graphql', import.meta.url);
/** The access part of the same snapshot (me, user, retailerById, retailers, roles); it extends the customer part. */
const FLUENT_ACCESS_SCHEMA_FILE = new URL('../../fixtures/fluent-access-schema.graphql', import.meta.url);

/** Fields the snapshot requires on CreateCustomerInput that today's docs make optional (SPEC §1, §6). */
const OPTIONAL_TODAY = new Set(['firstName', 'timezone']);

/**
 * The GraphQL schema the sandbox serves: Fluent's customer and access schemas together, with the customer part's
 * one documented drift fixed — CreateCustomerInput's `firstName` and `timezone` are optional, as today's docs say.
 * test/sandbox/schema.test.ts checks that this is the only difference from Fluent's schema.
 */
export const SANDBOX_SCHEMA_SDL: string = print(
  visit(
    parse(`${fs.readFileSync(FLUENT_SCHEMA_FILE, 'utf8')}\n${fs.readFileSync(FLUENT_ACCESS_SCHEMA_FILE, 'utf8')}`),
    {
      InputObjectTypeDefinition(node) {
        if (node.name.value !== 'CreateCustomerInput') return undefined;
        return {
          ...node,
          fields: node.fields?.map((field) =>
            OPTIONAL_TODAY.has(field.name.value) && field.type.kind === Kind.NON_NULL_TYPE
              ? { ...field, type: field.type.type }
              : field,
          ),
        };
      },
    },
  ),
);
