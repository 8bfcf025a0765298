/**
 * Calendar dates are `YYYY-MM-DD` strings. Arithmetic goes through a day count since 1970-01-01
 * computed with Date.UTC, so no time zone or daylight-saving change can shift a date.
 */
export type IsoDate = string & { readonly __brand: 'IsoDate' };

/** The moment a command runs and its business day (set once from `--date` in the context). */
export interface Instant {
  readonly now: Date;
  readonly today: IsoDate;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `makeDate(2026, 2, 31)` → null; `makeDate(2026, 2, 28)` → `'2026-02-28'`. */
export function makeDate(year: number, month: number, day: number): IsoDate | null {
  if (!Number.isInteger(year) || year < 1900 || year > 2999) return null;
  if (!Number.isInteger(month) || month < 1 || month > 12) return null;
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month)) return null;
  return `${year}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}` as IsoDate;
}

/** `isoDate('2026-11-20')` → the same value typed, or null when it is not a real calendar day. */
export function isoDate(text: string): IsoDate | null {
  const m = ISO.exec(text);
  if (!m) return null;
  return makeDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** `date8('20260131')` → `'2026-01-31'` (the yyyymmdd of bank files and CII's format 102). */
export function date8(text: string): IsoDate | null {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(text.trim());
  return m ? makeDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

/** The year of a date, read from its digits: `yearOf('2026-11-20')` → 2026 (hot paths: no parsing). */
export function yearOf(date: IsoDate): number {
  return (
    (date.charCodeAt(0) - 48) * 1000 +
    (date.charCodeAt(1) - 48) * 100 +
    (date.charCodeAt(2) - 48) * 10 +
    (date.charCodeAt(3) - 48)
  );
}

/** `monthOf('2026-11-20')` → 11. */
export function monthOf(date: IsoDate): number {
  return (date.charCodeAt(5) - 48) * 10 + (date.charCodeAt(6) - 48);
}

/**
 * Days since 1970-01-01, on integers only (H. Hinnant's days_from_civil): the dunning engine does
 * this for every open invoice, and building a Date each time costs more than the rest.
 */
export function toDayNumber(date: IsoDate): number {
  let y = yearOf(date);
  const m = monthOf(date);
  const d = (date.charCodeAt(8) - 48) * 10 + (date.charCodeAt(9) - 48);
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const TWO_DIGITS = Array.from({ length: 32 }, (_, n) => (n < 10 ? `0${n}` : String(n)));

/** The inverse of toDayNumber (civil_from_days). */
export function fromDayNumber(day: number): IsoDate {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]}` as IsoDate;
}

/** `addDays('2026-01-31', 30)` → `'2026-03-02'`. */
export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Whole days from `from` to `to`: `daysBetween('2026-11-01', '2026-11-20')` → 19. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** The local calendar day of an instant, as the user's wall clock shows it. */
export function localDate(instant: Date): IsoDate {
  return makeDate(instant.getFullYear(), instant.getMonth() + 1, instant.getDate()) as IsoDate;
}

/** `formatDateFr('2026-11-20')` → `'20/11/2026'`. */
export function formatDateFr(date: IsoDate): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

/** Day-month order of dates such as 03/04/2026: French by default, US exports write month first. */
export type DateOrder = 'jma' | 'mja';

/** How a date order is named to the user: `dateOrderLabel('jma')` → `'jj/mm/aaaa'`. */
export function dateOrderLabel(order: DateOrder): 'jj/mm/aaaa' | 'mm/jj/aaaa' {
  return order === 'jma' ? 'jj/mm/aaaa' : 'mm/jj/aaaa';
}

const NUMERIC = /^(\d{1,4})([/.-])(\d{1,2})\2(\d{1,4})$/;

/**
 * The date format a file's dates are written in, as a user reads it: `jj/mm/aaaa`, `aaaa-mm-jj`,
 * `jj.mm.aa (années à deux chiffres lues de 1970 à 2069)`, `aaaammjj`, `mois en lettres`; two
 * formats when the file mixes them. `describeDateFormat(['2019-11-25'], 'jma')` → `'aaaa-mm-jj'`.
 */
export function describeDateFormat(samples: readonly string[], order: DateOrder): string {
  const counts = new Map<string, number>();
  for (const raw of samples) {
    const text = raw.trim().split(/[ T]/)[0] ?? '';
    if (text === '') continue;
    let shape: string;
    const m = NUMERIC.exec(text);
    if (m && (m[1] ?? '').length === 4) shape = `aaaa${m[2]}mm${m[2]}jj`;
    else if (m) {
      const [first, second] = order === 'jma' ? ['jj', 'mm'] : ['mm', 'jj'];
      shape =
        (m[4] ?? '').length === 2
          ? `${first}${m[2]}${second}${m[2]}aa (années à deux chiffres lues de 1970 à 2069)`
          : `${first}${m[2]}${second}${m[2]}aaaa`;
    } else if (COMPACT.test(text)) shape = 'aaaammjj';
    else shape = 'mois en lettres';
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
  }
  const shapes = [...counts].sort((a, b) => b[1] - a[1]).map(([shape]) => shape);
  if (shapes.length === 0) return dateOrderLabel(order);
  return shapes.slice(0, 2).join(' et ');
}
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;
const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  janv: 1,
  janvier: 1,
  january: 1,
  feb: 2,
  fev: 2,
  fevr: 2,
  fevrier: 2,
  february: 2,
  mar: 3,
  mars: 3,
  march: 3,
  apr: 4,
  avr: 4,
  avril: 4,
  april: 4,
  may: 5,
  mai: 5,
  jun: 6,
  juin: 6,
  june: 6,
  jul: 7,
  juil: 7,
  juillet: 7,
  july: 7,
  aug: 8,
  aou: 8,
  aout: 8,
  august: 8,
  sep: 9,
  sept: 9,
  septembre: 9,
  september: 9,
  oct: 10,
  octobre: 10,
  october: 10,
  nov: 11,
  novembre: 11,
  november: 11,
  dec: 12,
  decembre: 12,
  december: 12,
};

function expandYear(year: string): number {
  const n = Number(year);
  if (year.length === 2) return n >= 70 ? 1900 + n : 2000 + n;
  return n;
}

export type DateParse =
  | { readonly ok: true; readonly date: IsoDate }
  | { readonly ok: false; readonly reason: string };

const NOT_A_DATE: DateParse = { ok: false, reason: "ce n'est pas une date (attendu : jj/mm/aaaa)" };

/**
 * Reads the date formats of French exports: `dd/mm/yyyy`, `dd/mm/yy`, `dd.mm.yyyy`, `dd-mm-yyyy`,
 * `yyyy-mm-dd`, `yyyymmdd` (FEC), and month names (`28 janv. 2021`, `Jan 28 2021`). A time after
 * the date (`2026-11-20 00:00:00`, `2026-11-20T10:00`) is ignored.
 * `parseDate('31/02/2026', 'jma')` → `{ ok: false, reason: "le 31/02/2026 n'existe pas" }`.
 */
export function parseDate(raw: string, order: DateOrder): DateParse {
  const fast = fastDate(raw, order);
  if (fast !== null) return { ok: true, date: fast };
  let text = raw.trim();
  const space = text.search(/[ T]\d{1,2}:\d{2}/);
  if (space > 0) text = text.slice(0, space);
  const numeric = NUMERIC.exec(text);
  if (numeric) {
    const [, a = '', , b = '', c = ''] = numeric;
    let y: number;
    let m: number;
    let d: number;
    if (a.length === 4) {
      y = Number(a);
      m = Number(b);
      d = Number(c);
    } else if (c.length === 4 || c.length === 2) {
      y = expandYear(c);
      [d, m] = order === 'jma' ? [Number(a), Number(b)] : [Number(b), Number(a)];
    } else return NOT_A_DATE;
    return checked(y, m, d, text);
  }
  const compact = COMPACT.exec(text);
  if (compact) return checked(Number(compact[1]), Number(compact[2]), Number(compact[3]), text);
  return parseNamedMonth(text);
}

/** Two digits at `at`, or -1. */
function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The commonest shapes, `dd/mm/yyyy` and `yyyy-mm-dd`, read code by code (twice per line of a
 * large export); null for anything else, which `parseDate` reads in full.
 */
function fastDate(text: string, order: DateOrder): IsoDate | null {
  if (text.length !== 10) return null;
  let y: number;
  let m: number;
  let d: number;
  if (text.charCodeAt(2) === 47 && text.charCodeAt(5) === 47) {
    const a = twoDigits(text, 0);
    const b = twoDigits(text, 3);
    const hi = twoDigits(text, 6);
    const lo = twoDigits(text, 8);
    if (a < 0 || b < 0 || hi < 0 || lo < 0) return null;
    y = hi * 100 + lo;
    d = order === 'jma' ? a : b;
    m = order === 'jma' ? b : a;
  } else if (text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45) {
    const hi = twoDigits(text, 0);
    const lo = twoDigits(text, 2);
    m = twoDigits(text, 5);
    d = twoDigits(text, 8);
    if (hi < 0 || lo < 0 || m < 0 || d < 0) return null;
    y = hi * 100 + lo;
  } else return null;
  return dateOfDayKey(y * 10000 + m * 100 + d);
}

/** Days already built, by `dayKey`: one text per day, however many lines repeat it. */
const DAYS = new Map<number, IsoDate>();

/**
 * A day as its digits, year × 10,000 + month × 100 + day: `dayKey('2026-03-02')` → 20260302 (not
 * `toDayNumber`'s count of days).
 */
export function dayKey(date: IsoDate): number {
  return (
    yearOf(date) * 10000 + monthOf(date) * 100 + (date.charCodeAt(8) - 48) * 10 + (date.charCodeAt(9) - 48)
  );
}

/**
 * The date of a day key (`dayKey`), or null when no such day exists. The same text for the
 * same day every time: an export's dates repeat, and building the text again cost a fifth of
 * their reading; a text met again also keeps its hash, computed once.
 */
export function dateOfDayKey(day: number): IsoDate | null {
  const known = DAYS.get(day);
  if (known !== undefined) return known;
  const date = makeDate(Math.floor(day / 10000), Math.floor(day / 100) % 100, day % 100);
  if (date !== null && DAYS.size < 100_000) DAYS.set(day, date);
  return date;
}

function checked(y: number, m: number, d: number, text: string): DateParse {
  const date = makeDate(y, m, d);
  if (date) return { ok: true, date };
  if (m < 1 || m > 12) return { ok: false, reason: `le mois ${m} n'existe pas` };
  if (y < 1900 || y > 2999) return { ok: false, reason: `année ${y} invalide` };
  return { ok: false, reason: `le ${text} n'existe pas` };
}

function parseNamedMonth(text: string): DateParse {
  const words = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[.,]/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words.length !== 3) return NOT_A_DATE;
  const [first = '', second = '', third = ''] = words;
  const dayFirst = MONTHS[second];
  const monthFirst = MONTHS[first];
  if (dayFirst !== undefined && /^\d{1,2}$/.test(first) && /^\d{4}$/.test(third)) {
    return checked(Number(third), dayFirst, Number(first), text);
  }
  if (monthFirst !== undefined && /^\d{1,2}$/.test(second) && /^\d{4}$/.test(third)) {
    return checked(Number(third), monthFirst, Number(second), text);
  }
  return NOT_A_DATE;
}

/** Day-month order from sample values: month first only if some sample cannot be day first. */
export function guessDateOrder(samples: readonly string[]): DateOrder {
  let dayFirst = 0;
  let monthFirst = 0;
  for (const raw of samples) {
    const m = NUMERIC.exec(raw.trim().split(/[ T]/)[0] ?? '');
    if (!m || (m[1] ?? '').length === 4) continue;
    const a = Number(m[1]);
    const b = Number(m[3]);
    if (a > 12 && b <= 12) dayFirst++;
    if (b > 12 && a <= 12) monthFirst++;
  }
  return monthFirst > 0 && dayFirst === 0 ? 'mja' : 'jma';
}

/** `addMonths('2026-01-31', 1)` → `'2026-02-28'`: the day is clamped to the end of a shorter month. */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const total = Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1 + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  return makeDate(year, month, Math.min(Number(date.slice(8, 10)), daysInMonth(year, month))) as IsoDate;
}

const MONTH_NAMES = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
] as const;

/** `formatDateLong('2026-11-01')` → `'1er novembre 2026'`, as French letters write it. */
export function formatDateLong(date: IsoDate): string {
  const day = Number(date.slice(8, 10));
  return `${day === 1 ? '1er' : day} ${MONTH_NAMES[monthOf(date) - 1]} ${yearOf(date)}`;
}
