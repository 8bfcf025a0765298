import type { IsoDate } from './dates.js';
import type { Cents } from './money.js';

/**
 * Bank reconciliation (lettrage): which open invoices a credit on the bank statement pays. Only a
 * sure match is applied; anything else is shown to the user, who confirms it. A wrong match would
 * mark an unpaid invoice paid, and a missed one would chase a paid invoice: when in doubt, ask.
 */

export interface BankLine {
  /** Stable identity of the line: the same statement read twice gives the same keys. */
  readonly key: string;
  readonly date: IsoDate;
  /** Positive for a credit (money received). */
  readonly amount: Cents;
  readonly label: string;
  readonly currency: string;
}

export interface OpenInvoice {
  readonly id: number;
  readonly number: string;
  readonly clientId: number;
  readonly clientName: string;
  readonly dueDate: IsoDate;
  readonly outstanding: Cents;
  readonly currency: string;
}

export type MatchRule = 'numero' | 'montant_client' | 'somme_client';

export type Match =
  | {
      readonly kind: 'sure';
      readonly line: BankLine;
      readonly rule: MatchRule;
      readonly allocations: readonly { readonly invoice: OpenInvoice; readonly amount: Cents }[];
    }
  | {
      readonly kind: 'doubt';
      readonly line: BankLine;
      readonly reason: string;
      readonly candidates: readonly OpenInvoice[];
    }
  | { readonly kind: 'none'; readonly line: BankLine };

/** Accents off and ligatures spelt out, as banks write names: Œnothèque → OENOTHEQUE. */
function plainUpper(text: string): string {
  return text
    .replace(/[Œœ]/g, 'OE')
    .replace(/[Ææ]/g, 'AE')
    .replace(/ß/g, 'SS')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase();
}

/** Uppercase letters and digits only: `normalizeRef('F 2026-0101')` → `'F20260101'`. */
export function normalizeRef(text: string): string {
  return plainUpper(text).replace(/[^A-Z0-9]/g, '');
}

/** Words that say nothing about who a company is. */
const LEGAL_FORMS = new Set([
  'SARL',
  'SAS',
  'SASU',
  'SA',
  'EURL',
  'SCI',
  'SNC',
  'SELARL',
  'ET',
  'DE',
  'DU',
  'DES',
  'LA',
  'LE',
  'LES',
  'CIE',
  'GMBH',
  'LTD',
  'INC',
]);

function nameWords(name: string): string[] {
  return plainUpper(name)
    .split(/[^A-Z0-9]+/)
    .filter((w) => w.length >= 2 && !LEGAL_FORMS.has(w));
}

/** Runs of a label that may be an invoice number: a letter prefix, then digits with separators. */
const REFERENCE = /[A-Z]{0,5}[\s\-/.]?\d[\d\s\-/.]*\d|[A-Z]{0,5}\d/gi;

export interface InvoiceIndex {
  readonly byRef: ReadonlyMap<string, readonly OpenInvoice[]>;
  readonly byDigits: ReadonlyMap<string, readonly OpenInvoice[]>;
  readonly byClient: ReadonlyMap<number, readonly OpenInvoice[]>;
  /** The rarest significant word of a client's name → clients (id and all their significant words). */
  readonly clientsByWord: ReadonlyMap<
    string,
    readonly { readonly id: number; readonly words: readonly string[] }[]
  >;
}

export function indexInvoices(invoices: readonly OpenInvoice[]): InvoiceIndex {
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  const byRef = new Map<string, OpenInvoice[]>();
  const byDigits = new Map<string, OpenInvoice[]>();
  const byClient = new Map<number, OpenInvoice[]>();
  const clientsByWord = new Map<string, { id: number; words: string[] }[]>();
  const clientWords = new Map<number, string[]>();
  for (const invoice of invoices) {
    push(byRef, normalizeRef(invoice.number), invoice);
    const digits = invoice.number.replace(/\D/g, '');
    // Short digit runs (« 12 ») appear in every label: too weak to identify an invoice alone.
    if (digits.length >= 4) push(byDigits, digits, invoice);
    push(byClient, invoice.clientId, invoice);
    if (!clientWords.has(invoice.clientId)) clientWords.set(invoice.clientId, nameWords(invoice.clientName));
  }
  // Each client is found through its rarest word, so that a label is checked against few names.
  const frequency = new Map<string, number>();
  for (const words of clientWords.values())
    for (const w of new Set(words)) frequency.set(w, (frequency.get(w) ?? 0) + 1);
  for (const [id, words] of clientWords) {
    if (words.length === 0) continue;
    const rarest = words.reduce((a, b) => ((frequency.get(b) ?? 0) < (frequency.get(a) ?? 0) ? b : a));
    push(clientsByWord, rarest, { id, words });
  }
  for (const list of byClient.values())
    list.sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0));
  return { byRef, byDigits, byClient, clientsByWord };
}

/** Invoices whose number the label quotes, spaces, dashes and a prefix aside. */
function quotedInvoices(label: string, index: InvoiceIndex, currency: string): OpenInvoice[] {
  const found = new Map<number, OpenInvoice>();
  for (const run of label.match(REFERENCE) ?? []) {
    const ref = normalizeRef(run);
    let hits = index.byRef.get(ref);
    if (!hits) {
      const digits = ref.replace(/\D/g, '');
      const byDigits = digits.length >= 4 ? index.byDigits.get(digits) : undefined;
      // A bare number identifies an invoice only when a single invoice has those digits.
      if (byDigits && byDigits.length === 1) hits = byDigits;
    }
    for (const invoice of hits ?? []) if (invoice.currency === currency) found.set(invoice.id, invoice);
  }
  return [...found.values()];
}

/**
 * Clients whose every significant name word is in the label. When one such name contains another
 * (« Martin » and « Martin Dupont » in « VIR MARTIN DUPONT »), the more specific one is meant.
 */
function namedClients(label: string, index: InvoiceIndex): number[] {
  const words = new Set(nameWords(label));
  const found = new Map<number, readonly string[]>();
  for (const word of words) {
    for (const client of index.clientsByWord.get(word) ?? []) {
      if (client.words.every((w) => words.has(w))) found.set(client.id, client.words);
    }
  }
  const named = [...found];
  return named
    .filter(
      ([, mine]) =>
        !named.some(([, other]) => other.length > mine.length && mine.every((w) => other.includes(w))),
    )
    .map(([id]) => id);
}

/** Allocates an amount to invoices, oldest due first, never beyond what each still owes. */
function allocate(amount: number, invoices: readonly OpenInvoice[], owed: (i: OpenInvoice) => number) {
  const allocations: { invoice: OpenInvoice; amount: Cents }[] = [];
  let left = amount;
  for (const invoice of invoices) {
    if (left <= 0) break;
    const part = Math.min(left, owed(invoice));
    allocations.push({ invoice, amount: part as Cents });
    left -= part;
  }
  return { allocations, left };
}

/** Subsets of at most `max` invoices whose amounts add up to `target` (stops at two: enough to doubt). */
function subsetsSumming(
  invoices: readonly OpenInvoice[],
  target: number,
  owed: (i: OpenInvoice) => number,
  max = 4,
): OpenInvoice[][] {
  const found: OpenInvoice[][] = [];
  const pick = (start: number, left: number, chosen: OpenInvoice[]) => {
    if (found.length >= 2) return;
    if (left === 0 && chosen.length >= 2) {
      found.push([...chosen]);
      return;
    }
    if (chosen.length === max) return;
    for (let k = start; k < invoices.length; k++) {
      const invoice = invoices[k]!;
      if (owed(invoice) <= left) pick(k + 1, left - owed(invoice), [...chosen, invoice]);
    }
  };
  if (invoices.length <= 25) pick(0, target, []);
  return found;
}

/**
 * The match of each credit line, in the order of the rules: an invoice number quoted in the label;
 * else the exact amount of one open invoice of a client named in the label; else the exact sum of
 * several open invoices of that client. `matchLines([line], indexInvoices(invoices))[0].kind` → `'sure'`.
 */
export function matchLines(lines: readonly BankLine[], index: InvoiceIndex): Match[] {
  // Lines are read in order: what an earlier line paid is no longer owed to a later one.
  const paid = new Map<number, number>();
  const owed = (invoice: OpenInvoice) => invoice.outstanding - (paid.get(invoice.id) ?? 0);
  return lines.map((line): Match => {
    const match = matchOne(line);
    if (match.kind === 'sure')
      for (const a of match.allocations) paid.set(a.invoice.id, (paid.get(a.invoice.id) ?? 0) + a.amount);
    return match;
  });

  function matchOne(line: BankLine): Match {
    const quoted = quotedInvoices(line.label, index, line.currency).filter((i) => owed(i) > 0);
    if (quoted.length > 0) {
      quoted.sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0));
      const { allocations, left } = allocate(line.amount, quoted, owed);
      if (left > 0) {
        return {
          kind: 'doubt',
          line,
          reason: 'montant supérieur au reste dû des factures citées',
          candidates: quoted,
        };
      }
      return { kind: 'sure', line, rule: 'numero', allocations };
    }
    const clients = namedClients(line.label, index);
    if (clients.length > 1) {
      const candidates = clients
        .flatMap((id) => index.byClient.get(id) ?? [])
        .filter((i) => i.currency === line.currency);
      return { kind: 'doubt', line, reason: 'plusieurs clients correspondent au libellé', candidates };
    }
    if (clients.length === 0) return { kind: 'none', line };
    const open = (index.byClient.get(clients[0]!) ?? []).filter(
      (i) => i.currency === line.currency && owed(i) > 0,
    );
    const exact = open.filter((i) => owed(i) === line.amount);
    if (exact.length === 1)
      return {
        kind: 'sure',
        line,
        rule: 'montant_client',
        allocations: [{ invoice: exact[0]!, amount: line.amount }],
      };
    if (exact.length > 1)
      return {
        kind: 'doubt',
        line,
        reason: 'plusieurs factures du client ont ce montant',
        candidates: exact,
      };
    const sums = subsetsSumming(open, line.amount, owed);
    if (sums.length === 1) {
      return {
        kind: 'sure',
        line,
        rule: 'somme_client',
        allocations: sums[0]!.map((invoice) => ({ invoice, amount: owed(invoice) as Cents })),
      };
    }
    return {
      kind: 'doubt',
      line,
      reason:
        sums.length > 1
          ? 'plusieurs combinaisons de factures donnent ce montant'
          : 'aucune facture ni somme de factures du client à ce montant',
      candidates: open,
    };
  }
}
