import { type Catalogue, type FieldSpec, makeCatalogue } from './columns.js';
import { type DateOrder, type IsoDate, parseDate } from './dates.js';
import { type Cents, type DecimalMark, parseAmount } from './money.js';
import { plainText } from './text.js';

/**
 * A payment file: one line per payment received, naming the invoice it pays. Exports of invoicing
 * software ("Règlements", "Encaissements", "Payments") and hand-made spreadsheets look like this.
 */
export type PaymentFieldKey = 'invoice' | 'date' | 'amount' | 'reference' | 'client' | 'method' | 'currency';

export const PAYMENT_FIELDS: readonly FieldSpec<PaymentFieldKey>[] = [
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
      'Facture réglée',
      'Réf facture',
      'Référence facture',
      'Pièce',
      'Invoice',
      'Invoice Number',
      'Invoice No',
    ],
  },
  {
    key: 'date',
    option: 'date',
    label: 'date du règlement',
    synonyms: [
      'Date',
      'Date de règlement',
      'Date du règlement',
      'Date de paiement',
      'Date du paiement',
      "Date d'encaissement",
      'Date encaissement',
      'Date de valeur',
      'Payment Date',
    ],
  },
  {
    key: 'amount',
    option: 'montant',
    label: 'montant réglé',
    synonyms: [
      'Montant',
      'Montant réglé',
      'Montant du règlement',
      'Montant payé',
      'Montant encaissé',
      'Montant TTC',
      'Règlement',
      'Encaissement',
      'Crédit',
      'Amount',
      'Paid',
    ],
  },
  {
    key: 'reference',
    option: 'reference',
    label: 'référence du règlement',
    synonyms: [
      'Référence',
      'Réf',
      'Référence du règlement',
      'Référence paiement',
      'N° de chèque',
      'Numéro de chèque',
      'Libellé',
      'Transaction Reference',
      'Transaction ID',
    ],
  },
  {
    key: 'client',
    option: 'client',
    label: 'client',
    synonyms: ['Client', 'Code client', 'Raison sociale', 'Tiers'],
  },
  {
    key: 'method',
    option: 'mode',
    label: 'mode de règlement',
    synonyms: [
      'Mode de règlement',
      'Mode de paiement',
      'Moyen de paiement',
      'Type',
      'Payment Type',
      'Method',
    ],
  },
  { key: 'currency', option: 'devise', label: 'devise', synonyms: ['Devise', 'Monnaie', 'Currency'] },
];

export const PAYMENT_CATALOGUE: Catalogue<PaymentFieldKey> = makeCatalogue(PAYMENT_FIELDS, (columns, need) =>
  (['invoice', 'date', 'amount'] as const).filter((key) => columns[key] === undefined).map(need),
);

export interface PaymentRow {
  readonly invoiceNumber: string;
  readonly date: IsoDate;
  readonly amount: Cents;
  readonly reference: string | null;
  /** The currency the amount says it is in, when it says one. */
  readonly currency: string | null;
  readonly method: string | null;
}

export interface PaymentCellError {
  readonly field: PaymentFieldKey | null;
  readonly value: string;
  readonly message: string;
}

export type PaymentRowResult =
  | { readonly kind: 'payment'; readonly row: PaymentRow }
  | { readonly kind: 'invalid'; readonly errors: readonly PaymentCellError[] };

export interface PaymentRowOptions {
  readonly columns: Partial<Record<PaymentFieldKey, number>>;
  readonly decimalMark: DecimalMark;
  readonly dateOrder: DateOrder;
}

/**
 * Checks one line of a payment file. A payment is an amount on a real date, for a named invoice; a
 * negative amount is a refund (exports write them `-400,00` or `(400,00)`), which raises what is due. `readPaymentRow(['F1', '18/11/2026', '500,00'], …)` → `{ kind: 'payment', row: { … } }`.
 */
export function readPaymentRow(cells: readonly string[], options: PaymentRowOptions): PaymentRowResult {
  const cell = (key: PaymentFieldKey) => {
    const at = options.columns[key];
    return at === undefined ? '' : plainText(cells[at] ?? '');
  };
  const errors: PaymentCellError[] = [];
  const invoiceNumber = cell('invoice');
  if (invoiceNumber === '') {
    errors.push({
      field: 'invoice',
      value: '',
      message: 'numéro de facture vide : indiquez la facture que ce règlement paie',
    });
  }
  const rawDate = cell('date');
  const date = parseDate(rawDate, options.dateOrder);
  if (rawDate === '') errors.push({ field: 'date', value: '', message: 'date vide (attendu : jj/mm/aaaa)' });
  else if (!date.ok) errors.push({ field: 'date', value: rawDate, message: date.reason });
  const rawAmount = cell('amount');
  const amount = parseAmount(rawAmount, options.decimalMark);
  if (!amount.ok) {
    errors.push({ field: 'amount', value: rawAmount, message: `${amount.reason} (attendu : 1 234,56)` });
  } else if (amount.cents === 0) {
    errors.push({ field: 'amount', value: rawAmount, message: 'montant nul : retirez la ligne' });
  }
  if (errors.length > 0 || !date.ok || !amount.ok) return { kind: 'invalid', errors };
  const currencyCell = cell('currency').toUpperCase();
  return {
    kind: 'payment',
    row: {
      invoiceNumber,
      date: date.date,
      amount: amount.cents,
      reference: cell('reference') || null,
      currency: amount.currency ?? (/^[A-Z]{3}$/.test(currencyCell) ? currencyCell : null),
      method: cell('method') || null,
    },
  };
}
