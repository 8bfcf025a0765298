import { addDays, daysInMonth, type IsoDate, makeDate, monthOf, yearOf } from './dates.js';
import type { InvoiceRow } from './invoice-row.js';
import type { Cents } from './money.js';
import { plainText } from './text.js';

/**
 * An electronic invoice (EN 16931: CII, UBL, Factur-X) as recouvre needs it to chase it: who owes
 * what, by when, and who issued it. The readers of the syntaxes fill it; nothing here knows XML.
 */

export type EInvoiceSyntax = 'Factur-X' | 'CII' | 'UBL' | 'ZUGFeRD 1';

export interface EParty {
  readonly name: string;
  /** SIREN (9 digits), read from the legal registration, a SIRET or a French VAT number. */
  readonly siren: string | null;
  readonly vat: string | null;
  /** The buyer's code at the seller (CII `ram:ID`, UBL `cac:PartyIdentification`). */
  readonly id: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly contact: string | null;
  /** Street lines, then postcode and city, then the country code (ISO 3166). */
  readonly street: readonly string[];
  readonly postcode: string;
  readonly city: string;
  readonly country: string;
}

export interface EInvoice {
  readonly syntax: EInvoiceSyntax;
  readonly number: string;
  /** UNTDID 1001: 380 invoice, 381 credit note, 384 corrective, 386 prepayment… */
  readonly typeCode: string;
  /** A UBL `<CreditNote>` document: a credit whatever its type code and sign. */
  readonly creditNoteDocument: boolean;
  readonly issueDate: IsoDate;
  readonly dueDate: IsoDate | null;
  /** The payment terms text (CII `SpecifiedTradePaymentTerms/Description`, UBL `PaymentTerms/Note`). */
  readonly terms: string;
  readonly currency: string;
  readonly grandTotal: Cents;
  readonly prepaid: Cents;
  /** What is left to pay (BT-115), when given. */
  readonly duePayable: Cents | null;
  /** The invoice a credit note or a corrective invoice refers to. */
  readonly referencedInvoice: string | null;
  readonly seller: EParty;
  readonly buyer: EParty;
}

/** UNTDID 1001 codes of credit notes (EN 16931's list). */
const CREDIT_CODES = new Set(['81', '83', '261', '262', '296', '308', '381', '396', '420', '458', '532']);

export const TYPE_LABELS: Readonly<Record<string, string>> = {
  '380': 'facture',
  '381': 'avoir',
  '384': 'facture rectificative',
  '386': "facture d'acompte",
  '389': 'autofacture',
};

export function typeLabel(code: string): string {
  return TYPE_LABELS[code] ?? (CREDIT_CODES.has(code) ? 'avoir' : `document de type ${code}`);
}

export function isCreditNote(invoice: EInvoice): boolean {
  return invoice.creditNoteDocument || CREDIT_CODES.has(invoice.typeCode) || invoice.grandTotal < 0;
}

/** The SIREN in a SIRET (14 digits) or a French VAT number (FR + 2-character key + SIREN). */
export function sirenFrom(identifier: string | null | undefined): string | null {
  const text = (identifier ?? '').replace(/[\s.-]/g, '').toUpperCase();
  if (/^\d{9}$/.test(text)) return text;
  if (/^\d{14}$/.test(text)) return text.slice(0, 9);
  const vat = /^FR[0-9A-Z]{2}(\d{9})$/.exec(text);
  return vat ? (vat[1] as string) : null;
}

/** The company the import belongs to, from `[creancier]`. */
export interface CompanyIdentity {
  readonly name: string;
  readonly siren: string | null;
  readonly vat: string | null;
}

const normalVat = (vat: string | null | undefined) => (vat ?? '').replace(/[\s.-]/g, '').toUpperCase();

/**
 * Whether the company issued this invoice: the seller's SIREN, or else its VAT number, must be the
 * company's. A name is not enough (two companies may share it), so a seller identified by its name
 * only is not this company's.
 */
export function issuedBy(seller: EParty, company: CompanyIdentity): boolean {
  const siren = seller.siren ?? sirenFrom(seller.vat);
  const own = company.siren ?? sirenFrom(company.vat);
  if (siren !== null && own !== null) return siren === own;
  const vat = normalVat(seller.vat);
  return vat !== '' && vat === normalVat(company.vat);
}

export type DueDateRule =
  | { readonly kind: 'document' }
  /** Worked out from the payment terms text: `days` after the issue date, at the month's end or not. */
  | { readonly kind: 'terms'; readonly text: string; readonly days: number; readonly endOfMonth: boolean }
  /** Neither date nor a delay in the terms: the delay of L441-10 I (or the configured one). */
  | { readonly kind: 'default'; readonly days: number };

const ON_RECEIPT =
  /(?:à|a|dès|des)\s+(?:la\s+)?r[ée]ception|comptant|upon\s+receipt|on\s+receipt|sofort|immediately|imm[ée]diat/i;
const DELAY =
  /(\d{1,3})\s*(?:jours?|j\b|days?|tagen?|dagen|dage|dias|giorni)(\s*(?:nets?|netto|net))?(\s*(?:fin\s+de\s+mois|fdm|end\s+of\s+(?:the\s+)?month))?/gi;

/**
 * The delay a payment terms text states, or null: « PAIEMENT 30 JOURS NET », « Payment within 30
 * days », « 45 jours fin de mois », « à réception ». When it names several delays (a discount for
 * early payment, then the net term), the net one wins, else the longest: chasing early is the fault
 * to avoid.
 */
export function delayFromTerms(terms: string): { days: number; endOfMonth: boolean } | null {
  const found: { days: number; net: boolean; endOfMonth: boolean }[] = [];
  for (const m of terms.matchAll(DELAY)) {
    found.push({ days: Number(m[1]), net: m[2] !== undefined, endOfMonth: m[3] !== undefined });
  }
  if (found.length > 0) {
    const net = found.filter((f) => f.net);
    const pick = (net.length > 0 ? net : found).reduce((a, b) => (b.days > a.days ? b : a));
    return { days: pick.days, endOfMonth: pick.endOfMonth };
  }
  return ON_RECEIPT.test(terms) ? { days: 0, endOfMonth: false } : null;
}

function endOfMonth(date: IsoDate): IsoDate {
  const year = yearOf(date);
  const month = monthOf(date);
  return makeDate(year, month, daysInMonth(year, month)) as IsoDate;
}

/**
 * The due date of an e-invoice: the one it states; else the delay its payment terms state (« fin de
 * mois » read as issue date + delay, then the end of that month, the DGCCRF's first method); else
 * `defaultDays` after the issue date (L441-10 I: 30 days when nothing was agreed).
 */
export function dueDateOf(invoice: EInvoice, defaultDays: number): { date: IsoDate; rule: DueDateRule } {
  if (invoice.dueDate !== null) return { date: invoice.dueDate, rule: { kind: 'document' } };
  const delay = delayFromTerms(invoice.terms);
  if (delay !== null) {
    const plain = addDays(invoice.issueDate, delay.days);
    return {
      date: delay.endOfMonth ? endOfMonth(plain) : plain,
      rule: { kind: 'terms', text: invoice.terms, ...delay },
    };
  }
  return { date: addDays(invoice.issueDate, defaultDays), rule: { kind: 'default', days: defaultDays } };
}

const REGIONS = new Intl.DisplayNames(['fr'], { type: 'region' });

function countryName(code: string): string {
  if (code === '' || code.toUpperCase() === 'FR') return '';
  try {
    return (REGIONS.of(code.toUpperCase()) ?? code).toUpperCase();
  } catch {
    return code;
  }
}

/** The buyer's code in the base: its SIREN, else its VAT number, else its code at the seller, else its name. */
export function buyerCode(buyer: EParty): string {
  return buyer.siren ?? (normalVat(buyer.vat) || buyer.id || buyer.name.toUpperCase());
}

/**
 * The invoice row an e-invoice amounts to. A credit note's amounts are negative whatever the sign
 * the document writes them with; what is paid is the total less the amount due (BT-115), so that the
 * prepaid part and any rounding are never chased.
 */
export function toInvoiceRow(
  invoice: EInvoice,
  options: { readonly defaultDays: number; readonly clientCode?: string },
): { row: InvoiceRow; rule: DueDateRule; creditNote: boolean } {
  const credit = isCreditNote(invoice);
  const sign = credit ? -1 : 1;
  const total = Math.abs(invoice.grandTotal) * sign || 0;
  const due =
    invoice.duePayable !== null
      ? Math.abs(invoice.duePayable)
      : Math.abs(invoice.grandTotal) - Math.abs(invoice.prepaid);
  // `|| 0`: no negative zero for a credit note with nothing paid.
  const paid = (Math.abs(invoice.grandTotal) - due) * sign || 0;
  const { date, rule } = dueDateOf(invoice, options.defaultDays);
  const buyer = invoice.buyer;
  const addressLines = [
    ...buyer.street,
    [buyer.postcode, buyer.city].filter((p) => p !== '').join(' '),
    countryName(buyer.country),
  ]
    .map((l) => plainText(l))
    .filter((l) => l !== '');
  const identified = buyer.siren !== null || normalVat(buyer.vat) !== '';
  return {
    row: {
      number: invoice.number,
      clientCode: options.clientCode ?? buyerCode(buyer),
      clientName: plainText(buyer.name) || buyerCode(buyer),
      emails: buyer.email ?? '',
      clientKind: identified ? 'professionnel' : null,
      address: addressLines.length > 0 ? addressLines.join('\n') : null,
      siren: buyer.siren,
      phone: buyer.phone,
      issueDate: invoice.issueDate,
      dueDate: date,
      dueDateComputed: rule.kind !== 'document',
      amount: total as Cents,
      paid: paid as Cents,
      currency: invoice.currency,
    },
    rule,
    creditNote: credit,
  };
}
