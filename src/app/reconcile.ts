import {
  readStatementFile,
  type StatementFormat,
  type StatementOperation,
  statementFormat,
} from '../adapters/bank-formats.js';
import { inspectSource, readSample, type SourceFile, streamRows } from '../adapters/csv-source.js';
import {
  BankLineWriter,
  bankLine,
  markConfirmed,
  openInvoicesForMatching,
} from '../adapters/db/bank-store.js';
import { abortImport, beginImport, endImport, importHeader, recordImport } from '../adapters/db/imports.js';
import type { Store } from '../adapters/db/open.js';
import { recordJournal } from '../adapters/db/records.js';
import { inTransaction } from '../adapters/db/transaction.js';
import { type Catalogue, type FieldSpec, makeCatalogue } from '../domain/columns.js';
import { guessDateOrder, type Instant, type IsoDate, parseDate } from '../domain/dates.js';
import {
  type BankLine,
  indexInvoices,
  type Match,
  matchLines,
  normalizeRef,
  type OpenInvoice,
} from '../domain/matching.js';
import { type Cents, guessDecimalMark, parseAmount } from '../domain/money.js';
import { type Progress, SILENT } from '../domain/progress.js';
import { UserError } from '../errors.js';
import { findLayout, samplesOf } from './csv-layout.js';

/** The columns of a bank statement exported as CSV, as French banks name them. */
type StatementField = 'date' | 'label' | 'credit' | 'debit' | 'amount' | 'currency';

const STATEMENT_FIELDS: readonly FieldSpec<StatementField>[] = [
  {
    key: 'date',
    option: 'date',
    label: "date de l'opération",
    synonyms: [
      'Date',
      'Date opération',
      "Date de l'opération",
      'Date comptable',
      'Date de valeur',
      'Date valeur',
      'Booking Date',
    ],
  },
  {
    key: 'label',
    option: 'libelle',
    label: 'libellé',
    synonyms: [
      'Libellé',
      'Libellé opération',
      "Libellé de l'opération",
      'Libelle simplifie',
      'Détail',
      'Description',
      'Motif',
      'Label',
    ],
  },
  {
    key: 'credit',
    option: 'credit',
    label: 'crédit',
    synonyms: ['Crédit', 'Crédit (EUR)', 'Montant crédit', 'Credit', 'Entrées'],
  },
  {
    key: 'debit',
    option: 'debit',
    label: 'débit',
    synonyms: ['Débit', 'Débit (EUR)', 'Montant débit', 'Debit', 'Sorties'],
  },
  {
    key: 'amount',
    option: 'montant',
    label: 'montant',
    synonyms: ['Montant', 'Montant (EUR)', 'Montant opération', 'Amount'],
  },
  { key: 'currency', option: 'devise', label: 'devise', synonyms: ['Devise', 'Currency'] },
];

const STATEMENT_CATALOGUE: Catalogue<StatementField> = makeCatalogue(STATEMENT_FIELDS, (columns, need) => {
  const missing: FieldSpec<StatementField>[] = [];
  if (columns.date === undefined) missing.push(need('date'));
  if (columns.label === undefined) missing.push(need('label'));
  if (columns.amount === undefined && columns.credit === undefined) missing.push(need('credit'));
  return missing;
});

/** What a statement is, as the user would check it against the bank's own. */
export interface StatementSummary {
  readonly format: StatementFormat | 'CSV';
  readonly account: string | null;
  /** The first and last operation dates; null when it has none. */
  readonly from: IsoDate | null;
  readonly to: IsoDate | null;
  readonly operations: number;
}

interface StatementRead {
  readonly importId: number;
  readonly credits: BankLine[];
  readonly debits: number;
  readonly lineOf: Map<string, number>;
  readonly summary: StatementSummary;
}

/** The operations of a CSV statement, with the line of each. */
async function csvOperations(source: SourceFile): Promise<StatementOperation[]> {
  const sample = await readSample(source);
  let layout: ReturnType<typeof findLayout<StatementField>>;
  try {
    layout = findLayout(source, sample, {
      overrides: {},
      catalogue: STATEMENT_CATALOGUE,
      what: 'relevé bancaire',
    });
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new UserError(`${source.name} : relevé bancaire dans un format que recouvre ne reconnaît pas.`, [
      'Formats acceptés : OFX (.ofx), CAMT.053 (.xml), CFONB 120, ou CSV avec les colonnes Date, Libellé et Crédit (ou Montant).',
      error.message,
      ...error.details.slice(0, 1),
    ]);
  }
  const decimalMark = guessDecimalMark(
    samplesOf(layout.sampleRows, layout.columns, ['amount', 'credit', 'debit']),
  );
  const dateOrder = guessDateOrder(samplesOf(layout.sampleRows, layout.columns, ['date']));
  const cell = (cells: readonly string[], key: StatementField) => {
    const at = layout.columns[key];
    return at === undefined ? '' : (cells[at] ?? '').trim();
  };
  const errors: string[] = [];
  const operations: StatementOperation[] = [];
  let rowIndex = -1;
  await streamRows(source, layout.separator, ({ cells, line }) => {
    rowIndex++;
    if (rowIndex <= layout.headerIndex || cells.every((c) => c.trim() === '')) return;
    const date = parseDate(cell(cells, 'date'), dateOrder);
    if (!date.ok) {
      errors.push(
        `${source.name}:${line}, colonne « ${layout.headers[layout.columns.date!]} » : « ${cell(cells, 'date')} » : ${date.reason}`,
      );
      return;
    }
    const debit = cell(cells, 'debit');
    const raw =
      layout.columns.amount !== undefined
        ? cell(cells, 'amount')
        : cell(cells, 'credit') || (debit ? `-${debit.replace(/^-/, '')}` : '');
    if (raw === '') return;
    const parsed = parseAmount(raw, decimalMark);
    if (!parsed.ok) {
      errors.push(`${source.name}:${line} : « ${raw} » : ${parsed.reason} (attendu : 1 234,56)`);
      return;
    }
    operations.push({
      line,
      date: date.date,
      amount: parsed.cents,
      label: cell(cells, 'label'),
      currency: (cell(cells, 'currency') || parsed.currency || 'EUR').toUpperCase(),
    });
  });
  if (errors.length > 0) {
    throw new UserError(
      `${errors.length} ligne${errors.length > 1 ? 's' : ''} illisible${errors.length > 1 ? 's' : ''} dans ${source.name} : rien n'a été rapproché.`,
      errors.slice(0, 50),
    );
  }
  return operations;
}

async function readStatementRows(
  store: Store,
  file: string,
  clock: { readonly now: Date },
): Promise<StatementRead> {
  const source = await inspectSource(file);
  const format = statementFormat(file);
  const { account, operations } =
    format === null
      ? { account: null, operations: await csvOperations(source) }
      : readStatementFile(file, format);
  const dates = operations.map((o) => o.date).sort();
  const summary: StatementSummary = {
    format: format ?? 'CSV',
    account,
    from: dates[0] ?? null,
    to: dates[dates.length - 1] ?? null,
    operations: operations.length,
  };
  const credits: BankLine[] = [];
  const lineOf = new Map<string, number>();
  const occurrences = new Map<string, number>();
  let debits = 0;
  for (const operation of operations) {
    if (operation.amount <= 0) {
      debits++;
      continue;
    }
    // The same date, amount and label twice in a statement are two payments: the rank tells them apart.
    const base = `${operation.date}|${operation.amount}|${operation.currency}|${normalizeRef(operation.label)}`;
    const rank = (occurrences.get(base) ?? 0) + 1;
    occurrences.set(base, rank);
    const key = `${base}|${rank}`;
    credits.push({
      key,
      date: operation.date,
      amount: operation.amount,
      label: operation.label,
      currency: operation.currency,
    });
    lineOf.set(key, operation.line);
  }
  const importId = recordImport(store, 'releve', importHeader(source, clock.now, format ?? 'csv'));
  return { importId, credits, debits, lineOf, summary };
}

export interface ReconcileReport {
  readonly statement: StatementSummary;
  /** The import of this statement: its lines still waiting are told apart from earlier ones. */
  readonly importId: number;
  readonly matches: readonly (Match & { readonly id: number })[];
  readonly alreadySeen: number;
  readonly debits: number;
}

/**
 * Reads a statement and applies its sure matches as payments, in one transaction; doubtful and
 * unmatched credits are kept for the user. A line already read (same statement, or the next one
 * overlapping it) is skipped.
 */
export async function reconcile(
  store: Store,
  file: string,
  clock: Instant,
  progress: Progress = SILENT,
): Promise<ReconcileReport> {
  beginImport(store);
  try {
    progress.phase('Lecture du relevé');
    const read = await readStatementRows(store, file, clock);
    const writer = new BankLineWriter(store);
    const fresh = read.credits.filter((line) => !writer.isKnown(line.key));
    const matches = matchLines(fresh, indexInvoices(openInvoicesForMatching(store)));
    const results: (Match & { id: number })[] = [];
    progress.phase('Rapprochement (lignes)', matches.length);
    for (const match of matches) {
      if (results.length % 256 === 0) progress.update(results.length);
      const { line } = match;
      const status =
        match.kind === 'sure' ? 'rapprochee' : match.kind === 'doubt' ? 'a_confirmer' : 'non_rapprochee';
      const recordedAt = clock.now.toISOString();
      const id = writer.addLine(
        line,
        read.importId,
        read.lineOf.get(line.key) ?? 0,
        status,
        match.kind === 'doubt' ? match.reason : null,
        recordedAt,
      );
      if (match.kind === 'sure') writer.addPayments(id, read.importId, line, match.allocations, recordedAt);
      results.push({ ...match, id });
    }
    recordJournal(store, {
      recordedAt: clock.now.toISOString(),
      date: clock.today,
      kind: 'import',
      clientId: null,
      invoiceId: null,
      details: {
        type: 'releve',
        fichier: file,
        rapprochees: results.filter((m) => m.kind === 'sure').length,
        a_confirmer: results.filter((m) => m.kind === 'doubt').length,
        sans_correspondance: results.filter((m) => m.kind === 'none').length,
        deja_lues: read.credits.length - fresh.length,
      },
    });
    endImport(store, true);
    return {
      statement: read.summary,
      importId: read.importId,
      matches: results,
      alreadySeen: read.credits.length - fresh.length,
      debits: read.debits,
    };
  } catch (error) {
    abortImport(store);
    throw error;
  } finally {
    progress.stop();
  }
}

/**
 * The user confirms which invoices a waiting line pays: its amount goes to them, oldest first; what
 * is left over is an overpayment on the last one (a credit for the client).
 */
export function confirmLine(
  store: Store,
  lineId: number,
  numbers: readonly string[],
  clock: Instant,
): { allocations: { number: string; amount: Cents }[]; amount: Cents; currency: string } {
  return inTransaction(store, () => {
    const line = bankLine(store, lineId);
    if (!line)
      throw new UserError(`Ligne de relevé n° ${lineId} inconnue.`, [
        'Les lignes en attente : recouvre rapprocher',
      ]);
    if (line.status === 'rapprochee')
      throw new UserError(`La ligne n° ${lineId} est déjà rapprochée : rien n'a été modifié.`);
    const open = new Map(openInvoicesForMatching(store).map((i) => [i.number, i]));
    const invoices = numbers.map((number) => {
      const invoice = open.get(number);
      if (!invoice)
        throw new UserError(`Facture « ${number} » inconnue ou déjà soldée : rien n'a été modifié.`);
      if (invoice.currency !== line.currency) {
        throw new UserError(
          `La facture ${number} est en ${invoice.currency}, la ligne en ${line.currency} : rien n'a été modifié.`,
        );
      }
      return invoice;
    });
    invoices.sort((a, b) => (a.dueDate < b.dueDate ? -1 : a.dueDate > b.dueDate ? 1 : 0));
    const allocations: { invoice: OpenInvoice; amount: Cents }[] = [];
    let left = line.amount_cents;
    invoices.forEach((invoice, k) => {
      const part = k === invoices.length - 1 ? left : Math.min(left, invoice.outstanding);
      if (part > 0) allocations.push({ invoice, amount: part as Cents });
      left -= part;
    });
    new BankLineWriter(store).addPayments(
      line.id,
      line.import_id,
      { date: line.date as IsoDate, label: line.label },
      allocations,
      clock.now.toISOString(),
    );
    markConfirmed(store, line.id);
    recordJournal(store, {
      recordedAt: clock.now.toISOString(),
      date: clock.today,
      kind: 'rapprochement',
      clientId: invoices[0]?.clientId ?? null,
      invoiceId: null,
      details: {
        ligne: line.id,
        libelle: line.label,
        factures: allocations.map((a) => ({ numero: a.invoice.number, montant_centimes: a.amount })),
      },
    });
    return {
      allocations: allocations.map((a) => ({ number: a.invoice.number, amount: a.amount })),
      amount: line.amount_cents as Cents,
      currency: line.currency,
    };
  });
}
