import { type Encoding, inspectSource, readSample, streamRows } from '../adapters/csv-source.js';
import { abortImport, beginImport, endImport, importHeader } from '../adapters/db/imports.js';
import type { Store } from '../adapters/db/open.js';
import { PaymentImportStore } from '../adapters/db/payment-import-store.js';
import { INVOICE_CATALOGUE, normalizeHeader } from '../domain/columns.js';
import { dateOrderLabel, guessDateOrder, type Instant } from '../domain/dates.js';
import { formatEuros, guessDecimalMark } from '../domain/money.js';
import { PAYMENT_CATALOGUE, type PaymentFieldKey, readPaymentRow } from '../domain/payment-row.js';
import { UserError } from '../errors.js';
import {
  fileImportDetails,
  findLayout,
  Issues,
  type ReadOptions,
  rejectsFileFor,
  samplesOf,
} from './csv-layout.js';

export interface PaymentImportRequest extends ReadOptions<PaymentFieldKey> {
  readonly file: string;
  readonly dryRun: boolean;
  readonly ignoreErrors: boolean;
}

export interface PaymentImportIssue {
  readonly line: number;
  readonly column: string | null;
  readonly value: string;
  readonly message: string;
}

export interface PaymentImportReport {
  readonly file: string;
  readonly sha256: string;
  readonly encoding: Encoding;
  readonly separator: string;
  readonly headerLine: number;
  readonly counts: { created: number; known: number; duplicates: number; rejected: number; refunds: number };
  /** Invoices now paid beyond their amount: a credit for the client, deducted from its reminders. */
  readonly overpayments: readonly {
    readonly number: string;
    readonly cents: number;
    readonly currency: string;
  }[];
  readonly errors: readonly PaymentImportIssue[];
  readonly errorCount: number;
  readonly rejectsFile: string | null;
  readonly dryRun: boolean;
  readonly committed: boolean;
}

const PAYMENT_WORDS = /\b(paiements?|reglements?|payments?|encaissements?|recettes?)\b/;
const MAX_KEPT_ERRORS = 1000;

/**
 * Whether a file holds payments rather than invoices: its name or preamble says so (and it has no
 * due date column), or its titles make a payment file and not an invoice export.
 */
export async function looksLikePayments(
  file: string,
  encoding?: Encoding,
  separator?: string,
): Promise<boolean> {
  const source = await inspectSource(file, encoding);
  const sample = await readSample(source);
  const best = (catalogue: typeof INVOICE_CATALOGUE | typeof PAYMENT_CATALOGUE) => {
    try {
      return findLayout(source, sample, {
        separator,
        overrides: {},
        catalogue: catalogue as never,
        what: '',
      });
    } catch {
      return null;
    }
  };
  const invoices = best(INVOICE_CATALOGUE);
  if (invoices && (invoices.columns as Record<string, number>).dueDate !== undefined) return false;
  // A due date column is an invoice export's, even one whose other headers are damaged (and
  // whose clients' addresses say « paiement@… »): it is told what it misses as an invoice export.
  const headerCells = sample.split(/\r?\n/, 20).flatMap((line) => line.split(/[;,\t|]/));
  if (headerCells.some((cell) => INVOICE_CATALOGUE.index.get(normalizeHeader(cell)) === 'dueDate'))
    return false;
  // Then what the file says of itself: a payment file missing a column is told so as one.
  const opening = sample.split(/\r?\n/).slice(0, 20).join(' ');
  if (PAYMENT_WORDS.test(normalizeHeader(`${source.name} ${opening}`))) return true;
  return best(PAYMENT_CATALOGUE) !== null && invoices === null;
}

/**
 * Imports a payment file in one transaction. A payment is known by its invoice, date, amount and
 * reference: the same file imported twice, or a payment listed twice, is counted once.
 */
export async function importPayments(
  store: Store,
  request: PaymentImportRequest,
  clock: Instant,
): Promise<PaymentImportReport> {
  const source = await inspectSource(request.file, request.encoding);
  const sample = await readSample(source);
  if (sample.trim() === '') throw new UserError(`${source.name} ne contient que des lignes vides.`);
  const layout = findLayout(source, sample, {
    separator: request.separator,
    overrides: request.columns,
    catalogue: PAYMENT_CATALOGUE,
    what: 'règlements',
    noHeader: request.noHeader,
  });
  const decimalMark =
    request.decimalMark ?? guessDecimalMark(samplesOf(layout.sampleRows, layout.columns, ['amount']));
  const dateOrder =
    request.dateOrder ?? guessDateOrder(samplesOf(layout.sampleRows, layout.columns, ['date']));
  const title = (key: PaymentFieldKey | null) => {
    if (key === null) return null;
    const at = layout.columns[key];
    return at === undefined ? (PAYMENT_CATALOGUE.byKey.get(key)?.label ?? key) : (layout.headers[at] ?? key);
  };

  const issues = new Issues<PaymentImportIssue>(MAX_KEPT_ERRORS);
  const addError = (issue: PaymentImportIssue) => issues.add(issue);
  const rejects = rejectsFileFor(request, layout.headers);
  beginImport(store);
  let committed = false;
  try {
    const writer = new PaymentImportStore(
      store,
      importHeader(source, clock.now, layout.separator, {
        decimale: decimalMark,
        format_date: dateOrderLabel(dateOrder),
      }),
    );
    const counts = { created: 0, known: 0, duplicates: 0, rejected: 0, refunds: 0 };
    const seen = new Set<string>();
    const touched = new Set<number>();
    const width = layout.headers.length;
    let rowIndex = -1;
    let dataLines = 0;
    await streamRows(
      source,
      layout.separator,
      ({ cells, line, problem }) => {
        rowIndex++;
        if (rowIndex <= layout.headerIndex) return;
        if (cells.length <= 1 && (cells[0] ?? '').trim() === '') return;
        dataLines++;
        const reject = (issues: readonly PaymentImportIssue[]) => {
          counts.rejected++;
          for (const issue of issues) addError(issue);
          rejects?.write(
            cells,
            line,
            issues.map((i) => (i.column ? `${i.column} : ${i.message}` : i.message)).join(' ; '),
          );
        };
        if (problem)
          return reject([
            { line, column: null, value: '', message: `${problem} : fermez le guillemet ou retirez-le` },
          ]);
        if (
          cells.length < width ||
          (cells.length > width && cells.slice(width).some((c) => c.trim() !== ''))
        ) {
          return reject([
            {
              line,
              column: null,
              value: '',
              message: `${cells.length} colonnes au lieu de ${width} : un séparateur en trop ou en moins`,
            },
          ]);
        }
        const result = readPaymentRow(cells, { columns: layout.columns, decimalMark, dateOrder });
        if (result.kind === 'invalid') {
          return reject(
            result.errors.map((e) => ({ line, column: title(e.field), value: e.value, message: e.message })),
          );
        }
        const { row } = result;
        const invoice = writer.invoiceByNumber(row.invoiceNumber);
        if (!invoice) {
          return reject([
            {
              line,
              column: title('invoice'),
              value: row.invoiceNumber,
              message:
                "facture inconnue de recouvre : importez d'abord l'export des factures, ou vérifiez le numéro",
            },
          ]);
        }
        if (row.currency !== null && row.currency !== invoice.currency) {
          return reject([
            {
              line,
              column: title('amount'),
              value: (cells[layout.columns.amount ?? -1] ?? '').trim(),
              message: `règlement en ${row.currency} pour une facture en ${invoice.currency}`,
            },
          ]);
        }
        const reference = row.reference ?? '';
        const key = `${invoice.id}\u0000${row.date}\u0000${row.amount}\u0000${reference}`;
        if (seen.has(key)) {
          counts.duplicates++;
          return;
        }
        seen.add(key);
        if (writer.isKnown(invoice.id, row.date, row.amount, reference)) {
          counts.known++;
          return;
        }
        writer.add(invoice.id, row.date, row.amount, row.reference, clock.now.toISOString());
        touched.add(invoice.id);
        counts.created++;
        if (row.amount < 0) counts.refunds++;
      },
      undefined,
      width,
    );
    if (dataLines === 0) {
      throw new UserError(`${source.name} ne contient que la ligne d'en-tête : aucun règlement à importer.`);
    }

    const overpayments: { number: string; cents: number; currency: string }[] = [];
    for (const id of touched) {
      const row = writer.balanceOf(id);
      if (row.amount_cents > 0 && row.outstanding < 0) {
        overpayments.push({ number: row.number, cents: -row.outstanding, currency: row.currency });
      }
    }
    const blocked = issues.count > 0 && !request.ignoreErrors;
    if (!blocked) {
      writer.finish(counts, clock.now.toISOString(), clock.today, {
        ...fileImportDetails('paiements', source, counts),
        remboursements: counts.refunds,
        trop_percus: overpayments.map((o) => ({ numero: o.number, montant_centimes: o.cents })),
      });
    }
    committed = endImport(store, !blocked && !request.dryRun);
    await rejects?.close();
    return {
      file: source.path,
      sha256: source.sha256,
      encoding: source.encoding,
      separator: layout.separator,
      headerLine: layout.headerIndex + 1,
      counts,
      overpayments,
      errors: issues.kept,
      errorCount: issues.count,
      rejectsFile: rejects?.used ? rejects.path : null,
      dryRun: request.dryRun,
      committed,
    };
  } catch (error) {
    abortImport(store);
    await rejects?.close();
    throw error;
  }
}

/** "1 200,00 €" for a line of the summary. */
export function overpaymentText(o: {
  readonly number: string;
  readonly cents: number;
  readonly currency: string;
}): string {
  return `${o.number} (${formatEuros(o.cents, o.currency)})`;
}
