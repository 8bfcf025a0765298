import { addDays, daysInMonth, formatDateFr, type IsoDate, makeDate, monthOf, yearOf } from './dates.js';

/**
 * Prescription of a claim (shared/domain/droit-et-taux.md §4): 5 years between professionals
 * (art. L110-4 C. com.), 2 years against a consumer (art. L218-2 C. conso.), counted from the due
 * date. An acknowledgement of the debt (art. 2240 C. civ.) or a court application (art. 2241)
 * interrupts it: a new period of the same length starts on the day of that event.
 */

/** Warn this many days before a claim becomes time-barred. */
export const PRESCRIPTION_WARNING_DAYS = 90;

/** Events that interrupt prescription, as recorded with `historique --ajouter`. */
export type InterruptionKind = 'reconnaissance_dette' | 'demande_en_justice';

export const INTERRUPTION_LABELS: Readonly<Record<InterruptionKind, string>> = {
  reconnaissance_dette: 'reconnaissance de dette (art. 2240 C. civ.)',
  demande_en_justice: 'demande en justice (art. 2241 C. civ.)',
};

/**
 * The day a claim becomes time-barred. `prescriptionDate('2021-06-30', true)` → `'2026-06-30'`;
 * with an acknowledgement on 2024-03-01: `prescriptionDate('2021-06-30', true, '2024-03-01')` →
 * `'2029-03-01'`.
 */
export function prescriptionDate(
  dueDate: IsoDate,
  professional: boolean,
  interruptedOn: IsoDate | null = null,
): IsoDate {
  const from = interruptedOn !== null && interruptedOn > dueDate ? interruptedOn : dueDate;
  const years = professional ? 5 : 2;
  const y = yearOf(from) + years;
  const m = monthOf(from);
  const d = Math.min(Number(from.slice(8)), daysInMonth(y, m));
  return makeDate(y, m, d) as IsoDate;
}

export type PrescriptionState =
  | { readonly kind: 'ok' }
  | { readonly kind: 'soon'; readonly barredOn: IsoDate }
  | { readonly kind: 'barred'; readonly barredOn: IsoDate };

/** Whether a claim can still be chased on `asOf`, and whether its end is near. */
export function prescriptionState(
  dueDate: IsoDate,
  professional: boolean,
  interruptedOn: IsoDate | null,
  asOf: IsoDate,
): PrescriptionState {
  const barredOn = prescriptionDate(dueDate, professional, interruptedOn);
  if (barredOn <= asOf) return { kind: 'barred', barredOn };
  if (barredOn <= addDays(asOf, PRESCRIPTION_WARNING_DAYS)) return { kind: 'soon', barredOn };
  return { kind: 'ok' };
}

/** `« prescrite le 30/06/2026 (5 ans après l'échéance, art. L110-4 C. com.) »`. */
export function prescriptionDetail(barredOn: IsoDate, professional: boolean, interrupted: boolean): string {
  const rule = professional ? '5 ans, art. L110-4 C. com.' : '2 ans, art. L218-2 C. conso.';
  return `prescrite le ${formatDateFr(barredOn)} (${rule}, depuis ${interrupted ? 'la dernière interruption' : "l'échéance"})`;
}
