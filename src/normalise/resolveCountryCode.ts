/**
 * What a country cell stands for: one ISO 3166-1 alpha-2 code, or the codes of the countries a name could be (two or
 * more: `Congo`, `Saint Martin`), which is not a country the row can be given.
 */
export type CountryMatch = { code: string } | { candidates: readonly string[] };

/**
 * The 249 countries of ISO 3166-1, each as its alpha-2 code followed by its alpha-3 code. Intl knows more region codes
 * (EU, UN, XK, ZZ, the exceptionally reserved AC, TA, DG, IC…) and newer ICU versions add some; none is an ISO country,
 * and Intl has no alpha-3 codes at all, so the table is fixed here (ISO 3166-1 as of 2024).
 */
const ISO_TABLE =
  'ADAND AEARE AFAFG AGATG AIAIA ALALB AMARM AOAGO AQATA ARARG ASASM ATAUT AUAUS AWABW AXALA AZAZE BABIH ' +
  'BBBRB BDBGD BEBEL BFBFA BGBGR BHBHR BIBDI BJBEN BLBLM BMBMU BNBRN BOBOL BQBES BRBRA BSBHS BTBTN BVBVT ' +
  'BWBWA BYBLR BZBLZ CACAN CCCCK CDCOD CFCAF CGCOG CHCHE CICIV CKCOK CLCHL CMCMR CNCHN COCOL CRCRI CUCUB ' +
  'CVCPV CWCUW CXCXR CYCYP CZCZE DEDEU DJDJI DKDNK DMDMA DODOM DZDZA ECECU EEEST EGEGY EHESH ERERI ESESP ' +
  'ETETH FIFIN FJFJI FKFLK FMFSM FOFRO FRFRA GAGAB GBGBR GDGRD GEGEO GFGUF GGGGY GHGHA GIGIB GLGRL GMGMB ' +
  'GNGIN GPGLP GQGNQ GRGRC GSSGS GTGTM GUGUM GWGNB GYGUY HKHKG HMHMD HNHND HRHRV HTHTI HUHUN IDIDN IEIRL ' +
  'ILISR IMIMN ININD IOIOT IQIRQ IRIRN ISISL ITITA JEJEY JMJAM JOJOR JPJPN KEKEN KGKGZ KHKHM KIKIR KMCOM ' +
  'KNKNA KPPRK KRKOR KWKWT KYCYM KZKAZ LALAO LBLBN LCLCA LILIE LKLKA LRLBR LSLSO LTLTU LULUX LVLVA LYLBY ' +
  'MAMAR MCMCO MDMDA MEMNE MFMAF MGMDG MHMHL MKMKD MLMLI MMMMR MNMNG MOMAC MPMNP MQMTQ MRMRT MSMSR MTMLT ' +
  'MUMUS MVMDV MWMWI MXMEX MYMYS MZMOZ NANAM NCNCL NENER NFNFK NGNGA NINIC NLNLD NONOR NPNPL NRNRU NUNIU ' +
  'NZNZL OMOMN PAPAN PEPER PFPYF PGPNG PHPHL PKPAK PLPOL PMSPM PNPCN PRPRI PSPSE PTPRT PWPLW PYPRY QAQAT ' +
  'REREU ROROU RSSRB RURUS RWRWA SASAU SBSLB SCSYC SDSDN SESWE SGSGP SHSHN SISVN SJSJM SKSVK SLSLE SMSMR ' +
  'SNSEN SOSOM SRSUR SSSSD STSTP SVSLV SXSXM SYSYR SZSWZ TCTCA TDTCD TFATF TGTGO THTHA TJTJK TKTKL TLTLS ' +
  'TMTKM TNTUN TOTON TRTUR TTTTO TVTUV TWTWN TZTZA UAUKR UGUGA UMUMI USUSA UYURY UZUZB VAVAT VCVCT VEVEN ' +
  'VGVGB VIVIR VNVNM VUVUT WFWLF WSWSM YEYEM YTMYT ZAZAF ZMZMB ZWZWE';

const ISO_ENTRIES = ISO_TABLE.split(' ').map((entry) => [entry.slice(0, 2), entry.slice(2)] as const);

/** The ISO 3166-1 alpha-2 codes. */
export const ISO_COUNTRIES: ReadonlySet<string> = new Set(ISO_ENTRIES.map(([alpha2]) => alpha2));

const BY_ALPHA3: ReadonlyMap<string, string> = new Map(ISO_ENTRIES.map(([alpha2, alpha3]) => [alpha3, alpha2]));

/**
 * Short forms and old names people write that no locale's region names include. Keys as nameKey() spells them. Names
 * that could be two countries are not among them: `Congo` (CG or CD) is read as both by the locales' own names, and
 * `Korea` is listed below as the two it can be.
 */
const SHORT_FORMS: Readonly<Record<string, string>> = {
  us: 'US',
  uk: 'GB',
  aus: 'AU',
  uae: 'AE',
  america: 'US',
  unitedstatesofamerica: 'US',
  greatbritain: 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  northernireland: 'GB',
  holland: 'NL',
  turkey: 'TR',
  czechrepublic: 'CZ',
  ivorycoast: 'CI',
  burma: 'MM',
  russianfederation: 'RU',
  republicofkorea: 'KR',
  macedonia: 'MK',
  swaziland: 'SZ',
};

/** Short forms that could be either of two countries. */
const AMBIGUOUS_FORMS: Readonly<Record<string, readonly string[]>> = { korea: ['KP', 'KR'] };

const TWO_LETTERS = /^[A-Za-z]{2}$/;
const THREE_LETTERS = /^[A-Za-z]{3}$/;
/** Only the combining accents of Latin, Greek and Cyrillic letters: the vowel signs of other scripts are the word. */
const ACCENTS = /[\u0300-\u036f]/g;
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{M}\p{N}]/gu;
const PARENTHESISED = /\s*[(（].*[)）]\s*/u;
/** Two Latin letters or fewer as a name (`EU`, `VS`, `RU`): too short to tell from a code, so never read as a name. */
const SHORT_LATIN = /^[a-z]{1,2}$/;
const MEMO_LIMIT = 10_000;

let english: ReadonlyMap<string, readonly string[]> | undefined;
let everyLocale: ReadonlyMap<string, readonly string[]> | undefined;
const memo = new Map<string, CountryMatch | null>();

/**
 * The country a row's `country` cell stands for (SPEC §3): an ISO 3166-1 alpha-2 code in any case (`gb`, and the
 * withdrawn `UK`), an alpha-3 code (`DEU`, `aus`; not in capitals, it is also looked up as a name), a common short form (`UK`, `USA`, `Aus`, `U.S.A.`) or the
 * country's name in any locale Node's ICU data knows (`United Kingdom`, `Deutschland`, `Allemagne`, `日本`, `Brasil`),
 * matched ignoring case, Latin accents, spaces and punctuation. A name that could be two or more countries gives their
 * codes as `candidates`; undefined when the text is none of these. Answers are memoised: a file repeats a few
 * countries.
 */
export function resolveCountryCode(country: string): CountryMatch | undefined {
  let match = memo.get(country);
  if (match === undefined) {
    match = lookUp(country) ?? null;
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(country, match);
  }
  return match ?? undefined;
}

/** The English name of a country, for a reason that names candidates. */
export function countryName(code: string): string {
  return new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' }).of(code) ?? code;
}

function lookUp(country: string): CountryMatch | undefined {
  if (TWO_LETTERS.test(country)) {
    const code = canonicalRegion(country.toUpperCase());
    return ISO_COUNTRIES.has(code) ? { code } : undefined;
  }
  if (THREE_LETTERS.test(country)) {
    const code = BY_ALPHA3.get(country.toUpperCase());
    // In capitals it is a code; otherwise it may also be a name (Vietnamese `Nga` is Russia, NGA Nigeria).
    const names = code === undefined || country === country.toUpperCase() ? undefined : findName(nameKey(country));
    if (code !== undefined && (names === undefined || (names.length === 1 && names[0] === code))) return { code };
    if (code !== undefined && names !== undefined) return { candidates: [...new Set([code, ...names])].sort() };
  }
  const key = nameKey(country);
  const short = SHORT_FORMS[key];
  if (short !== undefined) return { code: short };
  const either = AMBIGUOUS_FORMS[key];
  if (either !== undefined) return { candidates: either };
  const codes = findName(key) ?? (key.startsWith('the') ? findName(key.slice(3)) : undefined);
  if (codes === undefined) return undefined;
  return codes.length === 1 ? { code: codes[0] as string } : { candidates: codes };
}

/** English first: most files hold codes or English names, and never pay for the index of every locale. */
function findName(key: string): readonly string[] | undefined {
  if (key === '') return undefined;
  english ??= indexNames(['en'], ['long', 'short', 'narrow']);
  const codes = english.get(key);
  if (codes !== undefined) return codes;
  everyLocale ??= indexNames(icuLocales(), ['long', 'short']);
  return everyLocale.get(key);
}

function nameKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(ACCENTS, '')
    .toLowerCase()
    .replaceAll('&', 'and')
    .replace(NOT_LETTER_OR_DIGIT, '');
}

/** The current code for a deprecated one (UK → GB, DD → DE), as Intl's locale canonicalisation knows it. */
function canonicalRegion(code: string): string {
  try {
    return new Intl.Locale(`und-${code}`).region ?? code;
  } catch {
    return code;
  }
}

/**
 * Every locale ICU has region names for. Intl lists no locales, so the candidates are every two-letter language code
 * and each country's main language with its script (CLDR's likely subtags: `zh-Hant` for TW, `sr-Latn` for ME, `fil`
 * for PH), kept when ICU supports them.
 */
function icuLocales(): string[] {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const candidates: string[] = [];
  for (const first of letters) for (const second of letters) candidates.push(first + second);
  for (const code of ISO_COUNTRIES) {
    const likely = new Intl.Locale(`und-${code}`).maximize();
    candidates.push(likely.script ? `${likely.language}-${likely.script}` : likely.language);
  }
  return [...new Set(Intl.DisplayNames.supportedLocalesOf(candidates))];
}

/**
 * Name key → the codes of the countries it names in any of `locales`, each name also without a parenthesised part
 * (`Congo (DRC)` → `Congo`, which is then CG or CD). Built on first use, once per process.
 */
function indexNames(
  locales: readonly string[],
  styles: readonly Intl.DisplayNamesOptions['style'][],
): ReadonlyMap<string, readonly string[]> {
  const names = new Map<string, string[]>();
  const add = (name: string, code: string) => {
    const key = nameKey(name);
    if (key === '' || SHORT_LATIN.test(key)) return;
    const codes = names.get(key);
    if (codes === undefined) names.set(key, [code]);
    else if (!codes.includes(code)) codes.push(code);
  };
  for (const locale of locales) {
    for (const style of styles) {
      const display = new Intl.DisplayNames([locale], { type: 'region', style, fallback: 'none' });
      for (const code of ISO_COUNTRIES) {
        const name = display.of(code);
        if (name === undefined) continue;
        add(name, code);
        if (PARENTHESISED.test(name)) add(name.replace(PARENTHESISED, ' '), code);
      }
    }
  }
  for (const codes of names.values()) codes.sort();
  return names;
}
