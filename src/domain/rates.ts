import { type IsoDate, isoDate, monthOf, yearOf } from './dates.js';

/**
 * Interest rates are data, never constants in code: recouvre ships the tables in src/data/ and
 * the user may add newer rates in recouvre.toml. Rates are whole basis points (1 bp = 0.01 %) so
 * that no floating-point rate ever enters a computation: 12,15 % is 1215.
 */
export type BasisPoints = number & { readonly __brand: 'BasisPoints' };

/** A half-year, as the law counts rates: `2026-S1` is January–June 2026. */
export interface HalfYear {
  readonly key: string;
  readonly start: IsoDate;
  readonly end: IsoDate;
}

export interface EcbChange {
  readonly from: IsoDate;
  readonly rate: BasisPoints;
}

export interface RateTables {
  /** ECB main refinancing rate changes, by date of effect, sorted. */
  readonly ecb: readonly EcbChange[];
  /** Last day the ECB table is known to be right (its last row, or a rate the user added). */
  readonly ecbKnownUntil: IsoDate;
  /** French legal interest rate for "tous les autres cas" (a business creditor), per half-year. */
  readonly legal: ReadonlyMap<string, BasisPoints>;
}

/** Half-years are few and asked for once per invoice and period: each is built once. */
const HALF_YEARS = new Map<number, HalfYear>();

/** `halfYearOf('2026-11-20')` → `{ key: '2026-S2', start: '2026-07-01', end: '2026-12-31' }`. */
export function halfYearOf(date: IsoDate): HalfYear {
  const year = yearOf(date);
  const second = monthOf(date) > 6;
  const id = year * 2 + (second ? 1 : 0);
  let half = HALF_YEARS.get(id);
  if (!half) {
    half = second
      ? { key: `${year}-S2`, start: `${year}-07-01` as IsoDate, end: `${year}-12-31` as IsoDate }
      : { key: `${year}-S1`, start: `${year}-01-01` as IsoDate, end: `${year}-06-30` as IsoDate };
    HALF_YEARS.set(id, half);
  }
  return half;
}

/** `parseRate('2.15')` → 215; `parseRate('12,5')` → 1250; null when it is not a percentage. */
export function parseRate(text: string | number): BasisPoints | null {
  const raw = typeof text === 'number' ? String(text) : text.trim().replace(',', '.');
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(raw);
  if (!m) return null;
  return (Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))) as BasisPoints;
}

/** `formatRate(1215)` → `'12,15 %'`. */
export function formatRate(rate: BasisPoints | number): string {
  const text = `${Math.floor(rate / 100)},${String(rate % 100).padStart(2, '0')}`;
  return `${text}\u00a0%`;
}

export interface RateLookup {
  readonly rate: BasisPoints;
  /** True when the date lies past the table and the last known rate stands in for it. */
  readonly estimated: boolean;
  /** The half-year or date whose rate was used, for explanations. */
  readonly source: string;
}

/**
 * The ECB rate that applies to a half-year: the one in force on 1 January (first half) or
 * 1 July (second half), art. L441-10 II of the Code de commerce.
 */
export function ecbRateFor(tables: RateTables, half: HalfYear): RateLookup {
  let rate: BasisPoints | null = null;
  for (const change of tables.ecb) {
    if (change.from > half.start) break;
    rate = change.rate;
  }
  if (rate === null) throw new RangeError(`no ECB rate known on ${half.start}`);
  return { rate, estimated: half.start > tables.ecbKnownUntil, source: half.start };
}

/** The legal interest rate ("autres cas") of a half-year; past the table, the last one known. */
export function legalRateFor(tables: RateTables, half: HalfYear): RateLookup {
  const known = tables.legal.get(half.key);
  if (known !== undefined) return { rate: known, estimated: false, source: half.key };
  let lastKey: string | null = null;
  for (const key of tables.legal.keys()) if (lastKey === null || key > lastKey) lastKey = key;
  if (lastKey === null || lastKey > half.key) throw new RangeError(`no legal rate known for ${half.key}`);
  return { rate: tables.legal.get(lastKey)!, estimated: true, source: lastKey };
}

export interface RateRowError {
  readonly line: number;
  readonly message: string;
}

/**
 * Builds the tables from the shipped rows and the user's additions (which win on the same date
 * or half-year). Returns the problems instead of throwing: the caller knows which file they
 * came from.
 */
export function buildRateTables(
  ecbRows: readonly (readonly [string, string])[],
  legalRows: readonly (readonly [string, string])[],
): { readonly tables: RateTables; readonly errors: readonly RateRowError[] } {
  const errors: RateRowError[] = [];
  const ecb = new Map<string, BasisPoints>();
  ecbRows.forEach(([date, rate], index) => {
    const day = isoDate(date);
    const bp = parseRate(rate);
    if (!day || bp === null) errors.push({ line: index + 1, message: `« ${date} ; ${rate} » illisible` });
    else ecb.set(day, bp);
  });
  const legal = new Map<string, BasisPoints>();
  legalRows.forEach(([half, rate], index) => {
    const bp = parseRate(rate);
    if (!/^\d{4}-S[12]$/.test(half) || bp === null)
      errors.push({ line: index + 1, message: `« ${half} ; ${rate} » illisible` });
    else legal.set(half, bp);
  });
  const changes = [...ecb].sort(([a], [b]) => (a < b ? -1 : 1)).map(([from, rate]) => ({ from, rate }));
  return {
    tables: {
      ecb: changes as EcbChange[],
      ecbKnownUntil: (changes.at(-1)?.from ?? '1900-01-01') as IsoDate,
      legal,
    },
    errors,
  };
}
