import type { Creditor } from './creditor.js';
import { formatIban } from './creditor.js';
import { addDays, formatDateFr, formatDateLong, type IsoDate } from './dates.js';
import type { PlannedAction } from './dunning.js';
import { formatEuros } from './money.js';
import { STEP_LABELS } from './scenario.js';

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
    readonly penalites: string;
    readonly indemnite: string;
  }[];
  readonly avoirs: readonly { readonly numero: string; readonly montant: string }[];
  readonly nombre_factures: number;
  readonly plusieurs_factures: boolean;
  readonly total_reclame: string;
  readonly total_penalites: string;
  readonly total_indemnites: string;
  readonly total_du: string;
  /** The same totals in cents, for the `montant` helper. */
  readonly total_reclame_centimes: number;
  readonly total_du_centimes: number;
  readonly devise: string;
  readonly a_des_penalites: boolean;
  readonly a_des_indemnites: boolean;
  readonly fondement_penalites: string;
  readonly delai_jours: number;
  readonly date_limite: string;
  readonly date_limite_longue: string;
  readonly reference_paiement: string;
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
  const totalDue = action.totalClaimed + action.totalInterest + action.totalIndemnity;
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
      iban: creditor.iban ? formatIban(creditor.iban) : '',
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
        numero: c.invoice.number,
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
        penalites: money(c.penalty.interest),
        indemnite: money(c.penalty.indemnity),
      };
    }),
    avoirs: action.credits.map((k) => ({ numero: k.creditNote.number, montant: money(k.amount) })),
    nombre_factures: action.invoices.length,
    plusieurs_factures: action.invoices.length > 1,
    total_reclame: money(action.totalClaimed),
    total_penalites: money(action.totalInterest),
    total_indemnites: money(action.totalIndemnity),
    total_du: money(totalDue),
    total_reclame_centimes: action.totalClaimed,
    total_du_centimes: totalDue,
    devise: action.currency,
    a_des_penalites: action.totalInterest > 0,
    a_des_indemnites: action.totalIndemnity > 0,
    fondement_penalites: professional
      ? "l'article L441-10 du Code de commerce (taux de la BCE majoré de 10 points) et de l'article D441-5 (indemnité forfaitaire de 40 € par facture)"
      : 'les articles 1231-6 et 1344-1 du Code civil (intérêts au taux légal à compter de la mise en demeure)',
    delai_jours: deadlineDays,
    date_limite: formatDateFr(deadline),
    date_limite_longue: formatDateLong(deadline),
    reference_paiement: numbers.join(' '),
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
