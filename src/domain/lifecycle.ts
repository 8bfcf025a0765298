import { type Catalogue, type FieldSpec, makeCatalogue, normalizeHeader } from './columns.js';
import { addDays, type DateOrder, daysBetween, formatDateFr, type IsoDate, parseDate } from './dates.js';
import { type Cents, type DecimalMark, formatEuros, parseAmount } from './money.js';
import { plainText } from './text.js';

/**
 * The lifecycle statuses of an e-invoice, as the French reform numbers them (AFNOR XP Z12-012,
 * codes 200 to 228, exchanged between the plateformes agréées), and what each does to dunning.
 * Statuses without an effect are kept in the history only.
 */
export type StatusEffect =
  /** The client contests the invoice: it is disputed, with the reason. */
  | 'litige'
  /** The client accepts part of it: only that part is chased, the rest is disputed. */
  | 'partiel'
  /** Paused until a later status. */
  | 'pause'
  /** The client says it paid: paused for the days the money takes to reach the bank. */
  | 'paiement_transmis'
  /** The company received the money: a payment. */
  | 'encaissee'
  /** The invoice no longer stands (rejected by the platform, cancelled): never chased. */
  | 'retiree'
  | 'aucun';

export interface LifecycleStatus {
  readonly code: number;
  readonly label: string;
  readonly effect: StatusEffect;
}

const STATUSES: readonly LifecycleStatus[] = [
  { code: 200, label: 'Déposée', effect: 'aucun' },
  { code: 201, label: 'Émise par la plateforme', effect: 'aucun' },
  { code: 202, label: 'Reçue par la plateforme', effect: 'aucun' },
  { code: 203, label: 'Mise à disposition', effect: 'aucun' },
  { code: 204, label: 'Prise en charge', effect: 'aucun' },
  { code: 205, label: 'Approuvée', effect: 'aucun' },
  { code: 206, label: 'Approuvée partiellement', effect: 'partiel' },
  { code: 207, label: 'En litige', effect: 'litige' },
  { code: 208, label: 'Suspendue', effect: 'pause' },
  { code: 209, label: 'Complétée', effect: 'aucun' },
  { code: 210, label: 'Refusée', effect: 'litige' },
  { code: 211, label: 'Paiement transmis', effect: 'paiement_transmis' },
  { code: 212, label: 'Encaissée', effect: 'encaissee' },
  { code: 213, label: 'Rejetée', effect: 'retiree' },
  { code: 214, label: 'Visée', effect: 'aucun' },
  { code: 220, label: 'Annulée', effect: 'retiree' },
  { code: 221, label: 'Erreur de routage', effect: 'aucun' },
  { code: 224, label: 'Demande de paiement direct', effect: 'aucun' },
  { code: 225, label: 'Affacturée', effect: 'aucun' },
  { code: 226, label: 'Affacturée confidentiel', effect: 'aucun' },
  { code: 227, label: 'Changement de compte à payer', effect: 'aucun' },
  { code: 228, label: 'Non affacturée', effect: 'aucun' },
];

const BY_CODE: ReadonlyMap<number, LifecycleStatus> = new Map(STATUSES.map((s) => [s.code, s]));
const BY_WORD: ReadonlyMap<string, LifecycleStatus> = new Map([
  ...STATUSES.map((s) => [normalizeHeader(s.label), s] as const),
  // What platforms and invoicing software also write.
  ...(
    [
      ['emise', 201],
      ['recue', 202],
      ['mise a disposition', 203],
      ['partiellement approuvee', 206],
      ['litige', 207],
      ['disputed', 207],
      ['suspendue', 208],
      ['suspended', 208],
      ['refused', 210],
      ['paiement transmis', 211],
      ['payment transmitted', 211],
      ['encaisse', 212],
      ['payment received', 212],
      ['rejected', 213],
      ['annule', 220],
      ['cancelled', 220],
      ['canceled', 220],
    ] as const
  ).map(([word, code]) => [word, BY_CODE.get(code)!] as const),
]);

export function lifecycleStatus(code: number): LifecycleStatus | undefined {
  return BY_CODE.get(code);
}

/**
 * A status as a file writes it: its code, its label, or both.
 * `parseStatus('212')`, `parseStatus('Encaissée')` and `parseStatus('212 - Encaissée')` → the 212 status.
 */
export function parseStatus(text: string): LifecycleStatus | null {
  const value = plainText(text);
  const code = /^(2\d\d)\b/.exec(value);
  if (code) return BY_CODE.get(Number(code[1])) ?? null;
  return BY_WORD.get(normalizeHeader(value)) ?? null;
}

/** One line of a status file, checked. */
export interface StatusRow {
  readonly invoiceNumber: string;
  readonly status: LifecycleStatus;
  readonly date: IsoDate;
  readonly reason: string | null;
  /** 206: the amount the client accepts; 212: the amount received. */
  readonly amount: Cents | null;
}

export type StatusFieldKey = 'invoice' | 'status' | 'date' | 'reason' | 'amount';

export const STATUS_FIELDS: readonly FieldSpec<StatusFieldKey>[] = [
  {
    key: 'invoice',
    option: 'numero',
    label: 'numéro de facture',
    synonyms: [
      'N° facture',
      'No facture',
      'Numéro de facture',
      'Numéro facture',
      'Facture',
      'Référence facture',
      'Invoice',
      'Invoice Number',
      'Invoice ID',
    ],
  },
  {
    key: 'status',
    option: 'statut',
    label: 'statut',
    synonyms: [
      'Statut',
      'Code statut',
      'Code du statut',
      'Statut de la facture',
      'Statut cycle de vie',
      'Libellé statut',
      'Status',
      'Status Code',
    ],
  },
  {
    key: 'date',
    option: 'date',
    label: 'date du statut',
    synonyms: ['Date', 'Date du statut', 'Date statut', 'Date de statut', 'Horodatage', 'Status Date'],
  },
  {
    key: 'reason',
    option: 'motif',
    label: 'motif',
    synonyms: ['Motif', 'Raison', 'Commentaire', 'Message', 'Motif du statut', 'Reason'],
  },
  {
    key: 'amount',
    option: 'montant',
    label: 'montant',
    synonyms: [
      'Montant',
      'Montant accepté',
      'Montant approuvé',
      'Montant encaissé',
      'Montant payé',
      'Amount',
    ],
  },
];

export const STATUS_CATALOGUE: Catalogue<StatusFieldKey> = makeCatalogue(STATUS_FIELDS, (columns, need) =>
  (['invoice', 'status', 'date'] as const).filter((key) => columns[key] === undefined).map(need),
);

export interface StatusCellError {
  readonly field: StatusFieldKey | null;
  readonly value: string;
  readonly message: string;
}

export type StatusRowResult =
  | { readonly kind: 'status'; readonly row: StatusRow }
  | { readonly kind: 'invalid'; readonly errors: readonly StatusCellError[] };

/** The cells of one status, by field: from a CSV line or from a platform's JSON. */
export type StatusCells = Partial<Record<StatusFieldKey, string>>;

/**
 * Checks one status. `readStatusRow({ invoice: 'F1', status: '210', date: '12/11/2026' }, …)` →
 * `{ kind: 'status', row: { … status: { code: 210, label: 'Refusée' … } } }`.
 */
export function readStatusRow(
  cells: StatusCells,
  options: { readonly decimalMark: DecimalMark; readonly dateOrder: DateOrder },
): StatusRowResult {
  const cell = (key: StatusFieldKey) => plainText(cells[key] ?? '');
  const errors: StatusCellError[] = [];
  const invoiceNumber = cell('invoice');
  if (invoiceNumber === '') errors.push({ field: 'invoice', value: '', message: 'numéro de facture vide' });
  const statusText = cell('status');
  const status = parseStatus(statusText);
  if (status === null) {
    errors.push({
      field: 'status',
      value: statusText,
      message:
        statusText === ''
          ? 'statut vide (attendu : un code de 200 à 228, ou son libellé)'
          : 'statut inconnu (attendu : un code de 200 à 228, comme 210 ou 212, ou son libellé, comme « Refusée »)',
    });
  }
  // A platform's timestamp (2026-11-12T09:30:00+01:00) is read as the day it writes, never shifted.
  const rawDate = cell('date');
  const dayText = /^\d{4}-\d{2}-\d{2}[T ]/.test(rawDate) ? rawDate.slice(0, 10) : rawDate;
  const date = parseDate(dayText, options.dateOrder);
  if (rawDate === '') errors.push({ field: 'date', value: '', message: 'date vide (attendu : jj/mm/aaaa)' });
  else if (!date.ok) errors.push({ field: 'date', value: rawDate, message: date.reason });
  const rawAmount = cell('amount');
  let amount: Cents | null = null;
  if (rawAmount !== '') {
    const parsed = parseAmount(rawAmount, options.decimalMark);
    if (!parsed.ok)
      errors.push({ field: 'amount', value: rawAmount, message: `${parsed.reason} (attendu : 1 234,56)` });
    else if (parsed.cents < 0) errors.push({ field: 'amount', value: rawAmount, message: 'montant négatif' });
    else amount = parsed.cents;
  }
  if (errors.length > 0 || status === null || !date.ok) return { kind: 'invalid', errors };
  return {
    kind: 'status',
    row: { invoiceNumber, status, date: date.date, reason: cell('reason') || null, amount },
  };
}

/** `statut 210 « Refusée » du 12/11/2026 : livraison incomplète`: a status as history and dry run name it. */
export function statusText(status: LifecycleStatus, date: IsoDate, reason: string | null): string {
  return `statut ${status.code} « ${status.label} » du ${formatDateFr(date)}${reason ? ` : ${reason}` : ''}`;
}

/** What an invoice's state becomes with one status. */
export type StatusChange =
  | { readonly kind: 'dispute'; readonly reason: string }
  | { readonly kind: 'partial'; readonly disputedCents: Cents; readonly reason: string }
  | { readonly kind: 'pause'; readonly until: IsoDate | null; readonly reason: string }
  | { readonly kind: 'payment'; readonly amount: Cents }
  | { readonly kind: 'withdraw'; readonly code: number; readonly reason: string }
  /** Kept in the history only; `note` says why a status that could have acted did not. */
  | { readonly kind: 'none'; readonly note?: string }
  | { readonly kind: 'invalid'; readonly field: StatusFieldKey; readonly message: string };

/**
 * The change one status makes to an invoice of `amount` with `outstanding` still due. A 206
 * without the accepted amount holds the whole invoice as contested: recouvre never chases a sum
 * the client may contest. A 212 without an amount settles what is due. A 212 never records more than
 * is due, nor a payment recouvre already has from elsewhere (same amount, within `paymentWaitDays`
 * days): the platform often sends back the « Encaissée » that `recouvre statuts --encaissees` gave it,
 * or dates the one the client declares a few days from the bank's.
 */
export function statusChange(
  row: StatusRow,
  invoice: {
    readonly amount: Cents;
    readonly outstanding: Cents;
    readonly currency: string;
    /** The payments recorded from the bank, a payment file or by hand (not from a status). */
    readonly payments: readonly { readonly date: IsoDate; readonly amount: Cents }[];
  },
  paymentWaitDays: number,
): StatusChange {
  const reason = statusText(row.status, row.date, row.reason);
  switch (row.status.effect) {
    case 'litige':
      return { kind: 'dispute', reason };
    case 'partiel': {
      if (row.amount === null)
        return {
          kind: 'dispute',
          reason: `${reason} (sans montant accepté : toute la facture est tenue pour contestée)`,
        };
      if (row.amount >= invoice.amount)
        return {
          kind: 'invalid',
          field: 'amount',
          message: `le montant accepté (${formatEuros(row.amount, invoice.currency)}) n'est pas inférieur au montant de la facture (${formatEuros(invoice.amount, invoice.currency)}) : c'est un 205 « Approuvée »`,
        };
      const disputedCents = (invoice.amount - row.amount) as Cents;
      return {
        kind: 'partial',
        disputedCents,
        reason: `${reason} (${formatEuros(row.amount, invoice.currency)} acceptés, ${formatEuros(disputedCents, invoice.currency)} contestés)`,
      };
    }
    case 'pause':
      return { kind: 'pause', until: null, reason };
    case 'paiement_transmis':
      return { kind: 'pause', until: addDays(row.date, paymentWaitDays), reason };
    case 'encaissee': {
      const amount = row.amount;
      if (
        amount !== null &&
        invoice.payments.some(
          (p) => p.amount === amount && Math.abs(daysBetween(p.date, row.date)) <= paymentWaitDays,
        )
      )
        return { kind: 'none', note: 'règlement déjà enregistré dans recouvre' };
      const due = Math.max(0, invoice.outstanding);
      if (due === 0) return { kind: 'none', note: 'facture déjà soldée dans recouvre' };
      if (row.amount !== null && row.amount > due)
        return {
          kind: 'invalid',
          field: 'amount',
          message: `le montant encaissé (${formatEuros(row.amount, invoice.currency)}) dépasse le reste dû (${formatEuros(due, invoice.currency)}) : vérifiez les règlements déjà enregistrés (recouvre historique ${row.invoiceNumber}) ; un trop-perçu se traite dans votre comptabilité`,
        };
      return { kind: 'payment', amount: (row.amount ?? due) as Cents };
    }
    case 'retiree':
      return { kind: 'withdraw', code: row.status.code, reason };
    case 'aucun':
      return { kind: 'none' };
  }
}
