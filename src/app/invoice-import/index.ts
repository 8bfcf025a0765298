import {
  type Encoding,
  inspectSource,
  parseSample,
  readSample,
  type SourceFile,
} from '../../adapters/csv-source.js';
import type { ImportCounts } from '../../adapters/db/invoice-import-store.js';
import type { Store } from '../../adapters/db/open.js';
import {
  FIELD_BY_KEY,
  FIELDS,
  type FieldKey,
  INVOICE_CATALOGUE,
  normalizeHeader,
} from '../../domain/columns.js';
import { type DateOrder, describeDateFormat, guessDateOrder, type Instant } from '../../domain/dates.js';
import { type DecimalMark, guessDecimalMark } from '../../domain/money.js';
import { type Progress, SILENT } from '../../domain/progress.js';
import { UserError } from '../../errors.js';
import { findLayout, type Layout, type ReadOptions, rejectsPathFor, samplesOf } from '../csv-layout.js';
import { type ImportIssue, importLines } from './lines.js';
import { ReaderThread } from './reader.js';

export type { ImportIssue };
export { rejectsPathFor };

export interface ImportRequest extends ReadOptions<FieldKey> {
  readonly file: string;
  readonly dryRun: boolean;
  readonly ignoreErrors: boolean;
  readonly completeList: boolean;
  /** Write amount changes that look like a broken export (`suspiciousAmountChange`). */
  readonly acceptAmountChanges?: boolean;
  readonly paymentTermDays: number;
  /** How long a « Paiement transmis » status pauses an invoice (`[import] attente_paiement_transmis_jours`). */
  readonly paymentWaitDays?: number;
  readonly defaultCurrency: string;
  /** Set by `--type factures`: import even a file whose name or preamble speaks of payments. */
  readonly forceInvoices?: boolean | undefined;
}

export interface ImportReport {
  readonly file: string;
  readonly sha256: string;
  readonly encoding: Encoding;
  readonly separator: string;
  readonly decimalMark: DecimalMark;
  readonly dateOrder: DateOrder;
  /** The dates' format as the file writes them (`describeDateFormat`), for the summary. */
  readonly dateFormat: string;
  readonly headerLine: number;
  /** Field → the file's own column title. */
  readonly columns: Readonly<Partial<Record<FieldKey, string>>>;
  readonly ignoredColumns: readonly string[];
  readonly counts: ImportCounts;
  readonly dataLines: number;
  readonly dueDatesComputed: number;
  /** New invoices of a negative amount, taken as credit notes; the first three named. */
  readonly creditNotesCreated: number;
  readonly creditNoteExamples: readonly { readonly number: string; readonly line: number }[];
  /** The first problems found (at most MAX_KEPT_ERRORS); `errorCount` has them all. */
  readonly errors: readonly ImportIssue[];
  readonly errorCount: number;
  readonly rejectsFile: string | null;
  readonly dryRun: boolean;
  /** False when errors stopped the import: then nothing was written. */
  readonly committed: boolean;
  readonly importId: number | null;
}

const PAYMENT_WORDS = /\b(paiements?|reglements?|payments?|encaissements?)\b/;

/**
 * A payment file read as invoices would overwrite invoice amounts with payment amounts; headers
 * alone cannot always tell them apart (« Client, Invoice Number, Amount, Date »), but the file's
 * name or its preamble usually says what it is.
 */
function refusePaymentFile(
  source: SourceFile,
  sample: string,
  layout: Layout<FieldKey>,
  request: ImportRequest,
): void {
  if (request.forceInvoices) return;
  // The rows above the header (`parseSample`'s 0 would mean every row of the sample).
  const preamble =
    layout.headerIndex === 0
      ? ''
      : parseSample(sample, layout.separator, layout.headerIndex).flat().join(' ');
  const text = normalizeHeader(`${source.name} ${preamble}`);
  if (!PAYMENT_WORDS.test(text) || layout.columns.dueDate !== undefined) return;
  throw new UserError(`${source.name} ressemble à un fichier de règlements, pas à un export de factures.`, [
    "L'importer comme factures remplacerait les montants des factures par ceux des règlements.",
    "S'il s'agit bien de factures, relancez avec --type factures.",
  ]);
}

/**
 * Imports an invoice export in one transaction: every line is checked, every problem is listed,
 * and unless `ignoreErrors` is set a single bad line leaves the store exactly as it was. The use
 * case reads as: find the layout, import the lines, report.
 */
export async function importInvoices(
  store: Store,
  request: ImportRequest,
  clock: Instant,
  progress: Progress = SILENT,
): Promise<ImportReport> {
  // The reading thread starts at once: its start-up (about a tenth of a second) is done while
  // the file is hashed and examined.
  const reader = new ReaderThread();
  try {
    return await examineAndImport(store, request, clock, progress, reader);
  } finally {
    progress.stop();
    await reader.close();
  }
}

async function examineAndImport(
  store: Store,
  request: ImportRequest,
  clock: Instant,
  progress: Progress,
  reader: ReaderThread,
): Promise<ImportReport> {
  const source = await inspectSource(request.file, request.encoding);
  const sample = await readSample(source);
  if (sample.trim() === '') {
    throw new UserError(`${source.name} ne contient que des lignes vides : exportez à nouveau les factures.`);
  }
  const layout = findLayout(source, sample, {
    separator: request.separator,
    overrides: request.columns,
    catalogue: INVOICE_CATALOGUE,
    what: 'factures',
    noHeader: request.noHeader,
  });
  refusePaymentFile(source, sample, layout, request);
  const decimalMark =
    request.decimalMark ??
    guessDecimalMark(samplesOf(layout.sampleRows, layout.columns, ['amount', 'paid', 'remaining']));
  const dateSamples = samplesOf(layout.sampleRows, layout.columns, ['issueDate', 'dueDate']);
  const dateOrder = request.dateOrder ?? guessDateOrder(dateSamples);
  const dateFormat = describeDateFormat(dateSamples, dateOrder);
  const columnTitle = (key: FieldKey | null): string | null => {
    if (key === null) return null;
    const at = layout.columns[key];
    return at === undefined ? (FIELD_BY_KEY.get(key)?.label ?? key) : (layout.headers[at] ?? null);
  };

  const { counts, dataLines, issues, ...lines } = await importLines({
    store,
    plan: {
      source,
      layout,
      decimalMark,
      dateOrder,
      expectedLines: expectedLines(source, sample),
      columnTitle,
    },
    options: {
      file: request.file,
      dryRun: request.dryRun,
      ignoreErrors: request.ignoreErrors,
      completeList: request.completeList,
      acceptAmountChanges: request.acceptAmountChanges ?? false,
      paymentTermDays: request.paymentTermDays,
      paymentWaitDays: request.paymentWaitDays ?? 10,
      defaultCurrency: request.defaultCurrency,
    },
    clock,
    progress,
    reader,
  });
  return {
    file: source.path,
    sha256: source.sha256,
    encoding: source.encoding,
    separator: layout.separator,
    decimalMark,
    dateOrder,
    dateFormat,
    headerLine: layout.headerIndex + 1,
    columns: Object.fromEntries(
      FIELDS.filter((f) => layout.columns[f.key] !== undefined).map((f) => [
        f.key,
        layout.headers[layout.columns[f.key]!],
      ]),
    ),
    ignoredColumns: layout.ignored,
    counts,
    dataLines,
    dueDatesComputed: lines.dueDatesComputed,
    creditNotesCreated: lines.creditNotesCreated,
    creditNoteExamples: lines.creditNoteExamples,
    errors: issues.kept,
    errorCount: issues.count,
    rejectsFile: lines.rejectsFile,
    dryRun: request.dryRun,
    committed: lines.committed,
    importId: lines.importId,
  };
}

/** About how many lines the file has, from the length of those of its sample. */
function expectedLines(source: SourceFile, sample: string): number {
  let lines = 1;
  for (let at = sample.indexOf('\n'); at !== -1; at = sample.indexOf('\n', at + 1)) lines++;
  return Math.ceil((source.size / Math.max(1, Buffer.byteLength(sample))) * lines);
}
