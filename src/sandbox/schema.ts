import fs from 'node:fs';
import { Kind, parse, print, visit } from 'graphql';

/** Fluent's customer schema as published (a snapshot older than today's docs), kept in fixtures/. */
const FLUENT_SCHEMA_FILE = new URL('../../fixtures/fluent-customer-schema.graphql', import.meta.url);
/** The access part of the same snapshot (me, user, retailerById, retailers, roles); it extends the customer part. */
const FLUENT_ACCESS_SCHEMA_FILE = new URL('../../fixtures/fluent-access-schema.graphql', import.meta.url);

/**
 * What the sandbox adds to the snapshot: the fields Fluent's createUser docs list on `User` (`apps` aside: the docs
 * we hold do not say what an App holds), and those of `Retailer`, `Location` and the language setting that Fluent's
 * own SDK (@fluentcommerce/fc-connect-sdk) reads in its connection test (`me { ... primaryRetailer { ... }
 * primaryLocation { ... } language { value label } }`). Every one is nullable, and the sandbox answers null where
 * it knows nothing (a login has no location; a retailer has no website).
 */
export const SANDBOX_SCHEMA_ADDITIONS = `
extend type User {
  title: String
  firstName: String
  lastName: String
  primaryEmail: String
  primaryPhone: String
  attributes: [Attribute]
  department: String
  country: String
  timezone: String
  language: SettingValueType
  promotionOptIn: Boolean
  primaryLocation: Location
}

extend type Retailer {
  summary: String
  websiteUrl: String
  websiteUrlName: String
  supportContactName: String
  supportEmail: String
  supportPhone: String
}

type SettingValueType {
  value: String
  label: String
}

type Location implements Node {
  id: ID!
  createdOn: DateTime
  updatedOn: DateTime
  ref: String!
  type: String
  status: String
  name: String
  supportPhoneNumber: String
  defaultCarrier: String
  defaultCarrierName: String
  workflowRef: String
  workflowVersion: Int
  retailer: Retailer
}
`;

/** Fields the snapshot requires on CreateCustomerInput that today's docs make optional (SPEC §1, §6). */
const OPTIONAL_TODAY = new Set(['firstName', 'timezone']);

/**
 * The GraphQL schema the sandbox serves: Fluent's customer and access schemas together, with the customer part's
 * one documented drift fixed — CreateCustomerInput's `firstName` and `timezone` are optional, as today's docs say —
 * and SANDBOX_SCHEMA_ADDITIONS. test/sandbox/schema.test.ts checks that these are the only differences from Fluent's
 * schema.
 */
export const SANDBOX_SCHEMA_SDL: string = print(
  visit(
    parse(
      `${fs.readFileSync(FLUENT_SCHEMA_FILE, 'utf8')}\n${fs.readFileSync(FLUENT_ACCESS_SCHEMA_FILE, 'utf8')}\n${SANDBOX_SCHEMA_ADDITIONS}`,
    ),
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
