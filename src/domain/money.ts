/**
 * Money is always an integer number of cents. The brand keeps a plain number (a count of days,
 * a line number) from being passed where an amount is expected.
 */
export type Cents = number & { readonly __brand: 'Cents' };

/** `cents(1234)` → 1234 as Cents; throws on anything that is not a safe integer. */
export function cents(value: number): Cents {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a whole number of cents: ${value}`);
  return value as Cents;
}

export const ZERO = 0 as Cents;

/**
 * A machine-written decimal (XML, bank files): "1234.5" or "-6.60" → cents, exactly (no floating
 * point); zeros past the second decimal are accepted ("250.330"), other digits there are not.
 */
export function decimalCents(text: string): Cents | null {
  const m = /^([+-]?)(\d+)(?:[.,](\d{1,2})0*)?$/.exec(text.trim());
  if (!m) return null;
  const value = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(value)) return null;
  return (m[1] === '-' ? -value : value) as Cents;
}

export type DecimalMark = ',' | '.';

export type AmountParse =
  | { readonly ok: true; readonly cents: Cents; readonly currency: string | null }
  | { readonly ok: false; readonly reason: string };

/** Currency signs and codes seen in French exports, mapped to ISO 4217. */
const CURRENCY_SIGNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/€|\bEUR\b|\bEuros?\b/i, 'EUR'],
  [/\$|\bUSD\b/i, 'USD'],
  [/£|\bGBP\b/i, 'GBP'],
  [/\bCHF\b/i, 'CHF'],
  [/\bCAD\b/i, 'CAD'],
];
const CURRENCY_STRIP = /€|\$|£|\b(?:EUR|Euros?|USD|GBP|CHF|CAD)\b/gi;
// Spaces used as thousands separators: plain, no-break (U+00A0), narrow no-break (U+202F), thin.
const SPACES = /[\s\u00a0\u202f\u2009]/g;
const PLAIN = /^\d+$/;

/**
 * Parses a French-style amount into cents.
 * `parseAmount('1 234,56 €', ',')` → `{ ok: true, cents: 123456, currency: 'EUR' }`.
 * The decimal mark is the file's (detected or given); the other mark, spaces and `'` may group
 * thousands, but only in groups of three. More than two decimals is refused unless they are zeros.
 */
export function parseAmount(raw: string, decimalMark: DecimalMark): AmountParse {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'montant vide' };
  // Fast path for the commonest shapes ("1234,56", "1234.56", "1234") without any sign or space.
  const fast = fastAmount(text, decimalMark);
  if (fast !== null) return { ok: true, cents: fast, currency: null };
  return fullAmount(text, decimalMark);
}

/** Every other shape: signs, currencies, thousands separators, parentheses. */
function fullAmount(trimmed: string, decimalMark: DecimalMark): AmountParse {
  let text = trimmed;

  let currency: string | null = null;
  for (const [pattern, code] of CURRENCY_SIGNS) {
    if (pattern.test(text)) {
      currency = code;
      break;
    }
  }
  text = text.replace(CURRENCY_STRIP, '').replace(SPACES, '');
  let negative = false;
  if (/^\(.*\)$/.test(text)) {
    negative = true;
    text = text.slice(1, -1);
  }
  if (/^[-\u2212]/.test(text)) {
    negative = !negative;
    text = text.slice(1);
  } else if (text.startsWith('+')) {
    text = text.slice(1);
  } else if (/[-\u2212]$/.test(text)) {
    negative = !negative;
    text = text.slice(0, -1);
  }
  if (text === '') return { ok: false, reason: "ce n'est pas un montant" };

  const grouping = decimalMark === ',' ? '.' : ',';
  const parts = text.split(decimalMark);
  if (parts.length > 2) return { ok: false, reason: `plusieurs séparateurs décimaux « ${decimalMark} »` };
  const [intPart = '', decPart] = parts;
  let integer = intPart;
  if (intPart.includes(grouping) || intPart.includes("'")) {
    const groups = intPart.split(/[.,']/);
    const [head = '', ...tail] = groups;
    if (!/^\d{1,3}$/.test(head) || tail.some((g) => !/^\d{3}$/.test(g))) {
      return { ok: false, reason: 'séparateur de milliers mal placé' };
    }
    integer = groups.join('');
  }
  if (integer === '' && (decPart === undefined || decPart === '')) {
    return { ok: false, reason: "ce n'est pas un montant" };
  }
  if (integer !== '' && !PLAIN.test(integer)) return { ok: false, reason: "ce n'est pas un montant" };
  let decimals = decPart ?? '';
  if (decimals !== '' && !PLAIN.test(decimals)) return { ok: false, reason: "ce n'est pas un montant" };
  if (decimals.length > 2) {
    if (!/^0+$/.test(decimals.slice(2))) {
      return { ok: false, reason: 'plus de deux décimales (arrondissez au centime)' };
    }
    decimals = decimals.slice(0, 2);
  }
  const value = Number(integer || '0') * 100 + Number(decimals.padEnd(2, '0'));
  if (!Number.isSafeInteger(value)) return { ok: false, reason: 'montant trop grand' };
  return { ok: true, cents: (negative && value !== 0 ? -value : value) as Cents, currency };
}

function fastAmount(text: string, decimalMark: DecimalMark): Cents | null {
  // Digits, then at most one decimal mark followed by one or two digits: read code by code, as
  // this runs twice per line of a million-line export.
  // Thousands may be grouped by spaces (plain, no-break, narrow or thin), in groups of three.
  const mark = decimalMark.charCodeAt(0);
  let integer = 0;
  let digits = 0;
  let group = 0;
  let grouped = false;
  let at = 0;
  for (; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code >= 48 && code <= 57) {
      integer = integer * 10 + (code - 48);
      digits++;
      group++;
    } else if (code === 32 || code === 0xa0 || code === 0x202f || code === 0x2009) {
      if (group === 0 || group > 3 || (grouped && group !== 3)) return null;
      grouped = true;
      group = 0;
    } else break;
  }
  if (digits === 0 || digits > 13 || (grouped && group !== 3)) return null;
  if (at === text.length) return (integer * 100) as Cents;
  if (text.charCodeAt(at) !== mark) return null;
  const decimals = text.length - at - 1;
  if (decimals < 1 || decimals > 2) return null;
  const first = text.charCodeAt(at + 1) - 48;
  const second = decimals === 2 ? text.charCodeAt(at + 2) - 48 : 0;
  if (first < 0 || first > 9 || second < 0 || second > 9) return null;
  return (integer * 100 + first * 10 + second) as Cents;
}

/**
 * Guesses a file's decimal mark from sample amounts: `,` unless the samples only ever show a point
 * followed by one or two digits (or a point after a comma, as in "1,020.00").
 */
export function guessDecimalMark(samples: readonly string[]): DecimalMark {
  let comma = 0;
  let point = 0;
  for (const raw of samples) {
    const text = raw.replace(SPACES, '');
    const lastComma = text.lastIndexOf(',');
    const lastPoint = text.lastIndexOf('.');
    if (lastComma !== -1 && lastPoint !== -1) {
      if (lastPoint > lastComma) point++;
      else comma++;
    } else if (/,\d{1,2}(?!\d)/.test(text)) comma++;
    else if (/\.\d{1,2}(?!\d)/.test(text)) point++;
  }
  return point > 0 && comma === 0 ? '.' : ',';
}

/**
 * Formats cents the French way with a no-break space as thousands separator (U+00A0: the narrow
 * one that Intl uses prints as garbage in PDF standard fonts).
 * `formatEuros(123456)` → `"1 234,56 €"`.
 */
export function formatEuros(amount: Cents | number, currency = 'EUR'): string {
  const negative = amount < 0;
  const abs = Math.abs(amount);
  const units = Math.floor(abs / 100).toString();
  const grouped = units.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  const text = `${negative ? '-' : ''}${grouped},${String(abs % 100).padStart(2, '0')}`;
  return `${text}\u00a0${currency === 'EUR' ? '€' : currency}`;
}
