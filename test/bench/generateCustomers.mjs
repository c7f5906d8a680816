import fs from 'node:fs';

/**
 * The header of a generated export: the mapped Fluent fields plus a few columns a CRM dump carries that the tool
 * ignores (they are listed once as unmapped in the report).
 */
const HEADER = [
  'customerId',
  'primaryEmail',
  'firstName',
  'lastName',
  'primaryPhone',
  'country',
  'promotionOptIn',
  'loyaltyTier',
  'lastOrderDate',
  'notes',
];

const FIRST_NAMES = ['Jane', 'Mark', 'Zoë', 'Li', 'Aroha', 'Priya', 'Tom', 'Chloé', 'Sam', 'Olivia', 'Noah', 'Mia'];
const LAST_NAMES = ['Doe', 'Smith', 'Müller', 'Wei', 'Ngata', 'Patel', "O'Brien", 'Nguyen', 'Brown', 'García'];
const TIERS = ['gold', 'silver', 'bronze', ''];
const OPT_IN = ['yes', 'no', 'Yes', 'NO', 'y', 'n'];
const US_AREAS = ['212', '312', '415', '617', '206', '303'];
const NOTES = ['', '', '', 'VIP since 2019', '"Prefers email, not SMS"', '"Moved; new address ""TBC"""'];
/** Roughly one row in fifty is bad, cycling through the kinds of rejection SPEC §3 names. */
const BAD_EVERY = 50;
const BAD_KINDS = ['email', 'phone', 'optIn', 'columns', 'length'];
const ROWS_PER_WRITE = 5000;

/**
 * Writes a synthetic customer export of `rows` data rows to `file`, deterministic for a given `seed`.
 * Usernames (derived from the e-mail) are unique, phones come in local and E.164 forms for AU, US and GB with a
 * `country` column (sometimes empty, so `--default-country` matters), and about 2% of rows are bad.
 *
 * @returns the number of rows written and how many of them were made bad on purpose
 */
export function generateCustomers(file, rows, seed = 1) {
  const random = createPrng(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const digits = (n) => {
    let text = '';
    for (let i = 0; i < n; i++) text += Math.floor(random() * 10);
    return text;
  };
  const fd = fs.openSync(file, 'w');
  let bad = 0;
  try {
    let chunk = [`${HEADER.join(',')}\n`];
    for (let row = 1; row <= rows; row++) {
      const first = pick(FIRST_NAMES);
      const last = pick(LAST_NAMES);
      const local = `${first}.${last}.${row}`.normalize('NFD').replace(/[^A-Za-z0-9.]/g, '');
      const email = random() < 0.1 ? `  ${local}@Example.COM ` : `${local.toLowerCase()}@example.com`;
      const { phone, country } = makePhone(random, digits);
      const cells = [
        `C${100000 + row}`,
        email,
        first,
        last,
        phone,
        country,
        pick(OPT_IN),
        pick(TIERS),
        `2024-${String(1 + (row % 12)).padStart(2, '0')}-${String(1 + (row % 28)).padStart(2, '0')}`,
        pick(NOTES),
      ];
      if (row % BAD_EVERY === 0) {
        spoilRow(cells, BAD_KINDS[(row / BAD_EVERY) % BAD_KINDS.length]);
        bad++;
      }
      chunk.push(`${cells.map(quoteCell).join(',')}\n`);
      if (chunk.length >= ROWS_PER_WRITE) {
        fs.writeSync(fd, chunk.join(''));
        chunk = [];
      }
    }
    fs.writeSync(fd, chunk.join(''));
  } finally {
    fs.closeSync(fd);
  }
  return { rows, bad };
}

/** A phone number and the row's country, in the mix of forms a CRM export holds. */
function makePhone(random, digits) {
  const roll = random();
  const form = random();
  if (roll < 0.6) {
    // AU mobile; an empty country column leans on --default-country AU.
    const national = `4${digits(8)}`;
    const country = random() < 0.3 ? '' : 'AU';
    if (form < 0.5) return { phone: `0${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6)}`, country };
    if (form < 0.8) return { phone: `+61${national}`, country };
    return { phone: `+61 ${national.slice(0, 3)} ${national.slice(3, 6)} ${national.slice(6)}`, country };
  }
  if (roll < 0.8) {
    const area = US_AREAS[Math.floor(random() * US_AREAS.length)];
    const exchange = `${2 + Math.floor(random() * 8)}${digits(2)}`;
    const line = digits(4);
    if (form < 0.6) return { phone: `(${area}) ${exchange}-${line}`, country: 'US' };
    return { phone: `+1${area}${exchange}${line}`, country: 'US' };
  }
  const mobile = `7${7 + Math.floor(random() * 3)}${digits(8)}`;
  if (form < 0.5) return { phone: `0${mobile.slice(0, 4)} ${mobile.slice(4)}`, country: 'GB' };
  return { phone: `+44${mobile}`, country: 'GB' };
}

/** Makes one row fail validation in the given way. */
function spoilRow(cells, kind) {
  if (kind === 'email') cells[1] = cells[1].trim().replace('@', '.at.');
  else if (kind === 'phone') cells[4] = '12';
  else if (kind === 'optIn') cells[6] = 'maybe';
  else if (kind === 'columns') cells.splice(7);
  else cells[2] = 'X'.repeat(60);
}

/** RFC 4180 quoting; cells in NOTES arrive already quoted. */
function quoteCell(cell) {
  if (cell.startsWith('"')) return cell;
  return /[",\n\r]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** mulberry32: small, fast and repeatable, so every run benchmarks the same bytes. */
function createPrng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
