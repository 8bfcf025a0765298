import { addDays, daysBetween, formatDateFr, type IsoDate } from './dates.js';
import type { ClientKind } from './invoice-row.js';
import type { Cents } from './money.js';
import {
  type BasisPoints,
  ecbRateFor,
  formatRate,
  type HalfYear,
  halfYearOf,
  legalRateFor,
  type RateLookup,
  type RateTables,
} from './rates.js';

/**
 * Late-payment penalties under French law (see shared/domain/droit-et-taux.md):
 * - professional debtor: interest from the day after the due date at the ECB rate of the
 *   half-year + 10 points (art. L441-10 II C. com.), or a contractual rate never below three times
 *   the legal rate; plus a fixed €40 recovery indemnity per invoice (art. D441-5);
 * - private debtor: interest at the legal rate only from the formal notice (art. 1231-6 and
 *   1344-1 C. civ.), at the "autres cas" rate since the creditor is a business; no indemnity.
 * Simple interest on a 365-day year, on the amount outstanding day by day, rounded to the cent
 * (half up) once per invoice.
 */

/** Art. D441-5 of the Code de commerce: €40 per invoice paid late, B2B only. */
export const RECOVERY_INDEMNITY = 4000 as Cents;

export interface PenaltyTerms {
  readonly contractualRate: BasisPoints | null;
  /** Some calculators keep the first half-year's rate for the whole delay. */
  readonly freezeFirstHalfYear: boolean;
  /** A mise en demeure whose receipt is not recorded is taken as received this many days after it was sent. */
  readonly noticeReceiptDays: number;
}

export interface DatedAmount {
  readonly date: IsoDate;
  readonly amount: Cents;
}

export interface PenaltyInvoice {
  readonly amount: Cents;
  /** What the export says is paid, with no date of its own: taken as paid from the start. */
  readonly declaredPaid: Cents;
  /** Dated payments that may be the same money as the declared amount (the larger counts). */
  readonly payments: readonly DatedAmount[];
  /** Dated amounts that come on top: payments typed after the last import, credit notes applied. */
  readonly extraCredits: readonly DatedAmount[];
  readonly dueDate: IsoDate;
  readonly clientKind: ClientKind;
  /** Day the mise en demeure was received (or taken as received): interest runs from it for a private client. */
  readonly formalNoticeDate: IsoDate | null;
}

export type RateBasis = 'bce+10' | 'contractuel' | 'plancher' | 'legal';

export interface InterestPeriod {
  readonly from: IsoDate;
  readonly to: IsoDate;
  readonly days: number;
  readonly base: Cents;
  readonly rate: BasisPoints;
  readonly basis: RateBasis;
  readonly halfYear: string;
  readonly estimated: boolean;
  /** Interest of this period in unrounded cents, for explanations (the total is rounded once). */
  readonly exactInterestCents: number;
}

export interface Penalty {
  readonly interest: Cents;
  readonly indemnity: Cents;
  readonly periods: readonly InterestPeriod[];
  /** Why there is no interest, when there is none (for explanations). */
  readonly noInterestReason: string | null;
  readonly warnings: readonly string[];
  /**
   * Half-years (`2026-S2`) whose rate recouvre does not know and estimated from the last known one,
   * among those that bore interest: a letter that a signatory vouches for cannot state them.
   */
  readonly estimatedHalfYears: readonly string[];
}

const DENOMINATOR = 365 * 10_000;

/** The rate of one half-year and the warnings it brings, computed once per run. */
interface RateChoice {
  readonly rate: BasisPoints;
  readonly basis: RateBasis;
  readonly estimated: boolean;
  readonly warnings: readonly string[];
}

export interface PenaltyOptions {
  /** Build the list of periods (for explanations); a plan only needs the totals. */
  readonly detail?: boolean;
  /** Rates by client kind and half-year, shared across the invoices of one run. */
  readonly cache?: Map<string, RateChoice>;
}

const NO_WARNINGS: readonly string[] = [];

/**
 * Penalties of one invoice as of a date.
 * `computePenalties({ amount: 100000, …, dueDate: '2024-07-31', clientKind: 'professionnel' }, terms,
 * tables, '2024-08-30')` → interest of 30 days at 14,25 %: 1171 cents.
 */
export function computePenalties(
  invoice: PenaltyInvoice,
  terms: PenaltyTerms,
  tables: RateTables,
  asOf: IsoDate,
  options: PenaltyOptions = {},
): Penalty {
  const detail = options.detail ?? true;
  const cache = options.cache ?? new Map<string, RateChoice>();
  const professional = invoice.clientKind === 'professionnel';
  const late = asOf > invoice.dueDate;
  const indemnity = (professional && late ? RECOVERY_INDEMNITY : 0) as Cents;
  let start: IsoDate;
  if (professional) start = addDays(invoice.dueDate, 1);
  else if (invoice.formalNoticeDate !== null) {
    const notice = invoice.formalNoticeDate > invoice.dueDate ? invoice.formalNoticeDate : invoice.dueDate;
    start = addDays(notice, 1);
  } else {
    return {
      interest: 0 as Cents,
      indemnity,
      periods: [],
      noInterestReason:
        "client particulier : les intérêts au taux légal ne courent qu'à partir de la mise en demeure",
      warnings: NO_WARNINGS,
      estimatedHalfYears: NO_WARNINGS,
    };
  }
  if (start > asOf) {
    return {
      interest: 0 as Cents,
      indemnity,
      periods: [],
      noInterestReason: 'pas encore de retard',
      warnings: NO_WARNINGS,
      estimatedHalfYears: NO_WARNINGS,
    };
  }

  // Days where the balance or the rate may change: each half-year, and the day after each payment.
  const bounds: IsoDate[] = [start];
  for (let half = halfYearOf(start); half.end < asOf; ) {
    const next = addDays(half.end, 1);
    bounds.push(next);
    half = halfYearOf(next);
  }
  const credits = invoice.payments.length + invoice.extraCredits.length;
  if (credits > 0) {
    for (const p of [...invoice.payments, ...invoice.extraCredits]) {
      const next = addDays(p.date, 1);
      if (next > start && next <= asOf) bounds.push(next);
    }
    bounds.sort();
    for (let k = bounds.length - 1; k > 0; k--) if (bounds[k] === bounds[k - 1]) bounds.splice(k, 1);
  }
  const firstHalf = halfYearOf(start);
  let warnings: string[] | null = null;
  let estimated: string[] | null = null;
  const periods: InterestPeriod[] = [];
  let numerator = 0;
  let big: bigint | null = null;
  for (let k = 0; k < bounds.length; k++) {
    const from = bounds[k]!;
    const to = k + 1 < bounds.length ? addDays(bounds[k + 1]!, -1) : asOf;
    const base = credits > 0 ? balanceOn(invoice, from) : Math.max(0, invoice.amount - invoice.declaredPaid);
    const days = daysBetween(from, to) + 1;
    const half = terms.freezeFirstHalfYear && professional ? firstHalf : halfYearOf(from);
    const key = `${professional ? 'p' : 'c'}${half.key}`;
    let choice = cache.get(key);
    if (!choice) {
      choice = rateFor(professional, terms, tables, half);
      cache.set(key, choice);
    }
    if (choice.warnings.length > 0) {
      warnings ??= [];
      for (const w of choice.warnings) if (!warnings.includes(w)) warnings.push(w);
    }
    const { rate } = choice;
    if (choice.estimated && base > 0) {
      estimated ??= [];
      if (!estimated.includes(half.key)) estimated.push(half.key);
    }
    const term = base * rate * days;
    if (big === null && Number.isSafeInteger(term) && Number.isSafeInteger(numerator + term))
      numerator += term;
    else big = (big ?? BigInt(numerator)) + BigInt(base) * BigInt(rate) * BigInt(days);
    if (!detail) continue;
    const previous = periods.at(-1);
    if (previous && previous.base === base && previous.rate === rate && previous.halfYear === half.key) {
      periods[periods.length - 1] = {
        ...previous,
        to,
        days: previous.days + days,
        exactInterestCents: previous.exactInterestCents + term / DENOMINATOR,
      };
    } else if (base > 0) {
      periods.push({
        from,
        to,
        days,
        base: base as Cents,
        rate,
        basis: choice.basis,
        halfYear: half.key,
        estimated: choice.estimated,
        exactInterestCents: term / DENOMINATOR,
      });
    }
  }
  const interest = big === null ? roundHalfUp(numerator) : Number(roundHalfUpBig(big));
  return {
    interest: interest as Cents,
    indemnity,
    periods,
    noInterestReason: interest === 0 ? 'rien ne reste dû sur la période' : null,
    warnings: warnings ?? NO_WARNINGS,
    estimatedHalfYears: estimated ?? NO_WARNINGS,
  };
}

/** What was still due on a day: payments count from the day after their date. */
function balanceOn(invoice: PenaltyInvoice, day: IsoDate): Cents {
  let dated = 0;
  for (const p of invoice.payments) if (p.date < day) dated += p.amount;
  let extra = 0;
  for (const p of invoice.extraCredits) if (p.date < day) extra += p.amount;
  const paid = Math.max(invoice.declaredPaid, dated) + extra;
  return Math.max(0, invoice.amount - paid) as Cents;
}

function rateFor(professional: boolean, terms: PenaltyTerms, tables: RateTables, half: HalfYear): RateChoice {
  const warnings: string[] = [];
  const noteEstimated = (lookup: RateLookup, what: string) => {
    if (!lookup.estimated) return;
    const known = lookup.source.includes('-S')
      ? `celui du ${halfYearLabel(halfYearOfKey(lookup.source))}`
      : `le dernier connu (table à jour au ${formatDateFr(tables.ecbKnownUntil)})`;
    warnings.push(
      `${what} du ${halfYearLabel(half)} inconnu de recouvre : ${known}, ${formatRate(lookup.rate)}, est utilisé. Ajoutez le taux publié dans recouvre.toml, section [taux].`,
    );
  };
  if (!professional) {
    const legal = legalRateFor(tables, half);
    noteEstimated(legal, "taux de l'intérêt légal");
    return { rate: legal.rate, basis: 'legal', estimated: legal.estimated, warnings };
  }
  if (terms.contractualRate !== null) {
    const legal = legalRateFor(tables, half);
    noteEstimated(legal, "taux de l'intérêt légal");
    const floor = (legal.rate * 3) as BasisPoints;
    if (terms.contractualRate < floor) {
      warnings.push(
        `le taux contractuel (${formatRate(terms.contractualRate)}) est inférieur à trois fois le taux de l'intérêt légal du ${halfYearLabel(half)} (${formatRate(floor)}) : ce plancher légal est appliqué (art. L441-10 C. com.).`,
      );
      return { rate: floor, basis: 'plancher', estimated: legal.estimated, warnings };
    }
    return { rate: terms.contractualRate, basis: 'contractuel', estimated: false, warnings };
  }
  const ecb = ecbRateFor(tables, half);
  noteEstimated(ecb, 'taux BCE');
  return { rate: (ecb.rate + 1000) as BasisPoints, basis: 'bce+10', estimated: ecb.estimated, warnings };
}

function halfYearOfKey(key: string): HalfYear {
  return halfYearOf(`${key.slice(0, 4)}-${key.endsWith('S1') ? '01' : '07'}-01` as IsoDate);
}

/** `halfYearLabel(halfYearOf('2026-11-20'))` → `'2e semestre 2026'`. */
export function halfYearLabel(half: HalfYear): string {
  return `${half.key.endsWith('S1') ? '1er' : '2e'} semestre ${half.key.slice(0, 4)}`;
}

function roundHalfUp(numerator: number): number {
  return Math.floor((2 * numerator + DENOMINATOR) / (2 * DENOMINATOR));
}

function roundHalfUpBig(numerator: bigint): bigint {
  const d = BigInt(DENOMINATOR);
  return (2n * numerator + d) / (2n * d);
}

/**
 * The interest of each period in whole cents, adding up to the invoice's total (rounded once, as
 * the law's per-invoice figure): each period gets its exact amount rounded down, and the cents left
 * go to the periods with the largest remainders. A letter can then print each period's amount
 * and let the debtor check the sum. `periodCents(penalty)` → `[1171, 23]` for a total of 1194.
 */
export function periodCents(penalty: Pick<Penalty, 'interest' | 'periods'>): Cents[] {
  const floors = penalty.periods.map((p) => Math.floor(p.exactInterestCents + 1e-9));
  let left = penalty.interest - floors.reduce((sum, n) => sum + n, 0);
  const order = penalty.periods
    .map((p, index) => ({ index, remainder: p.exactInterestCents - floors[index]! }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (let k = 0; left > 0 && order.length > 0; k = (k + 1) % order.length, left--)
    floors[order[k]!.index]! += 1;
  for (let k = 0; left < 0 && order.length > 0; k = (k + 1) % order.length, left++)
    floors[order.at(-1 - k)!.index]! -= 1;
  return floors as Cents[];
}

/** A mise en demeure sent on `date`: its receipt, recorded or presumed. */
export interface FormalNotice {
  readonly date: IsoDate;
  readonly receivedOn: IsoDate | null;
}

/**
 * The day a private client's legal interest runs from: the receipt of the first mise en demeure,
 * as recorded, or presumed `noticeReceiptDays` after its sending.
 * `formalNoticeReceipt([{ date: '2026-11-02', receivedOn: null }], 3)` → `{ date: '2026-11-05', presumed: true }`.
 */
export function formalNoticeReceipt(
  notices: readonly FormalNotice[],
  noticeReceiptDays: number,
): { readonly date: IsoDate; readonly presumed: boolean; readonly sent: IsoDate } | null {
  let best: { date: IsoDate; presumed: boolean; sent: IsoDate } | null = null;
  for (const n of notices) {
    const received = n.receivedOn ?? addDays(n.date, noticeReceiptDays);
    if (best === null || received < best.date)
      best = { date: received, presumed: n.receivedOn === null, sent: n.date };
  }
  return best;
}
