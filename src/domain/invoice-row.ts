import type { ColumnMap, FieldKey } from './columns.js';
import { addDays, type DateOrder, daysBetween, formatDateFr, type IsoDate, parseDate } from './dates.js';
import { type Cents, type DecimalMark, formatEuros, parseAmount } from './money.js';
import { plainLines, plainText } from './text.js';

export type ClientKind = 'professionnel' | 'particulier';

/** One invoice as an export describes it, checked and converted. */
export interface InvoiceRow {
  readonly number: string;
  readonly clientCode: string;
  readonly clientName: string;
  /** Addresses joined by ", "; empty when the file gives none. */
  readonly emails: string;
  readonly clientKind: ClientKind | null;
  readonly address: string | null;
  readonly siren: string | null;
  readonly phone: string | null;
  readonly issueDate: IsoDate;
  readonly dueDate: IsoDate;
  readonly dueDateComputed: boolean;
  readonly amount: Cents;
  readonly paid: Cents;
  /** Day of the last payment, when the source dates them (a FEC's lettering); exports do not. */
  readonly paidOn?: IsoDate | null;
  readonly currency: string;
  /**
   * The export's status when it says more than « open »: contested, refused, rejected, suspended,
   * payment on its way (one of `EXPORT_STATUSES`). The import applies it once, as the lifecycle status
   * of the same name would (`EXPORT_STATUS_CODES`).
   */
  readonly exportStatus?: ExportStatus | null;
}

/**
 * Status words of an export that change what dunning may do: the client contests or refuses the
 * invoice, its platform rejected it, it is suspended, its payment is on its way, it was cancelled.
 */
export const EXPORT_STATUSES = [
  'En litige',
  'Contestée',
  'Refusée',
  'Rejetée',
  'Approuvée partiellement',
  'Suspendue',
  'Paiement transmis',
  'Annulée',
] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/** The lifecycle status (AFNOR XP Z12-012) each export status word stands for: its effect is that one's. */
export const EXPORT_STATUS_CODES: Readonly<Record<ExportStatus, number>> = {
  'En litige': 207,
  Contestée: 207,
  Refusée: 210,
  Rejetée: 213,
  'Approuvée partiellement': 206,
  Suspendue: 208,
  'Paiement transmis': 211,
  Annulée: 220,
};

/**
 * What a line means, as a number: raised when the reading of a line learns something a stored
 * line's fingerprint did not cover (the dispute statuses), so that the next re-import reads every
 * line in full once.
 */
export const ROW_RULES = 3;

/**
 * The columns that describe the client rather than the invoice: two lines with the same cells in
 * these columns bring the same client details (an import's reader relies on it to skip lines).
 */
export const CLIENT_FIELDS: readonly FieldKey[] = [
  'clientCode',
  'clientName',
  'email',
  'clientKind',
  'address',
  'postcode',
  'city',
  'country',
  'siren',
  'phone',
];

export interface CellError {
  readonly field: FieldKey | null;
  readonly value: string;
  readonly message: string;
}

export type RowResult =
  | { readonly kind: 'invoice'; readonly row: InvoiceRow }
  | {
      readonly kind: 'skipped';
      readonly number: string;
      readonly reason: string;
      readonly cancelled: boolean;
    }
  | { readonly kind: 'invalid'; readonly number: string | null; readonly errors: readonly CellError[] }
  /**
   * A line with no invoice number whose text says total, sous-total or report (Sage, EBP and Excel
   * add them): its amounts, the amount column's first, for the reader to compare with the sum of
   * the lines above.
   */
  | { readonly kind: 'total'; readonly label: string; readonly amounts: readonly Cents[] };

const MAX_DUE_BEFORE_ISSUE_DAYS = 366;
const MAX_DUE_AFTER_ISSUE_DAYS = 3653;

const TOTAL_WORDS =
  /^(sous[- ]?)?(total|totaux)\b|^total\b|\btotal g[ée]n[ée]ral\b|^report\b|^[àa] reporter\b/i;

export interface RowOptions {
  readonly columns: ColumnMap;
  readonly decimalMark: DecimalMark;
  readonly dateOrder: DateOrder;
  readonly paymentTermDays: number;
  readonly defaultCurrency: string;
}

const ONE_WORD = /^[^,;\s]+$/;
const EMAIL = /^[^@\s<>(),;:"]+@[^@\s<>(),;:"]+\.[^@\s<>(),;:"]+$/;
const AMOUNT_HINT = ' (attendu : 1 234,56)';

const PAID_STATUSES = new Set([
  'payee',
  'paye',
  'paid',
  'reglee',
  'regle',
  'soldee',
  'solde',
  'acquittee',
  'encaissee',
]);
const STATUS_WORDS: ReadonlyMap<string, ExportStatus> = new Map([
  ['en litige', 'En litige'],
  ['litige', 'En litige'],
  ['litigieuse', 'En litige'],
  ['litigieux', 'En litige'],
  ['disputed', 'En litige'],
  ['in dispute', 'En litige'],
  ['contestee', 'Contestée'],
  ['conteste', 'Contestée'],
  ['en contestation', 'Contestée'],
  ['refusee', 'Refusée'],
  ['refuse', 'Refusée'],
  ['refused', 'Refusée'],
  ['rejetee', 'Rejetée'],
  ['rejete', 'Rejetée'],
  ['rejected', 'Rejetée'],
  ['approuvee partiellement', 'Approuvée partiellement'],
  ['partiellement approuvee', 'Approuvée partiellement'],
  ['acceptee partiellement', 'Approuvée partiellement'],
  ['partiellement acceptee', 'Approuvée partiellement'],
  ['suspendue', 'Suspendue'],
  ['suspendu', 'Suspendue'],
  ['suspended', 'Suspendue'],
  ['paiement transmis', 'Paiement transmis'],
  ['payment transmitted', 'Paiement transmis'],
]);
/** Cancelled: a new one is not imported; one already imported is withdrawn from dunning. */
const CANCELLED_STATUSES = new Set(['annulee', 'annule', 'cancelled', 'canceled', 'void']);
const SKIPPED_STATUSES: ReadonlyMap<string, string> = new Map([
  ['brouillon', 'facture en brouillon'],
  ['draft', 'facture en brouillon'],
  ['annulee', 'facture annulée'],
  ['annule', 'facture annulée'],
  ['cancelled', 'facture annulée'],
  ['canceled', 'facture annulée'],
  ['void', 'facture annulée'],
]);
const KINDS: ReadonlyMap<string, ClientKind> = new Map([
  ['particulier', 'particulier'],
  ['part', 'particulier'],
  ['b2c', 'particulier'],
  ['consommateur', 'particulier'],
  ['personne physique', 'particulier'],
  ['professionnel', 'professionnel'],
  ['pro', 'professionnel'],
  ['entreprise', 'professionnel'],
  ['societe', 'professionnel'],
  ['b2b', 'professionnel'],
]);

function simplify(text: string): string {
  if (text === '') return text;
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();
}

/** The plain text of the cell at `at`; empty for a column the file does not have (-1). */
function cellAt(cells: readonly string[], at: number): string {
  return at < 0 ? '' : plainText(cells[at] ?? '');
}

/** The cell at `at` with its line breaks, real or typed as the two characters \\n (an address). */
function linesAt(cells: readonly string[], at: number): string {
  return at < 0 ? '' : plainLines((cells[at] ?? '').replace(/\\n/g, '\n'));
}

/** Where each field is in a row (-1: not in the file), in an object of one fixed shape. */
function positionsOf(columns: ColumnMap) {
  const at = (key: FieldKey) => columns[key] ?? -1;
  return {
    number: at('number'),
    clientCode: at('clientCode'),
    clientName: at('clientName'),
    email: at('email'),
    issueDate: at('issueDate'),
    dueDate: at('dueDate'),
    amount: at('amount'),
    paid: at('paid'),
    remaining: at('remaining'),
    currency: at('currency'),
    clientKind: at('clientKind'),
    address: at('address'),
    postcode: at('postcode'),
    city: at('city'),
    country: at('country'),
    status: at('status'),
    siren: at('siren'),
    phone: at('phone'),
  } satisfies Record<FieldKey, number>;
}

/**
 * Checks and converts one data row of an invoice export. Pure: every problem of the row comes back
 * as a value, so an import can list them all before writing anything.
 */
export function readInvoiceRow(cells: readonly string[], options: RowOptions): RowResult {
  return invoiceRowReader(options)(cells);
}

/**
 * `readInvoiceRow` for every row of one file: the columns are looked up once, not once per cell
 * (by a field name that changes from call to call, which V8 reads slowly: a tenth of the
 * reading of a large export).
 */
export function invoiceRowReader(options: RowOptions): (cells: readonly string[]) => RowResult {
  const at = positionsOf(options.columns);
  const hasAddress = at.address >= 0 || at.postcode >= 0 || at.city >= 0 || at.country >= 0;
  return (cells) => readRow(cells, options, at, hasAddress);
}

function readRow(
  cells: readonly string[],
  options: RowOptions,
  at: ReturnType<typeof positionsOf>,
  hasAddress: boolean,
): RowResult {
  const errors: CellError[] = [];
  const cell = (position: number): string => cellAt(cells, position);
  const fail = (field: FieldKey, value: string, message: string) => {
    errors.push({ field, value, message });
  };

  const number = cell(at.number);
  if (number === '') {
    const label = cells.find((c) => TOTAL_WORDS.test(c.trim().replace(/\s*:$/, '')));
    if (label !== undefined) {
      const amounts: Cents[] = [];
      for (const text of [cell(at.amount), ...cells]) {
        if (text.trim() === '') continue;
        const parsed = parseAmount(text, options.decimalMark);
        if (parsed.ok && !amounts.includes(parsed.cents)) amounts.push(parsed.cents);
      }
      return { kind: 'total', label: label.trim(), amounts };
    }
    fail('number', '', 'numéro de facture vide : chaque ligne doit avoir un numéro');
  }

  const status = simplify(cell(at.status));
  const skipped = SKIPPED_STATUSES.get(status);
  if (skipped !== undefined && number !== '')
    return { kind: 'skipped', number, reason: skipped, cancelled: CANCELLED_STATUSES.has(status) };

  const clientName = cell(at.clientName);
  const clientCode = cell(at.clientCode) || clientName;
  if (clientCode === '') fail(at.clientCode >= 0 ? 'clientCode' : 'clientName', '', 'client vide');

  const amountText = cell(at.amount);
  const amount = parseAmount(amountText, options.decimalMark);
  if (!amount.ok) fail('amount', amountText, `${amount.reason}${AMOUNT_HINT}`);

  const issueText = cell(at.issueDate);
  const issue = issueText === '' ? null : parseDate(issueText, options.dateOrder);
  if (issue === null) fail('issueDate', '', 'date de facture vide');
  else if (!issue.ok) fail('issueDate', issueText, issue.reason);

  const dueText = cell(at.dueDate);
  const due = dueText === '' ? null : parseDate(dueText, options.dateOrder);
  if (due && !due.ok) fail('dueDate', dueText, due.reason);
  // A due date a year before the invoice, or ten years after, is a column or a century misread.
  if (due?.ok && issue?.ok) {
    if (daysBetween(due.date, issue.date) > MAX_DUE_BEFORE_ISSUE_DAYS)
      fail(
        'dueDate',
        dueText,
        `échéance ${formatDateFr(due.date)} plus d'un an avant la date de facture (${formatDateFr(issue.date)}) : colonnes inversées ou année mal écrite ?`,
      );
    else if (daysBetween(issue.date, due.date) > MAX_DUE_AFTER_ISSUE_DAYS)
      fail(
        'dueDate',
        dueText,
        `échéance ${formatDateFr(due.date)} plus de dix ans après la date de facture (${formatDateFr(issue.date)}) : année mal écrite ?`,
      );
  }

  let currency = options.defaultCurrency;
  const currencyText = cell(at.currency);
  if (currencyText !== '') {
    const code = currencyText === '€' ? 'EUR' : currencyText.toUpperCase();
    if (/^[A-Z]{3}$/.test(code)) currency = code;
    else fail('currency', currencyText, 'devise inconnue (attendu : un code comme EUR, USD, CHF)');
  } else if (amount.ok && amount.currency) currency = amount.currency;

  const emailText = cell(at.email);
  const emails =
    emailText === ''
      ? []
      : ONE_WORD.test(emailText)
        ? [emailText]
        : emailText.split(/[,;\s]+/).filter((e) => e !== '');
  for (const email of emails) {
    if (!EMAIL.test(email)) {
      const which = emails.length > 1 ? `« ${email} » : ` : '';
      fail('email', emailText, `${which}adresse e-mail invalide (attendu : nom@domaine.fr)`);
    }
  }

  const kindText = simplify(cell(at.clientKind));
  let clientKind: ClientKind | null = null;
  if (kindText !== '') {
    const kind = KINDS.get(kindText);
    if (kind === undefined)
      fail(
        'clientKind',
        cell(at.clientKind),
        'type de client inconnu (attendu : professionnel ou particulier)',
      );
    else clientKind = kind;
  }

  let paid = 0 as Cents;
  if (amount.ok) {
    const total = amount.cents;
    const paidText = cell(at.paid);
    const remainingText = cell(at.remaining);
    const paidValue = paidText === '' ? null : parseAmount(paidText, options.decimalMark);
    const remainingValue = remainingText === '' ? null : parseAmount(remainingText, options.decimalMark);
    if (paidValue && !paidValue.ok) fail('paid', paidText, `${paidValue.reason}${AMOUNT_HINT}`);
    if (remainingValue && !remainingValue.ok)
      fail('remaining', remainingText, `${remainingValue.reason}${AMOUNT_HINT}`);
    if (paidValue?.ok) {
      paid = paidValue.cents;
      if (remainingValue?.ok && paid + remainingValue.cents !== total) {
        fail(
          'remaining',
          remainingText,
          `réglé (${formatEuros(paid, currency)}) + reste dû (${formatEuros(remainingValue.cents, currency)}) ne font pas le montant de la facture (${formatEuros(total, currency)})`,
        );
      }
    } else if (remainingValue?.ok) {
      paid = (total - remainingValue.cents) as Cents;
    } else if (paidValue === null && remainingValue === null && PAID_STATUSES.has(status)) {
      paid = total;
    }
    const paidField: FieldKey = paidValue?.ok ? 'paid' : 'remaining';
    const paidShown = paidValue?.ok ? paidText : remainingText;
    if ((paidValue?.ok ?? true) && (remainingValue?.ok ?? true)) {
      if (total >= 0 && paid < 0) {
        fail(
          paidField,
          paidShown,
          paidValue?.ok ? 'montant réglé négatif' : 'le reste dû dépasse le montant de la facture',
        );
      } else if (total >= 0 && paid > total) {
        fail(
          paidField,
          paidShown,
          paidValue?.ok
            ? `le montant réglé dépasse le montant de la facture (${formatEuros(total, currency)})`
            : 'reste dû négatif',
        );
      } else if (total < 0 && (paid > 0 || paid < total)) {
        fail(
          paidField,
          paidShown,
          `pour un avoir de ${formatEuros(total, currency)}, le réglé doit être entre ${formatEuros(total, currency)} et 0`,
        );
      }
    }
  }

  const sirenText = cell(at.siren);
  const siren = sirenText === '' ? '' : sirenText.replace(/\s/g, '');
  if (siren !== '' && !/^\d{9}(\d{5})?$/.test(siren))
    fail('siren', sirenText, 'SIREN/SIRET invalide (9 ou 14 chiffres)');

  if (errors.length > 0 || !amount.ok || !issue?.ok || (due && !due.ok)) {
    return { kind: 'invalid', number: number === '' ? null : number, errors };
  }
  const addressLines = !hasAddress
    ? []
    : [
        linesAt(cells, at.address),
        [cell(at.postcode), cell(at.city)].filter((p) => p !== '').join(' '),
        cell(at.country),
      ].filter((l) => l !== '');
  return {
    kind: 'invoice',
    row: {
      number,
      clientCode,
      clientName: clientName || clientCode,
      emails: emails.length === 1 ? (emails[0] as string) : emails.join(', '),
      clientKind,
      address: addressLines.length > 0 ? addressLines.join('\n') : null,
      siren: siren === '' ? null : siren,
      phone: cell(at.phone) || null,
      issueDate: issue.date,
      dueDate: due?.ok ? due.date : addDays(issue.date, options.paymentTermDays),
      dueDateComputed: !due,
      amount: amount.cents,
      paid,
      currency,
      exportStatus: STATUS_WORDS.get(status) ?? null,
    },
  };
}

/**
 * Outstanding amount. The paid amount an export declares and the payments recorded in recouvre
 * may describe the same money, so the larger one counts (never chase on a double count). A
 * payment typed by hand after the last invoice import is newer than any export recouvre has read,
 * so it comes on top of the declared amount (otherwise recording it would change nothing).
 * `outstanding(10000, 4000, 6000)` → 4000; `outstanding(10000, 4000, 0, 1000)` → 5000.
 */
export function outstanding(
  amount: Cents,
  declaredPaid: Cents,
  recordedPayments: Cents,
  freshPayments: Cents | number = 0,
): Cents {
  if (amount >= 0) return (amount - Math.max(declaredPaid, recordedPayments) - freshPayments) as Cents;
  return (amount - Math.min(declaredPaid, recordedPayments) - freshPayments) as Cents;
}

/**
 * Why the figures a re-import gives an invoice already known look like a broken export (a
 * column shifted, a total typed in a row, a filter on the amount) rather than a correction: the
 * amount falls to zero, an invoice turns into a credit note or back, or the amount moves by more
 * than what has been paid on it. An issued invoice is corrected by a credit note, not rewritten;
 * null when the change is plausible.
 * `suspiciousAmountChange({ amount: 120000, paid: 0 }, { amount: 0, paid: 0 }, 'EUR')` →
 * `'le montant passerait de 1 200,00 € à 0,00 €'`.
 */
export function suspiciousAmountChange(
  before: { readonly amount: number; readonly paid: number },
  after: { readonly amount: number; readonly paid: number },
  currency: string,
): string | null {
  if (before.amount === after.amount || before.amount === 0) return null;
  const from = formatEuros(before.amount, currency);
  const to = formatEuros(after.amount, currency);
  if (after.amount === 0) return `le montant passerait de ${from} à ${to}`;
  if (Math.sign(after.amount) !== Math.sign(before.amount))
    return `${before.amount > 0 ? 'la facture deviendrait un avoir' : "l'avoir deviendrait une facture"} (${from} → ${to})`;
  const paid = Math.max(Math.abs(before.paid), Math.abs(after.paid));
  if (Math.abs(after.amount - before.amount) > paid)
    return `le montant passerait de ${from} à ${to}, un écart plus grand que ce qui est réglé (${formatEuros(paid, currency)})`;
  return null;
}
