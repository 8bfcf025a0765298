import type { Creditor } from './creditor.js';
import { formatIban } from './creditor.js';
import { addDays, daysBetween, formatDateFr, formatDateLong, type IsoDate } from './dates.js';
import { claimedNumber, type PlannedAction, totalDue } from './dunning.js';
import { formatEuros } from './money.js';
import { periodCents } from './penalties.js';
import { formatRate } from './rates.js';
import { PENALTY_CLAIM_STEPS, STEP_LABELS } from './scenario.js';

/**
 * What a template sees: ready-made French strings ("1 234,56 €", "20 novembre 2026"), never
 * amounts to compute. Keys are French, as they are what a user editing a template reads.
 */

/** What the store knows of an invoice beyond the plan (for the letter's table and the statement). */
export interface InvoiceDetails {
  readonly number: string;
  readonly issueDate: string;
  readonly dueDate: string;
  readonly amount: number;
  readonly paid: number;
  readonly outstanding: number;
  readonly currency: string;
}

export interface ClientDetails {
  readonly code: string;
  readonly name: string;
  readonly emails: readonly string[];
  readonly address: readonly string[];
}

export interface DocumentView {
  readonly etape: string;
  readonly etape_libelle: string;
  /** True when none of these invoices was reminded before. */
  readonly premier_contact: boolean;
  readonly date: string;
  readonly date_longue: string;
  /** The run's date as AAAA-MM-JJ, for the `date` and `date_longue` helpers. */
  readonly date_iso: string;
  readonly creancier: {
    readonly raison_sociale: string;
    readonly siren: string;
    readonly adresse: readonly string[];
    readonly email: string;
    readonly telephone: string;
    readonly iban: string;
    readonly bic: string;
    readonly signataire: string;
    readonly lien_paiement: string;
  };
  readonly client: {
    readonly code: string;
    readonly nom: string;
    readonly adresse: readonly string[];
    readonly email: string;
    readonly professionnel: boolean;
    readonly particulier: boolean;
  };
  readonly factures: readonly {
    readonly numero: string;
    readonly date: string;
    readonly echeance: string;
    readonly montant: string;
    readonly regle: string;
    readonly reste_du: string;
    readonly reste_du_centimes: number;
    readonly echeance_iso: string;
    readonly avoir: string;
    readonly reclame: string;
    readonly jours_retard: number;
    /** For the claim of the penalties of an invoice paid late: the day it was paid (else empty). */
    readonly reglee_le: string;
    readonly penalites: string;
    readonly indemnite: string;
    readonly indemnite_centimes: number;
    /** The interest period by period (only for the steps that claim it): the claim's detail. */
    readonly periodes: readonly {
      readonly du: string;
      readonly au: string;
      readonly jours: number;
      readonly base: string;
      readonly taux: string;
      readonly montant: string;
      readonly estime: boolean;
    }[];
  }[];
  /** Each credit note once, with what it takes off the invoices listed. */
  readonly avoirs: readonly { readonly numero: string; readonly montant: string }[];
  readonly nombre_factures: number;
  readonly plusieurs_factures: boolean;
  readonly total_reclame: string;
  readonly total_penalites: string;
  readonly total_indemnites: string;
  /**
   * What this document asks for: the principal for a reminder; the principal, the penalties and the
   * indemnities for a mise en demeure or a claim file (`penalites_reclamees`).
   */
  readonly total_du: string;
  readonly penalites_reclamees: boolean;
  /** Some penalties rest on a rate recouvre does not know yet: they are estimates. */
  readonly penalites_estimees: boolean;
  /** The same totals in cents, for the `montant` helper. */
  readonly total_reclame_centimes: number;
  readonly total_du_centimes: number;
  readonly devise: string;
  readonly a_des_penalites: boolean;
  readonly a_des_indemnites: boolean;
  readonly fondement_penalites: string;
  /** How the penalties were computed, in one sentence, for the claim's detail. */
  readonly mode_calcul_penalites: string;
  readonly delai_jours: number;
  readonly date_limite: string;
  readonly date_limite_longue: string;
  /** The invoice numbers, for a transfer's reference field: `F1 F2`. */
  readonly reference_paiement: string;
  /** The same for a sentence: `F1 et F2`, `F1, F2 et F3`. */
  readonly references: string;
  /** `la référence F1`, `les références F1 et F2`. */
  readonly mention_reference: string;
  readonly releve: readonly {
    readonly numero: string;
    readonly date: string;
    readonly echeance: string;
    readonly reste_du: string;
    readonly statut: string;
  }[];
  readonly total_releve: string;
}

/**
 * The view of one planned action. `deadlineDays` is the time a mise en demeure gives (8 days by
 * default); `statement` lists all the client's open invoices, due or not.
 */
export function documentView(
  action: PlannedAction,
  creditor: Creditor,
  client: ClientDetails,
  details: ReadonlyMap<string, InvoiceDetails>,
  statement: readonly InvoiceDetails[],
  asOf: IsoDate,
  deadlineDays: number,
): DocumentView {
  const money = (cents: number) => formatEuros(cents, action.currency);
  const deadline = addDays(asOf, deadlineDays);
  const professional = action.client.kind === 'professionnel';
  const numbers = action.invoices.map((c) => c.invoice.number);
  const claimsPenalties = PENALTY_CLAIM_STEPS.has(action.step.code);
  const settled = action.step.code === 'penalites';
  const due = totalDue(action);
  // A credit note spread over several invoices is printed once, with the sum it takes off.
  const credits = new Map<string, number>();
  for (const k of action.credits)
    credits.set(k.creditNote.number, (credits.get(k.creditNote.number) ?? 0) + k.amount);
  return {
    etape: action.step.code,
    etape_libelle: STEP_LABELS[action.step.code],
    premier_contact: action.firstContact,
    date: formatDateFr(asOf),
    date_longue: formatDateLong(asOf),
    date_iso: asOf,
    creancier: {
      raison_sociale: creditor.name,
      siren: creditor.siren.replace(/^(\d{3})(\d{3})(\d{3})$/, '$1 $2 $3'),
      adresse: creditor.address,
      email: creditor.email,
      telephone: creditor.phone,
      // Never broken across two lines of a letter: the groups are joined by no-break spaces.
      iban: creditor.iban ? formatIban(creditor.iban).replaceAll(' ', '\u00a0') : '',
      bic: creditor.bic ?? '',
      signataire: creditor.signatory ?? '',
      lien_paiement: creditor.paymentLink ?? '',
    },
    client: {
      code: client.code,
      nom: client.name,
      adresse: client.address,
      email: client.emails.join(', '),
      professionnel: professional,
      particulier: !professional,
    },
    factures: action.invoices.map((c) => {
      const d = details.get(c.invoice.number);
      return {
        numero: claimedNumber(c.invoice),
        date: d ? formatDateFr(d.issueDate as IsoDate) : '',
        echeance: formatDateFr(c.invoice.dueDate),
        montant: money(c.invoice.amount),
        regle: money(c.invoice.amount - c.invoice.outstanding),
        reste_du: money(c.invoice.outstanding),
        reste_du_centimes: c.invoice.outstanding,
        echeance_iso: c.invoice.dueDate,
        avoir: money(c.invoice.outstanding - c.claimed),
        reclame: money(c.claimed),
        jours_retard: c.daysLate,
        reglee_le: c.settledOn === null ? '' : formatDateFr(c.settledOn),
        penalites: money(c.penalty.interest),
        indemnite: money(c.penalty.indemnity),
        indemnite_centimes: c.penalty.indemnity,
        periodes: claimsPenalties
          ? periodCents(c.penalty).map((amount, k) => {
              const p = c.penalty.periods[k]!;
              return {
                du: formatDateFr(p.from),
                au: formatDateFr(p.to),
                jours: p.days,
                base: money(p.base),
                taux: formatRate(p.rate),
                montant: money(amount),
                estime: p.estimated,
              };
            })
          : [],
      };
    }),
    avoirs: [...credits].map(([numero, amount]) => ({ numero, montant: money(amount) })),
    nombre_factures: action.invoices.length,
    plusieurs_factures: action.invoices.length > 1,
    total_reclame: money(action.totalClaimed),
    total_penalites: money(action.totalInterest),
    total_indemnites: money(action.totalIndemnity),
    total_du: money(due),
    penalites_reclamees: claimsPenalties,
    penalites_estimees: action.invoices.some((c) => c.penalty.estimatedHalfYears.length > 0),
    total_reclame_centimes: action.totalClaimed,
    total_du_centimes: due,
    devise: action.currency,
    a_des_penalites: action.totalInterest > 0,
    a_des_indemnites: action.totalIndemnity > 0,
    fondement_penalites: professional
      ? "l'article L441-10 du Code de commerce (taux de la BCE majoré de 10 points) et de l'article D441-5 (indemnité forfaitaire de 40 € par facture)"
      : 'les articles 1231-6 et 1344-1 du Code civil (intérêts au taux légal à compter de la mise en demeure)',
    mode_calcul_penalites: professional
      ? `Intérêts simples sur le reste dû de chaque jour, du lendemain de l'échéance ${settled ? 'au jour du règlement' : `au ${formatDateFr(asOf)}`}, au taux annuel indiqué × jours / 365 (art. L441-10 du Code de commerce : taux de la BCE du semestre majoré de 10 points, sauf taux contractuel) ; le total de chaque facture est arrondi au centime.`
      : `Intérêts au taux légal (art. 1231-6 et 1344-1 du Code civil) à compter de la réception de la mise en demeure${receiptText(action)}${settled ? " jusqu'au jour du règlement" : ''}, au taux annuel indiqué × jours / 365 ; le total de chaque facture est arrondi au centime.`,
    delai_jours: deadlineDays,
    date_limite: formatDateFr(deadline),
    date_limite_longue: formatDateLong(deadline),
    reference_paiement: numbers.join(' '),
    references: listFr(numbers),
    mention_reference: `${numbers.length > 1 ? 'les références' : 'la référence'} ${listFr(numbers)}`,
    releve: statement.map((s) => ({
      numero: s.number,
      date: formatDateFr(s.issueDate as IsoDate),
      echeance: formatDateFr(s.dueDate as IsoDate),
      reste_du: formatEuros(s.outstanding, s.currency),
      statut: s.outstanding < 0 ? 'avoir' : s.dueDate < asOf ? 'échue' : 'à échoir',
    })),
    total_releve: formatEuros(
      statement.filter((s) => s.currency === action.currency).reduce((sum, s) => sum + s.outstanding, 0),
      action.currency,
    ),
  };
}

/** ` du 02/11/2026, reçue le 05/11/2026` or `…, réception présumée le … (3 jours après l'envoi)`. */
function receiptText(action: PlannedAction): string {
  const receipt = action.invoices.find((c) => c.noticeReceipt !== null)?.noticeReceipt;
  if (!receipt) return '';
  return receipt.presumed
    ? ` envoyée le ${formatDateFr(receipt.sent)} (réception présumée le ${formatDateFr(receipt.date)}, ${daysBetween(receipt.sent, receipt.date)} jours après l'envoi, faute d'accusé de réception noté)`
    : ` envoyée le ${formatDateFr(receipt.sent)} et reçue le ${formatDateFr(receipt.date)}`;
}

/** `listFr(['F1', 'F2', 'F3'])` → `'F1, F2 et F3'`. */
function listFr(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} et ${items.at(-1)}`;
}
