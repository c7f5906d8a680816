/**
 * The GraphQL schema the sandbox serves: Fluent's customer schema as held in
 * `../shared/fluent/customer-schema.graphql`, embedded as text because the build does not copy .graphql files.
 * One drift is fixed (SPEC §1, §6): CreateCustomerInput's `firstName` and `timezone` are optional, as today's
 * docs say. test/sandbox/schema.test.ts checks that this is the only difference from the shared file.
 */
export const SANDBOX_SCHEMA_SDL: string = `# The customer part of Fluent Commerce's GraphQL schema, as field and type facts.
# Source: a published schema snapshot of a Fluent account (older than today's docs), cut down to what a
# customer sync touches. Where it differs from docs.fluentcommerce.com today, the docs win (SPEC.md §1):
#   - CreateCustomerInput: this snapshot requires firstName and timezone; today's docs make both optional.
#     FIXED HERE: both are optional below, as the docs say.
#   - updateCustomer / UpdateCustomerInput are missing from the snapshot; they are added at the end, from the docs.
#   - PageInfo has no endCursor: page with the cursor of the last edge.

scalar DateTime
scalar Json

interface Node {
  id: ID!
  createdOn: DateTime
  updatedOn: DateTime
}

type Attribute {
  name: String!
  type: String!
  value: Json!
}

input AttributeInput {
  name: String!
  type: String!
  value: Json!
}

input DateRange {
  from: DateTime
  to: DateTime
}

type Retailer implements Node {
  id: ID!
  createdOn: DateTime
  updatedOn: DateTime
  status: String
  ref: String!
  tradingName: String
  primaryEmail: String
}

input RetailerId {
  id: ID!
}

type Customer implements Node {
  id: ID!
  ref: String
  status: String
  createdOn: DateTime
  updatedOn: DateTime
  attributes: [Attribute]
  title: String
  department: String
  country: String
  firstName: String
  lastName: String
  username: String
  primaryEmail: String
  primaryPhone: String
  timezone: String
  promotionOptIn: Boolean
  retailer: Retailer
}

type PageInfo {
  hasPreviousPage: Boolean
  hasNextPage: Boolean
}

type CustomerEdge {
  node: Customer
  cursor: String
}

type CustomerConnection {
  edges: [CustomerEdge]
  pageInfo: PageInfo
}

input CreateCustomerInput {
  username: String!
  attributes: [AttributeInput]
  title: String
  department: String
  country: String
  firstName: String
  lastName: String
  primaryEmail: String!
  primaryPhone: String
  timezone: String
  promotionOptIn: Boolean!
  retailer: RetailerId!
}

type Query {
  customer(ref: String!): Customer
  customerById(id: ID!): Customer
  customers(
    ref: [String]
    status: [String]
    createdOn: DateRange
    updatedOn: DateRange
    title: [String]
    department: [String]
    country: [String]
    firstName: [String]
    lastName: [String]
    username: [String]
    primaryEmail: [String]
    primaryPhone: [String]
    timezone: [String]
    promotionOptIn: [Boolean]
    first: Int
    last: Int
    before: String
    after: String
  ): CustomerConnection
}

# From today's docs (absent from the snapshot): the customer is identified by username.
input UpdateCustomerInput {
  username: String!
  attributes: [AttributeInput]
  title: String
  country: String
  firstName: String
  lastName: String
  primaryEmail: String
  primaryPhone: String
  timezone: String
  promotionOptIn: Boolean
}

type Mutation {
  createCustomer(input: CreateCustomerInput): Customer
  updateCustomer(input: UpdateCustomerInput): Customer
}
`;
