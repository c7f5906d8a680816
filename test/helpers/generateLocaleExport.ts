import examples from 'libphonenumber-js/examples.mobile.json';
import { type CountryCode, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * A seeded, made-up CRM export of customers of seven locales, as a CRM writes it (its own header names, countries as
 * codes, names in the customer's language or left empty, phones in every form people type, yes/no in their
 * language), with the truth of every row: the customer the OMS must end up with, or that the row must be rejected and
 * why. Every value is invented here; the phone numbers are the library's example numbers with other last digits.
 *
 * The truth follows SPEC §3 as written, not the tool's code: a row is unacceptable only for what a person would also
 * refuse (a country that is none or could be two, a yes/no that is neither, an invalid email, a formula as a name,
 * an extension, a phone that is no number) or what the tool must not guess: a national number in a row with no
 * country whose email or locale column points to a country other than the default (AU). The one case no tool can
 * catch — a foreign national number valid in AU too, with nothing in the row pointing elsewhere — is not generated.
 */
export interface LocaleExport {
  csv: string;
  mapping: object;
  rows: RowTruth[];
}

export type RowTruth =
  | { row: number; accept: true; customer: ExpectedCustomer }
  | { row: number; accept: false; why: string[] };

export interface ExpectedCustomer {
  username: string;
  title: string | null;
  firstName: string | null;
  lastName: string | null;
  primaryEmail: string;
  primaryPhone: string | null;
  promotionOptIn: boolean;
  country: string | null;
  attributes: { name: string; type: string; value: unknown }[];
}

export const HEADER = [
  'Record ID',
  'Salutation',
  'First Name',
  'Last Name',
  'Email',
  'Mobile Phone Number',
  'Country/Region',
  'Marketing Emails',
  'Preferred Locale',
  'VIP',
  'Notes',
];

const MAPPING = {
  columns: {
    Salutation: 'title',
    'First Name': 'firstName',
    'Last Name': 'lastName',
    Email: 'primaryEmail',
    'Mobile Phone Number': 'primaryPhone',
    'Country/Region': 'country',
    'Marketing Emails': 'promotionOptIn',
  },
  attributes: {
    'Record ID': { name: 'crmId', type: 'STRING' },
    VIP: { name: 'vip', type: 'BOOLEAN' },
  },
  values: {
    country: { Oz: 'AU', Down_Under: 'AU' },
    promotionOptIn: { Subscribed: true, Unsubscribed: false },
  },
};

interface Locale {
  tag: string;
  country: CountryCode;
  /** How the locale's CRM users write the country: code, alpha-3, their name, the English name, short forms. */
  countryCells: string[];
  titles: string[];
  first: [shown: string, ascii: string][];
  last: [shown: string, ascii: string][];
  domains: string[];
  yesNo: [string, boolean][];
  /** The prefix the locale's people dial abroad with (SPEC: `0011` AU, `011` NANP, `010` JP, carrier codes in BR). */
  idd: string;
}

const LOCALES: Locale[] = [
  {
    tag: 'de_DE',
    country: 'DE',
    countryCells: ['DE', 'de', 'DEU', 'Deutschland', 'Germany', 'Allemagne'],
    titles: ['Herr', 'Frau', 'Dr.', ''],
    first: [
      ['Jürgen', 'juergen'],
      ['Anneliese', 'anneliese'],
      ['Jörg', 'joerg'],
      ['Käthe', 'kaethe'],
    ],
    last: [
      ['Müller', 'mueller'],
      ['Schäfer', 'schaefer'],
      ['Weiß', 'weiss'],
      ['Groß', 'gross'],
    ],
    domains: ['gmx.de', 'web.de', 't-online.de', 'gmail.com'],
    yesNo: [
      ['Ja', true],
      ['Nein', false],
      ['ja', true],
      ['WAHR', true],
      ['FALSCH', false],
    ],
    idd: '00',
  },
  {
    tag: 'fr_FR',
    country: 'FR',
    countryCells: ['FR', 'FRA', 'France', 'fr'],
    titles: ['M.', 'Mme', 'Mlle', ''],
    first: [
      ['Élodie', 'elodie'],
      ['François', 'francois'],
      ['Hélène', 'helene'],
      ['Jérôme', 'jerome'],
    ],
    last: [
      ['Lefèvre', 'lefevre'],
      ['Dubois', 'dubois'],
      ["d'Arc", 'darc'],
      ['Garçon', 'garcon'],
    ],
    domains: ['orange.fr', 'free.fr', 'laposte.net', 'gmail.com'],
    yesNo: [
      ['Oui', true],
      ['Non', false],
      ['oui', true],
      ['VRAI', true],
    ],
    idd: '00',
  },
  {
    tag: 'en_US',
    country: 'US',
    countryCells: ['US', 'USA', 'United States', 'U.S.A.', 'usa'],
    titles: ['Mr', 'Ms', 'Mrs', 'Dr', ''],
    first: [
      ['María José', 'mariajose'],
      ['Tyler', 'tyler'],
      ['Ashley', 'ashley'],
      ['DeShawn', 'deshawn'],
    ],
    last: [
      ['García', 'garcia'],
      ['Johnson', 'johnson'],
      ["O'Connor", 'oconnor'],
      ['Nguyen', 'nguyen'],
    ],
    domains: ['gmail.com', 'yahoo.com', 'comcast.net', 'outlook.com'],
    yesNo: [
      ['Yes', true],
      ['No', false],
      ['TRUE', true],
      ['FALSE', false],
      ['Y', true],
    ],
    idd: '011',
  },
  {
    tag: 'en_GB',
    country: 'GB',
    countryCells: ['GB', 'UK', 'United Kingdom', 'England', 'GBR', 'Scotland'],
    titles: ['Mr', 'Mrs', 'Ms', 'Miss', ''],
    first: [
      ['Oliver', 'oliver'],
      ['Siobhán', 'siobhan'],
      ['Amelia', 'amelia'],
      ['Rhys', 'rhys'],
    ],
    last: [
      ["O'Brien", 'obrien'],
      ['Smith-Jones', 'smithjones'],
      ['Patel', 'patel'],
      ['Llewellyn', 'llewellyn'],
    ],
    domains: ['btinternet.com', 'gmail.com', 'sky.com', 'ntlworld.co.uk'],
    yesNo: [
      ['Yes', true],
      ['No', false],
      ['yes', true],
      ['1', true],
      ['0', false],
    ],
    idd: '00',
  },
  {
    tag: 'pt_BR',
    country: 'BR',
    countryCells: ['BR', 'BRA', 'Brasil', 'Brazil', 'br'],
    titles: ['Sr.', 'Sra.', ''],
    first: [
      ['João', 'joao'],
      ['Conceição', 'conceicao'],
      ['Thiago', 'thiago'],
      ['Luíza', 'luiza'],
    ],
    last: [
      ['da Silva', 'dasilva'],
      ['Gonçalves', 'goncalves'],
      ['Araújo', 'araujo'],
      ['Simões', 'simoes'],
    ],
    domains: ['uol.com.br', 'bol.com.br', 'gmail.com', 'terra.com.br'],
    yesNo: [
      ['Sim', true],
      ['Não', false],
      ['sim', true],
      ['nao', false],
    ],
    // Embratel's carrier-select international prefix.
    idd: '0021',
  },
  {
    tag: 'ja_JP',
    country: 'JP',
    countryCells: ['JP', 'JPN', '日本', 'Japan', 'jp'],
    titles: ['', '', '様'],
    first: [
      ['翔太', 'shota'],
      ['さくら', 'sakura'],
      ['健一', 'kenichi'],
      ['美咲', 'misaki'],
    ],
    last: [
      ['佐藤', 'sato'],
      ['鈴木', 'suzuki'],
      ['高橋', 'takahashi'],
      ['田中', 'tanaka'],
    ],
    domains: ['docomo.ne.jp', 'yahoo.co.jp', 'ezweb.ne.jp', 'gmail.com'],
    yesNo: [
      ['はい', true],
      ['いいえ', false],
      ['1', true],
      ['0', false],
    ],
    idd: '010',
  },
  {
    tag: 'en_AU',
    country: 'AU',
    countryCells: ['AU', 'Australia', 'Aus', 'AUS', 'Oz', 'Down_Under'],
    titles: ['Mr', 'Ms', 'Dr', ''],
    first: [
      ['Charlotte', 'charlotte'],
      ['Lachlan', 'lachlan'],
      ['Matilda', 'matilda'],
      ['Bryce', 'bryce'],
    ],
    last: [
      ['Nguyen', 'nguyen'],
      ['Williams', 'williams'],
      ['Papadopoulos', 'papadopoulos'],
      ['Kowalski', 'kowalski'],
    ],
    domains: ['bigpond.com', 'optusnet.com.au', 'gmail.com', 'outlook.com.au'],
    yesNo: [
      ['Yes', true],
      ['No', false],
      ['Subscribed', true],
      ['Unsubscribed', false],
    ],
    idd: '0011',
  },
];

/** A small, fast, seeded generator (mulberry32): the same seed gives the same export on every machine. */
function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    chance: (p: number) => next() < p,
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T,
    digits: (n: number) => Array.from({ length: n }, () => Math.floor(next() * 10)).join(''),
  };
}

type Random = ReturnType<typeof seeded>;

/** A number valid in `country` by the library's `max` metadata: its example mobile with other last digits. */
function aValidNumber(random: Random, country: CountryCode) {
  const example = getExampleNumber(country, examples);
  if (example === undefined) throw new Error(`no example number for ${country}`);
  for (let attempt = 0; attempt < 50; attempt++) {
    const e164 = `${example.number.slice(0, -4)}${random.digits(4)}`;
    const parsed = parsePhoneNumberFromString(e164);
    if (parsed?.isValid() && parsed.country === country) return parsed;
  }
  return example;
}

const FULL_WIDTH = (text: string) =>
  text.replace(/[0-9+]/g, (c) => String.fromCharCode(c === '+' ? 0xff0b : 0xff10 + Number(c)));

const FORMULAS = ['=HYPERLINK("http://evil.example","Hans")', '+SUM(1+1)', '@SUM(A1:A9)', '=1+1'];

/**
 * The export of `count` rows (seeded), its mapping file's content, and each row's truth. About one row in eight is
 * unacceptable, each for a reason the truth names.
 */
export function generateLocaleExport(count: number, seed = 13): LocaleExport {
  const random = seeded(seed);
  const lines = [HEADER.join(',')];
  const rows: RowTruth[] = [];
  for (let row = 1; row <= count; row++) {
    const locale = LOCALES[(row - 1) % LOCALES.length] as Locale;
    const why: string[] = [];

    const [firstShown, firstAscii] = random.pick(locale.first);
    const [lastShown, lastAscii] = random.pick(locale.last);
    let firstCell = firstShown;
    let first: string | null = firstShown;
    if (random.chance(0.15)) firstCell = `  ${firstShown} `;
    else if (random.chance(0.1)) firstCell = firstShown.normalize('NFD');
    if (random.chance(0.012)) {
      firstCell = random.pick(FORMULAS);
      first = null;
      why.push('a formula as first name');
    }
    const title = random.pick(locale.titles);

    const local = `${firstAscii}.${lastAscii}.${row}`;
    const domain = random.pick(locale.domains);
    let emailCell = random.chance(0.2)
      ? `${local}@${domain}`.replace(/^./, (c) => c.toUpperCase())
      : `${local}@${domain}`;
    const email = `${local}@${domain}`.toLowerCase();
    if (random.chance(0.01)) {
      emailCell = `${local}@`;
      why.push('an invalid email');
    }

    // The row's country: mostly given, in every way people write it; sometimes left empty.
    const countryEmpty = random.chance(0.15);
    let countryCell = countryEmpty ? '' : random.pick(locale.countryCells);
    let country: string | null = countryEmpty ? null : locale.country;
    if (!countryEmpty && random.chance(0.01)) {
      countryCell = random.pick(['Narnia', 'Congo', 'Atlantis']);
      country = null;
      why.push('a country that is none, or could be two');
    }

    const own = aValidNumber(random, locale.country);
    const other = aValidNumber(random, random.pick(LOCALES.filter((l) => l !== locale)).country);
    const international = own.formatInternational();
    const forms: [string, string | null][] = [
      [own.formatNational(), own.number],
      [own.formatNational(), own.number],
      [own.number, own.number],
      [international, own.number],
      [`00${international.slice(1)}`, own.number],
      [`${locale.idd} ${other.formatInternational().slice(1)}`, other.number],
    ];
    if (locale.country === 'JP') forms.push([FULL_WIDTH(own.formatNational()), own.number]);
    if (locale.country === 'JP') forms.push([FULL_WIDTH(international), own.number]);
    let [phoneCell, phone] = random.chance(0.08) ? ['', null] : random.pick(forms);
    const national = phoneCell !== '' && !/^[+＋]|^00/.test(phoneCell) && !phoneCell.startsWith(locale.idd);
    const dialledAbroad = phoneCell.startsWith(`${locale.idd} `) && phone === other.number;
    if (random.chance(0.015)) {
      phoneCell = random.pick([`${own.formatNational()} ext. 12`, 'n/a', own.formatNational().slice(0, 5)]);
      phone = null;
      why.push('a phone that is not a usable number');
    }

    let localeCell = random.chance(0.4) ? locale.tag : '';
    if (country === null && countryCell === '' && phoneCell !== '' && phone !== null) {
      // No country: AU, the default, is assumed for a national number only where nothing points elsewhere.
      // `00` reads the same in any row; the locale's other prefixes (011, 010, 0021) need the country.
      if (locale.country !== 'AU' && (national || (dialledAbroad && locale.idd !== '00'))) {
        localeCell = locale.tag;
        why.push('a national number in a row with no country, whose locale points away from the default');
      }
    }

    const optIn = random.chance(0.1) ? (['', undefined] as const) : random.pick(locale.yesNo);
    let optInCell: string = optIn[0];
    let optInValue = optIn[1];
    if (random.chance(0.01)) {
      optInCell = random.pick(['maybe', 'vielleicht', 'peut-être']);
      optInValue = undefined;
      why.push('a yes/no that is neither');
    }
    const vip = random.pick([
      ['', undefined],
      ['', undefined],
      ['yes', true],
      ['ja', true],
      ['non', false],
      ['Sim', true],
    ] as const);

    const notes = random.chance(0.1) ? `"called back, twice\r\nsee ticket ${row}"` : '';
    lines.push(
      [
        `CRM-${row}`,
        title,
        firstCell,
        lastShown,
        emailCell,
        phoneCell,
        countryCell,
        optInCell,
        localeCell,
        vip[0],
        notes,
      ]
        .map((cell) => (cell.startsWith('"') || !/[",\r\n]/.test(cell) ? cell : `"${cell.replaceAll('"', '""')}"`))
        .join(','),
    );

    if (why.length > 0) {
      rows.push({ row, accept: false, why });
      continue;
    }
    const attributes: ExpectedCustomer['attributes'] = [{ name: 'crmId', type: 'STRING', value: `CRM-${row}` }];
    if (vip[1] !== undefined) attributes.push({ name: 'vip', type: 'BOOLEAN', value: vip[1] });
    rows.push({
      row,
      accept: true,
      customer: {
        username: `1_${email}`,
        title: title || null,
        firstName: first,
        lastName: lastShown,
        primaryEmail: email,
        primaryPhone: phone,
        // An empty opt-in is omitted on create, which Fluent takes as false.
        promotionOptIn: optInValue ?? false,
        country,
        attributes,
      },
    });
  }
  return { csv: `\uFEFF${lines.join('\r\n')}\r\n`, mapping: MAPPING, rows };
}
