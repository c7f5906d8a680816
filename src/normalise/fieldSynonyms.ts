import type { CustomerField } from '../types.js';

/**
 * Header names people write for each Fluent field, as CRMs, ERPs and spreadsheets export them (SPEC §3). They are
 * compared like Fluent's own names: without regard to case, spaces, underscores and hyphens (`E-Mail`, `EMAIL`,
 * `e_mail` are one name). A Fluent field's own name and a mapping-file entry always win over a synonym.
 *
 * `username` has no synonyms on purpose: a username column overrides --username-template and so decides who a
 * customer is, which is too much to guess from a header such as "Login" (often a date). Names that say the opposite
 * of a field (`Email Opt Out`) are left out: a guess must never invert a value.
 */
export const FIELD_SYNONYMS: Readonly<Partial<Record<CustomerField, readonly string[]>>> = {
  primaryEmail: ['email', 'e-mail', 'email address', 'e-mail address', 'mail', 'mail address', 'email addr'],
  primaryPhone: [
    'phone',
    'phone number',
    'phone no',
    'mobile',
    'mobile phone',
    'mobile number',
    'telephone',
    'telephone number',
    'tel',
    'tel no',
    'cell',
    'cell phone',
    'cell number',
  ],
  lastName: ['surname', 'family name', 'lname', 'last nm'],
  firstName: ['given name', 'forename', 'fname', 'first nm'],
  title: ['salutation', 'honorific'],
  promotionOptIn: [
    'opt in',
    'marketing opt in',
    'marketing consent',
    'newsletter',
    'email opt in',
    'promotions opt in',
    'accepts marketing',
    'accepts email marketing',
  ],
  country: ['country code', 'country iso', 'iso country', 'country iso code', 'country/region'],
  timezone: ['tz', 'time zone name', 'timezone name'],
  department: ['dept'],
};
