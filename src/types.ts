/**
 * Domain types shared by the pipeline stages: read → normalise → check → plan → apply → report.
 * Pure data only; no stage logic lives here.
 */

/** Fluent customer fields a CSV column can map to, in the order reports list them. */
export const CUSTOMER_FIELDS = [
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
] as const;

export type CustomerField = (typeof CUSTOMER_FIELDS)[number];

/** CUSTOMER_FIELDS but `left`, in the same order. */
export function customerFieldsBut<const Left extends CustomerField>(
  ...left: Left[]
): readonly Exclude<CustomerField, Left>[] {
  const out = left as readonly CustomerField[];
  return CUSTOMER_FIELDS.filter((field): field is Exclude<CustomerField, Left> => !out.includes(field));
}

/** Fields Fluent's updateCustomer accepts besides the identifying username (no department, no retailer). */
export const UPDATABLE_FIELDS = customerFieldsBut('username', 'department');

/** Fluent's field length limits (characters). */
export const FIELD_LIMITS: Readonly<Partial<Record<CustomerField, number>>> = {
  username: 250,
  primaryEmail: 250,
  title: 50,
  firstName: 50,
  lastName: 50,
  primaryPhone: 20,
  timezone: 32,
  country: 100,
};

/** The attribute types a mapping file may name (SPEC §3); a cell is converted to the type's JSON value. */
export const ATTRIBUTE_TYPES = ['STRING', 'INTEGER', 'FLOAT', 'BOOLEAN', 'JSON'] as const;

export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** Any JSON value: what Fluent's `Json` scalar holds. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A Fluent customer attribute (`{name, type, value}`) as a mapped column gives it. */
export interface CustomerAttribute {
  name: string;
  type: AttributeType;
  value: JsonValue;
}

/** A customer attribute as the OMS holds it: any type name, any JSON value (another system may have written it). */
export interface OmsAttribute {
  name: string;
  type: string;
  value: unknown;
}

/**
 * A customer as one CSV row describes it, after normalisation. A field that is absent had an empty cell:
 * "no value" — omitted on create, left as it is on update.
 */
export interface Customer {
  username: string;
  title?: string;
  firstName?: string;
  lastName?: string;
  primaryEmail?: string;
  primaryPhone?: string;
  timezone?: string;
  promotionOptIn?: boolean;
  department?: string;
  country?: string;
  /** The mapped attributes whose cells hold a value, in file column order; absent when there are none. */
  attributes?: CustomerAttribute[];
}

/** One data record of the CSV as read, before any interpretation. */
export interface RawRow {
  /** Data rows counted from 1 (the header is not a row). */
  row: number;
  /** File line where the record starts (the header is line 1). */
  line: number;
  /** The record's cells, as decoded text; may be shorter or longer than the header (ragged rows). */
  cells: string[];
}

/**
 * The rules by which normalising changes a value on its way in (SPEC §4: report.json `normalised` counts them, and
 * review.csv lists the rows of the rules in REVIEW_RULES). Trimming and whitespace collapse count as `textTrimmed`,
 * an NFC change as `textRecomposed`; the rest name what was read.
 */
export const NORMALISATION_RULES = [
  /** A phone written otherwise than in E.164 (spaces, dashes, a national prefix) was rewritten as E.164. */
  'phoneReformatted',
  /** A national phone number was read with `--default-country`, the row naming no country. */
  'phoneAssumedCountry',
  /** A phone was read from an international call prefix (`00`, `011`, `0011`, `010`, carrier-select forms). */
  'phoneInternationalPrefix',
  /** A phone given as `+CC…` that is possible but not valid by the metadata (which lags new ranges). */
  'phonePossibleNotValid',
  /** A phone's extension was dropped (`--phone-extension drop`). */
  'phoneExtensionDropped',
  /** A country name, alpha-3 code or short form was stored as its ISO alpha-2 code. */
  'countryTranslated',
  /** An opt-in word (`ja`, `oui`, `Y`, …) was read as true or false. */
  'optInWord',
  /** The mapping file's `values` replaced the cell's value. */
  'valueMapped',
  /** Unicode NFC changed the text (a decomposed accent composed). */
  'textRecomposed',
  /** Leading or trailing whitespace was removed, or a run of whitespace collapsed to one space. */
  'textTrimmed',
  /** The email was lower-cased. */
  'emailLowerCased',
] as const;

export type NormalisationRule = (typeof NORMALISATION_RULES)[number];

/** The rules whose rows a person should look at although they were (or would be) written: review.csv. */
export const REVIEW_RULES: ReadonlySet<NormalisationRule> = new Set(['phoneAssumedCountry', 'phonePossibleNotValid']);

/** One change normalising made to one cell of a row that passed: the cell as the file had it, and what is written. */
export interface Normalisation {
  /** A Fluent field, or an attribute as `attributes.NAME`. */
  field: ChangedField;
  rule: NormalisationRule;
  /** The cell as the file had it (before any value map, NFC or trim). */
  input: string;
  /** The value written, as diff.csv shows it (booleans as `true`/`false`). */
  written: string;
}

/** A value that made its row rejected, for grouping rejects by what they held (`country "Deutschland" ×15`). */
export interface OffendingValue {
  /** A Fluent field, an attribute as `attributes.NAME`, or a column's header for a problem of the cell itself. */
  field: string;
  /** The cell's value as the reason quotes it (normalised text). */
  value: string;
}

/**
 * A row that passed (with `notes`: what normalising changed that the row's reason must say, e.g. a dropped phone
 * extension, and `normalised`: every change by rule, for the report's counts and review.csv), or the reasons it is
 * rejected with the values that caused them (`offending`, where a reason is about one cell's value).
 */
export type NormaliseResult =
  | { ok: true; customer: Customer; notes: string[]; normalised: Normalisation[] }
  | { ok: false; reasons: string[]; offending: OffendingValue[] };

/** A customer as the OMS holds it (a `customers` lookup node). */
export interface OmsCustomer {
  id: string;
  ref: string | null;
  username: string;
  title: string | null;
  firstName: string | null;
  lastName: string | null;
  primaryEmail: string | null;
  primaryPhone: string | null;
  timezone: string | null;
  promotionOptIn: boolean | null;
  department: string | null;
  country: string | null;
  status: string | null;
  retailerId: string | null;
  /** Every attribute the OMS holds for the customer; absent or null when it holds none. */
  attributes?: OmsAttribute[] | null;
}

/** Fields Fluent's createCustomer accepts besides username, primaryEmail, promotionOptIn and retailer. */
export const CREATE_OPTIONAL_FIELDS = customerFieldsBut('username', 'primaryEmail', 'promotionOptIn');

/** Input of Fluent's createCustomer mutation. */
export type CreateCustomerInput = Pick<Customer, 'username' | (typeof CREATE_OPTIONAL_FIELDS)[number]> & {
  primaryEmail: string;
  promotionOptIn: boolean;
  retailer: { id: string };
  attributes?: CustomerAttribute[];
};

/**
 * Input of Fluent's updateCustomer mutation: the username identifies the customer; only changed fields travel, and
 * `attributes`, when any changed, is the customer's whole list (Fluent may replace the list with what it is given).
 */
export type UpdateCustomerInput = Pick<Customer, 'username' | (typeof UPDATABLE_FIELDS)[number]> & {
  attributes?: OmsAttribute[];
};

/** Every outcome a row can end with. `valid` is used by `validate` only. */
export const OUTCOME_KINDS = [
  'created',
  'updated',
  'unchanged',
  'duplicate',
  'rejected',
  'conflict',
  'failed',
  'skipped',
  'valid',
] as const;

export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

/** What happened to one input row; one line of outcomes.csv. */
export interface RowOutcome {
  row: number;
  line: number;
  /** Empty when the row was rejected before a username could be derived. */
  username: string;
  outcome: OutcomeKind;
  reason: string;
  changedFields: ChangedField[];
  /** The OMS id of the row's customer where one is known (created, updated, unchanged); '' otherwise. */
  customerId: string;
}

/** What a diff line names: a Fluent field, or an attribute as `attributes.NAME` (SPEC §4). */
export type ChangedField = CustomerField | `attributes.${string}`;

/** One changed field of one customer; one line of diff.csv. Attribute values other than text are shown as JSON. */
export interface FieldChange {
  username: string;
  field: ChangedField;
  before: string | boolean | null;
  after: string | boolean | null;
}

/** A field change as diff.csv lists it: with the cell as the file had it ('' when empty or not known). */
export interface DiffLine extends FieldChange {
  input: string;
  /** The input row the change came from, where known: a customer's lines are told apart by it. */
  row?: number;
}

/** One line of review.csv: a value written (or that would be) that a person should look at. */
export interface ReviewLine {
  row: number;
  username: string;
  field: ChangedField;
  input: string;
  written: string;
  rule: NormalisationRule;
}

/** How many rejected rows held one value, for grouping rejects by it (`country "Deutschland" ×15`). */
export interface RejectedValueCount extends OffendingValue {
  rows: number;
  /** The first row that held it. */
  example: number;
}

/** Totals of report.json. read = sum of all the others, always. */
export type RunTotals = { read: number } & Record<OutcomeKind, number>;

/** Request counters of report.json. */
export interface RequestStats {
  graphql: number;
  retries: number;
  rateLimited: number;
  /** GraphQL requests per second over the apply phase. */
  effectiveRate: number;
}

export type RunMode = 'apply' | 'dry-run' | 'validate';

/** The plan for one username, decided by a pure function from the file, the OMS and the checkpoint. */
export type Action =
  | { kind: 'create'; input: CreateCustomerInput; changes: FieldChange[] }
  | { kind: 'update'; input: UpdateCustomerInput; changes: FieldChange[]; note: string }
  | { kind: 'unchanged'; reason: string }
  | { kind: 'conflict'; reason: string; conflict: ConflictKind }
  | { kind: 'rejected'; reason: string }
  /** Left out by `--mode update-only`: the OMS has no such customer to update. */
  | { kind: 'skipped'; reason: string }
  /** Left as it is by `--mode create-only`: the customer exists and differs; the row ends `unchanged`. */
  | { kind: 'kept'; reason: string };

/**
 * Why a row is a `conflict`, as data the report counts (report.json `conflicts`): its username is held by another
 * retailer (`otherRetailer`), by this retailer in another case (`caseVariant`), was created by another writer while
 * this run created it (`concurrent`), or Fluent refused the create as existing for a customer no lookup can see
 * (`unseen`).
 */
export const CONFLICT_KINDS = ['otherRetailer', 'caseVariant', 'concurrent', 'unseen'] as const;

export type ConflictKind = (typeof CONFLICT_KINDS)[number];

/** `--mode`: which changes a run may make (SPEC §2). */
export const WRITE_MODES = ['upsert', 'create-only', 'update-only'] as const;

export type WriteMode = (typeof WRITE_MODES)[number];

/** A planned create or update: what a row sends to the OMS. */
export type MutationAction = Extract<Action, { kind: 'create' | 'update' }>;

/** Across which customers account-wide username uniqueness was checked: how far the login's lookups reach. */
export type UniquenessScope =
  | { checkedAcross: 'account' }
  | { checkedAcross: 'retailers'; retailers: string[] }
  | { checkedAcross: 'unchecked'; reason: string };

/** A customer of the run's retailer that the OMS holds and the file does not (`--report-missing`); a line of missing.csv. */
export interface MissingCustomer {
  username: string;
  id: string;
  primaryEmail: string | null;
}
