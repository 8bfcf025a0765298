import type { AgedBalance } from './aged-balance.js';
import type { IsoDate } from './dates.js';
import type {
  DelayFigures,
  DsoMethod,
  DsoResult,
  Period,
  prescriptionWarnings,
  RecoveryFigures,
  TrendPoint,
} from './report.js';

/**
 * What `recouvre rapport` is made of, whatever its format: the use case (app/report.ts) builds it
 * from the store, the report views (report-view.ts) lay it out.
 */

/** Everything `recouvre rapport` shows, in whatever format: plain data, amounts in cents. */
export interface Report {
  readonly asOf: IsoDate;
  /** The day of the last import into the store: how fresh what the report says is. */
  readonly lastImport: IsoDate | null;
  readonly period: Period;
  readonly dsoMethod: DsoMethod;
  readonly client: { readonly code: string; readonly name: string } | null;
  /** Euros first, then the other currencies in alphabetical order; never summed together. */
  readonly currencies: readonly CurrencyReport[];
  readonly activity: Activity;
  readonly warnings: readonly string[];
}

export interface CurrencyReport {
  readonly currency: string;
  readonly aged: AgedBalance;
  /** Overdue and not disputed (the aged balance's late buckets). */
  readonly overdue: number;
  /** Everything still receivable, disputed included: what DSO measures. */
  readonly receivables: number;
  readonly dso: DsoResult;
  readonly delays: DelayFigures;
  readonly recovery: RecoveryFigures;
  readonly disputes: { readonly amount: number; readonly invoices: number; readonly rate: number | null };
  readonly penalties: { readonly interest: number; readonly indemnity: number; readonly invoices: number };
  readonly trend: readonly TrendPoint[];
  /** Settlements whose date is an estimate (paid before recouvre first saw the invoice). */
  readonly estimatedSettlements: number;
}

export interface PlannedItem {
  readonly date: IsoDate;
  readonly clientCode: string;
  readonly clientName: string;
  readonly step: string;
  readonly channel: string | null;
  readonly amount: number;
  readonly currency: string;
}

export interface Activity {
  readonly sent: readonly ActivityCount[];
  /** Actions of the next 7 days: today's (what `relancer` would do now), then those waiting. */
  readonly planned: readonly PlannedItem[];
  readonly tasks: readonly OpenTask[];
  readonly prescription: ReturnType<typeof prescriptionWarnings>;
  /** Per client and currency, the penalties of invoices paid late that can still be claimed. */
  readonly lateFees: readonly LateFeeSummary[];
  /** Open invoices a 213 « Rejetée » or 220 « Annulée » status took out of dunning, with why. */
  readonly withdrawn: readonly WithdrawnInvoice[];
}

export interface WithdrawnInvoice {
  readonly number: string;
  readonly clientCode: string;
  readonly clientName: string;
  readonly outstanding: number;
  readonly currency: string;
  readonly code: number;
  readonly reason: string | null;
}

export interface LateFeeSummary {
  readonly clientCode: string;
  readonly clientName: string;
  readonly currency: string;
  readonly invoices: number;
  readonly interest: number;
  readonly indemnity: number;
}

export const TREND_MONTHS = 12;
export const PLAN_DAYS = 7;

export interface ActivityCount {
  readonly currency: string;
  readonly step: string;
  readonly channel: string;
  readonly status: string;
  readonly count: number;
  readonly clients: number;
  readonly amount: number;
}

/** A task left to people: a call, a litigation file, an action whose outcome is uncertain. */
export interface OpenTask {
  readonly date: IsoDate;
  readonly clientCode: string;
  readonly clientName: string;
  readonly step: string;
  readonly channel: string;
  readonly status: string;
  readonly amount: number;
  readonly currency: string;
  readonly note: string | null;
}
