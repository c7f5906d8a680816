/** Characters a spreadsheet may read as the start of a formula (OWASP "CSV injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A strict E.164 phone number, the only form the normaliser writes to `primaryPhone`. */
const E164_PHONE = /^\+[1-9]\d{1,14}$/;

/**
 * Makes one CSV cell safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`, `@`, tab or CR gets a
 * leading `'` (SPEC §4). In phone columns (`options.phone`) a strict E.164 number is left as it is, so phones
 * stay usable; anything else there is still neutralised. The reader removes the `'` again when it is followed
 * by one of those characters, so a cell that already starts with `'` is left alone.
 */
export function neutraliseCell(value: string, options?: { phone?: boolean }): string {
  if (!FORMULA_START.test(value)) return value;
  if (options?.phone === true && E164_PHONE.test(value)) return value;
  return `'${value}`;
}
