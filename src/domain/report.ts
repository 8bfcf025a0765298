import { addDays, daysBetween, daysInMonth, type IsoDate, makeDate, monthOf, yearOf } from './dates.js';
import type { Cents } from './money.js';
import { PRESCRIPTION_WARNING_DAYS, prescriptionDate } from './prescription.js';

export { PRESCRIPTION_WARNING_DAYS, prescriptionDate };

/**
 * The figures of `recouvre rapport` beyond the aged balance: DSO, payment delays, recovery and
 * dispute rates, and the twelve-month trend of what is overdue. Pure: the store hands over
 * invoices grouped by their dates and the settlements with their dates, never one row per invoice.
 *
 * How a settlement gets its date: a payment (payment file, FEC lettering, bank statement, typed by
 * hand) has its own. A paid amount that only an invoice export declares has none: it is dated by
 * the import that showed it changed, an upper bound as precise as the imports are frequent; for
 * an invoice already (partly) paid the first time it was imported, by its due date (or that import,
 * if earlier), an estimate that is counted and said. An invoice closed by `--liste-complete` is
 * settled on the day of that import.
 */

export type DsoMethod = 'epuisement' | 'simple';

/** Invoices sharing a currency, dispute flag, client kind, issue date and due date. */
export interface InvoiceGroup {
  readonly currency: string;
  readonly disputed: boolean;
  readonly professional: boolean;
  readonly creditNote: boolean;
  readonly issueDate: IsoDate;
  readonly dueDate: IsoDate;
  readonly count: number;
  /** Amounts including tax; credit notes are negative. */
  readonly amount: Cents;
  /** What is still due today (everything known counts): zero for an invoice closed as absent. */
  readonly outstanding: Cents;
  /** Outstanding of the invoices (not credit notes) that still owe something: the penalty base. */
  readonly owing: Cents;
  readonly owingCount: number;
}

/** Money that settled invoices of one group on a date. */
export interface Settlement {
  readonly currency: string;
  readonly disputed: boolean;
  readonly issueDate: IsoDate;
  readonly dueDate: IsoDate;
  readonly date: IsoDate;
  readonly amount: Cents;
  /** The date is an estimate (paid before recouvre first saw the invoice). */
  readonly estimated: boolean;
}

/** Invoices fully paid in the period whose last payment date is known. */
export interface DelaySums {
  readonly count: number;
  /** Sum over those invoices of (last payment − due date) and (last payment − issue date). */
  readonly daysAfterDue: number;
  readonly daysAfterIssue: number;
  /** Sum of the days late only (an invoice paid early counts 0). */
  readonly daysLate: number;
}

export interface Period {
  /** First day of the period (included). */
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly days: number;
}

/** `periodEnding('2026-11-26', 30)` → 28 October to 26 November, 30 days. */
export function periodEnding(asOf: IsoDate, days: number): Period {
  return { from: addDays(asOf, 1 - days), to: asOf, days };
}

/** The last day of a date's month. */
export function monthEnd(date: IsoDate): IsoDate {
  const y = yearOf(date);
  const m = monthOf(date);
  return makeDate(y, m, daysInMonth(y, m)) as IsoDate;
}

function monthStart(date: IsoDate): IsoDate {
  return makeDate(yearOf(date), monthOf(date), 1) as IsoDate;
}

/**
 * The points of the trend: the ends of the `count − 1` months before the report's month, then the
 * report's date itself. `trendDates('2026-11-26', 3)` → 30 Sept., 31 Oct., 26 Nov.
 */
export function trendDates(asOf: IsoDate, count: number): IsoDate[] {
  const dates: IsoDate[] = [asOf];
  let cursor = monthStart(asOf);
  for (let k = 1; k < count; k++) {
    const end = addDays(cursor, -1);
    dates.unshift(end);
    cursor = monthStart(end);
  }
  return dates;
}

/** Net sales (credit notes deducted) between two dates, from the invoices grouped by issue date. */
export class SalesIndex {
  private readonly dates: IsoDate[];
  /** prefix[k] = sales of the issue dates before dates[k]. */
  private readonly prefix: number[];

  constructor(groups: Iterable<InvoiceGroup>) {
    const byDate = new Map<IsoDate, number>();
    for (const g of groups) byDate.set(g.issueDate, (byDate.get(g.issueDate) ?? 0) + g.amount);
    this.dates = [...byDate.keys()].sort();
    this.prefix = [0];
    for (const date of this.dates)
      this.prefix.push((this.prefix.at(-1) as number) + (byDate.get(date) as number));
  }

  /** Sales issued from `from` to `to`, both included. */
  between(from: IsoDate, to: IsoDate): number {
    return this.prefix[this.upperBound(to)]! - this.prefix[this.upperBound(addDays(from, -1))]!;
  }

  /** Index of the first issue date after `date`. */
  private upperBound(date: IsoDate): number {
    let lo = 0;
    let hi = this.dates.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.dates[mid]! <= date) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export interface DsoResult {
  readonly method: DsoMethod;
  /** Null when there were no sales to measure against. */
  readonly days: number | null;
  /** The receivables exceed every month of sales looked at: `days` is a lower bound. */
  readonly atLeast: boolean;
}

/** How far back the count-back method looks before saying "at least". */
export const COUNT_BACK_MONTHS = 24;

/**
 * DSO by the count-back method (méthode de l'épuisement du chiffre d'affaires): the receivables
 * are exhausted by the sales of the current month to date, then of each previous month, and the
 * days of the months used up are added, the last one pro rata. Receivables of 150 against sales of
 * 100 in a 30-day month and 100 in the 31-day month before → 30 + 31 × 50/100 = 45,5 days.
 */
export function countBackDso(receivables: number, asOf: IsoDate, sales: SalesIndex): DsoResult {
  if (receivables <= 0) return { method: 'epuisement', days: 0, atLeast: false };
  let left = receivables;
  let days = 0;
  let to = asOf;
  for (let k = 0; k < COUNT_BACK_MONTHS; k++) {
    const from = monthStart(to);
    const length = daysBetween(from, to) + 1;
    const sold = sales.between(from, to);
    if (sold > 0 && left <= sold)
      return { method: 'epuisement', days: round1(days + (length * left) / sold), atLeast: false };
    if (sold > 0) left -= sold;
    days += length;
    to = addDays(from, -1);
  }
  return { method: 'epuisement', days: round1(days), atLeast: true };
}

/** DSO by the simple formula: receivables / sales of the period × days of the period. */
export function simpleDso(receivables: number, period: Period, sales: SalesIndex): DsoResult {
  const sold = sales.between(period.from, period.to);
  if (sold <= 0) return { method: 'simple', days: receivables <= 0 ? 0 : null, atLeast: false };
  return { method: 'simple', days: round1((Math.max(0, receivables) * period.days) / sold), atLeast: false };
}

export function dso(method: DsoMethod, receivables: number, period: Period, sales: SalesIndex): DsoResult {
  return method === 'simple'
    ? simpleDso(receivables, period, sales)
    : countBackDso(receivables, period.to, sales);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** A ratio rounded to 0,1 %, or null when the denominator is zero (never NaN). */
export function ratio(part: number, whole: number): number | null {
  if (whole === 0) return null;
  return Math.round((part / whole) * 1000) / 1000;
}

export interface TrendPoint {
  readonly date: IsoDate;
  /** Overdue and not disputed on that day, as the aged balance counts it. */
  readonly overdue: number;
  /** Everything receivable on that day (disputed included): what DSO measures. */
  readonly receivables: number;
  readonly dso: DsoResult;
}

/**
 * What was overdue and receivable at a past date: the invoices issued by then, less what had been
 * paid by then. `overdue` keeps the invoices due before the date and not disputed.
 */
export function positionAt(
  groups: readonly InvoiceGroup[],
  settlements: readonly Settlement[],
  date: IsoDate,
): { overdue: number; receivables: number } {
  let overdue = 0;
  let receivables = 0;
  for (const g of groups) {
    if (g.issueDate > date) continue;
    receivables += g.amount;
    if (!g.disputed && g.dueDate < date) overdue += g.amount;
  }
  for (const s of settlements) {
    if (s.issueDate > date || s.date > date) continue;
    receivables -= s.amount;
    if (!s.disputed && s.dueDate < date) overdue -= s.amount;
  }
  return { overdue, receivables };
}

/**
 * The month-by-month trend. Past month-ends are rebuilt from the dates of invoices and payments;
 * the last point, the report's date, is today's knowledge (`current`), the same figures as the
 * aged balance.
 */
export function trend(
  groups: readonly InvoiceGroup[],
  settlements: readonly Settlement[],
  dates: readonly IsoDate[],
  current: { overdue: number; receivables: number },
  method: DsoMethod,
  periodDays: number,
  sales: SalesIndex,
): TrendPoint[] {
  return dates.map((date, k) => {
    const position = k === dates.length - 1 ? current : positionAt(groups, settlements, date);
    return {
      date,
      ...position,
      dso: dso(method, position.receivables, periodEnding(date, periodDays), sales),
    };
  });
}

export interface RecoveryFigures {
  /** Amounts of the invoices that fell due in the period, and what has been collected of them. */
  readonly due: number;
  readonly collected: number;
  readonly rate: number | null;
}

/** The recovery rate of the period: of what fell due in it (invoices, not credit notes), the part collected. */
export function recovery(groups: readonly InvoiceGroup[], period: Period): RecoveryFigures {
  let due = 0;
  let collected = 0;
  for (const g of groups) {
    if (g.creditNote || g.dueDate < period.from || g.dueDate > period.to) continue;
    due += g.amount;
    collected += g.amount - g.outstanding;
  }
  return { due, collected, rate: ratio(collected, due) };
}

export interface DelayFigures {
  readonly count: number;
  /** Average days from issue to last payment, from due date to last payment, and of lateness alone. */
  readonly afterIssue: number | null;
  readonly afterDue: number | null;
  readonly late: number | null;
}

export function delays(sums: DelaySums): DelayFigures {
  const average = (total: number) => (sums.count === 0 ? null : round1(total / sums.count));
  return {
    count: sums.count,
    afterIssue: average(sums.daysAfterIssue),
    afterDue: average(sums.daysAfterDue),
    late: average(sums.daysLate),
  };
}

export interface Prescription {
  readonly number: string;
  readonly clientCode: string;
  readonly clientName: string;
  readonly professional: boolean;
  readonly dueDate: IsoDate;
  /** The last event that interrupted its prescription (acknowledgement, court application). */
  readonly interruptedOn: IsoDate | null;
  readonly outstanding: Cents;
  readonly currency: string;
}

/** The earliest due date that may need a warning at `asOf`: the consumer one, since 2 < 5 years. */
export function prescriptionHorizon(asOf: IsoDate): IsoDate {
  const warnFrom = addDays(asOf, PRESCRIPTION_WARNING_DAYS);
  const y = yearOf(warnFrom) - 2;
  const m = monthOf(warnFrom);
  return makeDate(y, m, Math.min(Number(warnFrom.slice(8)), daysInMonth(y, m))) as IsoDate;
}

/** The claims to warn about: time-barred within 90 days, or already (the soonest first). */
export function prescriptionWarnings(
  candidates: readonly Prescription[],
  asOf: IsoDate,
): (Prescription & { readonly barredOn: IsoDate; readonly daysLeft: number })[] {
  const warnUntil = addDays(asOf, PRESCRIPTION_WARNING_DAYS);
  return candidates
    .map((c) => {
      const barredOn = prescriptionDate(c.dueDate, c.professional, c.interruptedOn);
      return { ...c, barredOn, daysLeft: daysBetween(asOf, barredOn) };
    })
    .filter((c) => c.outstanding > 0 && c.barredOn <= warnUntil)
    .sort((a, b) =>
      a.barredOn < b.barredOn ? -1 : a.barredOn > b.barredOn ? 1 : b.outstanding - a.outstanding,
    );
}
