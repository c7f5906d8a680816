/** Names people write that Intl's English region names do not include. */
const ALIASES: Readonly<Record<string, string>> = {
  usa: 'US',
  unitedstatesofamerica: 'US',
  america: 'US',
  greatbritain: 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  northernireland: 'GB',
  holland: 'NL',
  thenetherlands: 'NL',
  turkey: 'TR',
  czechrepublic: 'CZ',
  ivorycoast: 'CI',
  burma: 'MM',
  russianfederation: 'RU',
  korea: 'KR',
  republicofkorea: 'KR',
  vietnam: 'VN',
  macedonia: 'MK',
  swaziland: 'SZ',
};

/**
 * The 249 codes ISO 3166-1 assigns. Intl knows more region codes (EU, UN, XK, ZZ, the exceptionally reserved AC, TA,
 * DG, IC…), and newer ICU versions add some; none of them is an ISO country, so the list is fixed here.
 */
const ISO_CODES: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR ' +
    'BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ ' +
    'EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW ' +
    'GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY ' +
    'KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV ' +
    'MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY ' +
    'QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG ' +
    'TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

const TWO_LETTERS = /^[A-Za-z]{2}$/;
const MARKS = /\p{M}/gu;
const NOT_ALPHANUMERIC = /[^a-z0-9]/g;
const MEMO_LIMIT = 10_000;

let byName: ReadonlyMap<string, string> | undefined;
const memo = new Map<string, string | null>();

/**
 * The ISO 3166-1 alpha-2 code a row's `country` cell stands for: a code in any case (`gb`, `GB`, the withdrawn `UK`)
 * or an English country name (`United Kingdom`, `UK`, `Côte d'Ivoire`), matched ignoring case, accents and
 * punctuation, through Intl.DisplayNames. Undefined when the text is neither. Answers are memoised: a file repeats a
 * few countries.
 */
export function resolveCountryCode(country: string): string | undefined {
  let code = memo.get(country);
  if (code === undefined) {
    code = lookUp(country) ?? null;
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(country, code);
  }
  return code ?? undefined;
}

function lookUp(country: string): string | undefined {
  if (TWO_LETTERS.test(country)) {
    const code = canonicalRegion(country.toUpperCase());
    if (ISO_CODES.has(code)) return code;
  }
  const names = loadNames();
  const key = nameKey(country);
  return names.get(key) ?? ALIASES[key] ?? names.get(key.replace(/^the/, ''));
}

function nameKey(name: string): string {
  return name.normalize('NFD').replace(MARKS, '').toLowerCase().replaceAll('&', 'and').replace(NOT_ALPHANUMERIC, '');
}

/** The current code for a deprecated one (UK → GB, DD → DE), as Intl's locale canonicalisation knows it. */
function canonicalRegion(code: string): string {
  try {
    return new Intl.Locale(`und-${code}`).region ?? code;
  } catch {
    return code;
  }
}

/** Built on first use: a few hundred DisplayNames lookups take a few milliseconds, once per process. */
function loadNames(): ReadonlyMap<string, string> {
  if (byName) return byName;
  const styles = (['long', 'short', 'narrow'] as const).map(
    (style) => new Intl.DisplayNames(['en'], { type: 'region', style, fallback: 'none' }),
  );
  const names = new Map<string, string>();
  for (const code of ISO_CODES) {
    for (const style of styles) {
      const name = style.of(code);
      if (name === undefined) continue;
      for (const spelling of [name, name.replace(/\s*\(.*\)\s*/, ' ')]) {
        const key = nameKey(spelling);
        if (key && !names.has(key)) names.set(key, code);
      }
    }
  }
  byName = names;
  return byName;
}
