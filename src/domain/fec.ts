import { addDays, type IsoDate, makeDate } from './dates.js';
import type { InvoiceRow } from './invoice-row.js';
import { type Cents, parseAmount } from './money.js';
import { plainText } from './text.js';

/**
 * The FEC (Fichier des écritures comptables, art. A47 A-1 LPF): every accounting entry of a year.
 * recouvre reads the lines on client accounts (411…, 416…) only: a debit in a sales or opening
 * journal is an invoice, a credit in a sales journal a credit note, any other credit a payment;
 * lettering (EcritureLet, per account) tells which payments settle which invoices.
 */

export const FEC_COLUMNS = [
  'JournalCode',
  'JournalLib',
  'EcritureNum',
  'EcritureDate',
  'CompteNum',
  'CompteLib',
  'CompAuxNum',
  'CompAuxLib',
  'PieceRef',
  'PieceDate',
  'EcritureLib',
  'EcritureLet',
  'DateLet',
] as const;

export type FecColumn = (typeof FEC_COLUMNS)[number] | 'Debit' | 'Credit' | 'Montant' | 'Sens';

/** Whether a header row is a FEC's: the mandatory titles, with Debit/Credit or Montant/Sens. */
export function isFecHeader(cells: readonly string[]): boolean {
  const names = new Set(cells.map((c) => c.trim().toLowerCase()));
  const has = (n: string) => names.has(n.toLowerCase());
  return (
    ['JournalCode', 'EcritureNum', 'CompteNum', 'PieceRef'].every(has) &&
    ((has('Debit') && has('Credit')) || (has('Montant') && has('Sens')))
  );
}

export interface FecEntry {
  readonly line: number;
  readonly journal: string;
  readonly journalLabel: string;
  readonly entryNumber: string;
  readonly entryDate: IsoDate;
  readonly account: string;
  readonly client: string;
  readonly clientName: string;
  readonly pieceRef: string;
  readonly pieceDate: IsoDate;
  /** Positive for a debit, negative for a credit. */
  readonly amount: Cents;
  readonly letter: string;
}

/** `yyyyMMdd` → ISO date. */
function fecDate(text: string): IsoDate | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(text.trim());
  return m ? makeDate(Number(m[1]), Number(m[2]), Number(m[3])) : null;
}

/** Client accounts: 411 (clients), 416 (doubtful clients). */
export function isClientAccount(account: string): boolean {
  return /^41[16]/.test(account.trim());
}

/**
 * One FEC line on a client account, or the reason it cannot be read. `cells` by column name.
 * Amounts are zero-padded and space-padded in real files (`0000000074,70`), and signed or not.
 */
export function readFecLine(rawCell: (name: FecColumn) => string, line: number): FecEntry | string {
  const cell = (name: FecColumn) => plainText(rawCell(name));
  const entryDate = fecDate(cell('EcritureDate'));
  if (!entryDate) return `EcritureDate « ${cell('EcritureDate')} » : date AAAAMMJJ attendue`;
  const pieceDate = fecDate(cell('PieceDate')) ?? entryDate;
  let amount: number;
  const sens = cell('Sens').trim().toUpperCase();
  if (sens !== '') {
    const parsed = parseAmount(cell('Montant'), ',');
    if (!parsed.ok) return `Montant « ${cell('Montant')} » : ${parsed.reason}`;
    const credit = sens === 'C' || sens === '-1';
    if (!credit && sens !== 'D' && sens !== '+1') return `Sens « ${cell('Sens')} » : D, C, +1 ou -1 attendu`;
    amount = credit ? -parsed.cents : parsed.cents;
  } else {
    const debit = parseAmount(cell('Debit') || '0', ',');
    const credit = parseAmount(cell('Credit') || '0', ',');
    if (!debit.ok) return `Debit « ${cell('Debit')} » : ${debit.reason}`;
    if (!credit.ok) return `Credit « ${cell('Credit')} » : ${credit.reason}`;
    amount = debit.cents - credit.cents;
  }
  const account = cell('CompteNum').trim();
  const aux = cell('CompAuxNum').trim();
  return {
    line,
    journal: cell('JournalCode').trim(),
    journalLabel: cell('JournalLib').trim(),
    entryNumber: cell('EcritureNum').trim(),
    entryDate,
    account,
    client: aux !== '' ? aux : account,
    clientName: (cell('CompAuxLib').trim() || cell('CompteLib').trim() || aux || account).replace(
      /\s+/g,
      ' ',
    ),
    pieceRef: cell('PieceRef').trim().replace(/\s+/g, ' '),
    pieceDate,
    amount: amount as Cents,
    letter: cell('EcritureLet').trim(),
  };
}

/** Opening balances: « AN », « RAN », « OUV », or a journal named « à nouveaux ». */
function isOpening(entry: FecEntry): boolean {
  return /^(R?AN|OUV)$/i.test(entry.journal) || /nouveau|ouverture|initial/i.test(entry.journalLabel);
}

function isSales(entry: FecEntry): boolean {
  return /^V/i.test(entry.journal) || /vente|revenue|sales/i.test(entry.journalLabel);
}

export interface FecConversion {
  readonly rows: readonly InvoiceRow[];
  /** The first line of each invoice, for messages. */
  readonly lineOf: ReadonlyMap<string, number>;
  /** A PieceRef shared by several entries: those invoices are known by their entry number instead. */
  readonly sharedPieceRefs: number;
  readonly payments: number;
  /** Payments with no lettering, applied to the client's oldest open invoices. */
  readonly unletteredPayments: number;
}

interface Draft {
  number: string;
  entry: FecEntry;
  amount: number;
  paid: number;
  /** Day of the last payment or credit note set against it. */
  paidOn: IsoDate | null;
}

/**
 * The invoices a FEC describes, with what is paid on each.
 * `fecToInvoices(entries, { paymentTermDays: 30, currency: 'EUR' }).rows[0].number` → `'FA00003'`.
 */
export function fecToInvoices(
  entries: readonly FecEntry[],
  options: { readonly paymentTermDays: number; readonly currency: string },
): FecConversion {
  // Invoices are debits in a sales or an opening journal; a debit elsewhere (a bank refund, a
  // reclassification) is not a new claim.
  const invoiceLines = entries.filter((e) => e.amount > 0 && (isSales(e) || isOpening(e)));
  // A PieceRef is an invoice number unless several entries of client accounts share it.
  const entriesByRef = new Map<string, Set<string>>();
  for (const e of entries) {
    if (e.pieceRef === '' || e.pieceRef === '-') continue;
    const set = entriesByRef.get(e.pieceRef) ?? new Set<string>();
    set.add(`${e.journal}|${e.entryNumber}`);
    entriesByRef.set(e.pieceRef, set);
  }
  const byEntryNumber = new Set<string>();
  const numberOf = (e: FecEntry) => {
    const usable = e.pieceRef !== '' && e.pieceRef !== '-' && (entriesByRef.get(e.pieceRef)?.size ?? 0) <= 1;
    if (usable) return e.pieceRef;
    const number = `${e.journal}-${e.entryNumber}`;
    byEntryNumber.add(number);
    return number;
  };

  const invoices = new Map<string, Draft>();
  const creditNotes: Draft[] = [];
  for (const e of invoiceLines) {
    const number = numberOf(e);
    const existing = invoices.get(number);
    if (existing) existing.amount += e.amount;
    else invoices.set(number, { number, entry: e, amount: e.amount, paid: 0, paidOn: null });
  }
  for (const e of entries) {
    if (e.amount < 0 && isSales(e)) {
      const number = numberOf(e);
      creditNotes.push({ number, entry: e, amount: e.amount, paid: 0, paidOn: null });
    }
  }
  const payments = entries.filter((e) => e.amount < 0 && !isSales(e));

  // Lettering: per client account and letter (the same letters are reused across clients).
  const byLetter = new Map<string, { debits: Draft[]; credit: number; last: IsoDate | null }>();
  const groupOf = (client: string, letter: string) => {
    const key = `${client}\u0000${letter}`;
    let group = byLetter.get(key);
    if (!group) {
      group = { debits: [], credit: 0, last: null };
      byLetter.set(key, group);
    }
    return group;
  };
  const later = (a: IsoDate | null, b: IsoDate) => (a === null || b > a ? b : a);
  for (const draft of invoices.values())
    if (draft.entry.letter) groupOf(draft.entry.client, draft.entry.letter).debits.push(draft);
  for (const p of payments) {
    if (!p.letter) continue;
    const group = groupOf(p.client, p.letter);
    group.credit += -p.amount;
    group.last = later(group.last, p.entryDate);
  }
  for (const note of creditNotes) {
    if (!note.entry.letter) continue;
    // A lettered credit note is used up against the invoices of its group.
    const group = groupOf(note.entry.client, note.entry.letter);
    group.credit += -note.amount;
    group.last = later(group.last, note.entry.entryDate);
    note.paid = note.amount;
    note.paidOn = note.entry.entryDate;
  }
  const oldestFirst = (a: Draft, b: Draft) =>
    a.entry.pieceDate < b.entry.pieceDate ? -1 : a.entry.pieceDate > b.entry.pieceDate ? 1 : 0;
  const spread = (amount: number, drafts: Draft[], date: IsoDate | null) => {
    let left = amount;
    for (const d of drafts.sort(oldestFirst)) {
      if (left <= 0) break;
      const part = Math.min(left, d.amount - d.paid);
      if (part <= 0) continue;
      d.paid += part;
      if (date !== null) d.paidOn = later(d.paidOn, date);
      left -= part;
    }
    return left;
  };
  for (const group of byLetter.values()) spread(group.credit, group.debits, group.last);

  // Unlettered payments go to the client's oldest invoices still open (art. 1342-10 C. civ.).
  const openByClient = new Map<string, Draft[]>();
  for (const d of invoices.values()) {
    const list = openByClient.get(d.entry.client) ?? [];
    list.push(d);
    openByClient.set(d.entry.client, list);
  }
  let unlettered = 0;
  for (const p of payments) {
    if (p.letter) continue;
    unlettered++;
    spread(
      -p.amount,
      (openByClient.get(p.client) ?? []).filter((d) => d.paid < d.amount),
      p.entryDate,
    );
  }

  const lineOf = new Map<string, number>();
  const toRow = (d: Draft): InvoiceRow => {
    lineOf.set(d.number, d.entry.line);
    return {
      number: d.number,
      clientCode: d.entry.client,
      clientName: d.entry.clientName,
      emails: '',
      clientKind: null,
      address: null,
      siren: null,
      phone: null,
      issueDate: d.entry.pieceDate,
      dueDate: addDays(d.entry.pieceDate, options.paymentTermDays),
      dueDateComputed: true,
      amount: d.amount as Cents,
      // Never beyond the amount: for a credit note (negative), « beyond » is below it.
      paid: (d.amount >= 0 ? Math.min(d.paid, d.amount) : Math.max(d.paid, d.amount)) as Cents,
      paidOn: d.paid !== 0 ? d.paidOn : null,
      currency: options.currency,
    };
  };
  return {
    rows: [...[...invoices.values()].map(toRow), ...creditNotes.map(toRow)],
    lineOf,
    sharedPieceRefs: byEntryNumber.size,
    payments: payments.length,
    unletteredPayments: unlettered,
  };
}
