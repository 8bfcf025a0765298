import { resolve } from 'node:path';
import {
  type Encoding,
  inspectSource,
  parseSample,
  readSample,
  type SourceFile,
} from '../adapters/csv-source.js';
import { asFirstImport, checkForeignKeys, holdsNoInvoice } from '../adapters/db/first-import.js';
import { abortImport, beginImport, endImport, importHeader } from '../adapters/db/imports.js';
import { type ImportCounts, InvoiceImportStore } from '../adapters/db/invoice-import-store.js';
import type { Store } from '../adapters/db/open.js';
import {
  FIELD_BY_KEY,
  FIELDS,
  type FieldKey,
  INVOICE_CATALOGUE,
  normalizeHeader,
} from '../domain/columns.js';
import {
  type DateOrder,
  dateOrderLabel,
  describeDateFormat,
  guessDateOrder,
  type IsoDate,
} from '../domain/dates.js';
import { type DecimalMark, formatEuros, guessDecimalMark } from '../domain/money.js';
import { type Progress, SILENT } from '../domain/progress.js';
import { UserError } from '../errors.js';
import { findLayout, Issues, type Layout, rejectsFileFor, rejectsPathFor, samplesOf } from './csv-layout.js';
import { type ReaderThread, readCheckedRows } from './invoice-rows.js';

export { rejectsPathFor };

export interface ImportRequest {
  readonly file: string;
  readonly dryRun: boolean;
  readonly ignoreErrors: boolean;
  readonly completeList: boolean;
  /** Write amount changes that look like a broken export (`suspiciousAmountChange`). */
  readonly acceptAmountChanges?: boolean;
  readonly encoding?: Encoding | undefined;
  readonly separator?: string | undefined;
  readonly decimalMark?: DecimalMark | undefined;
  readonly dateOrder?: DateOrder | undefined;
  readonly columns: Partial<Record<FieldKey, string>>;
  /** The file has no header row: the columns are given by their place (`--sans-entete`). */
  readonly noHeader?: boolean | undefined;
  readonly paymentTermDays: number;
  readonly defaultCurrency: string;
  /** Set by `--type factures`: import even a file whose name or preamble speaks of payments. */
  readonly forceInvoices?: boolean | undefined;
  /** A reading thread started while the file was being examined, to read its lines. */
  readonly reader?: ReaderThread | undefined;
}

export interface ImportIssue {
  readonly line: number;
  readonly column: string | null;
  readonly value: string;
  readonly message: string;
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

const MAX_KEPT_ERRORS = 1000;

/** The count each outcome of a line adds to. */
const TALLY = {
  created: 'created',
  updated: 'updated',
  unchanged: 'unchanged',
  duplicate: 'duplicates',
} as const satisfies Record<string, keyof ImportCounts>;

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
 * and unless `ignoreErrors` is set a single bad line leaves the store exactly as it was.
 */
export async function importInvoices(
  store: Store,
  request: ImportRequest,
  clock: { readonly now: Date; readonly today: IsoDate },
  progress: Progress = SILENT,
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

  try {
    return await attempt(true);
  } catch (error) {
    // A line skipped as unchanged that could not be proven so: read every line again, in full.
    if (error instanceof FullReadNeeded) return await attempt(false);
    throw error;
  } finally {
    progress.stop();
  }

  async function attempt(skipping: boolean): Promise<ImportReport> {
    if (!holdsNoInvoice(store)) return attemptInTransaction(skipping, false);
    return asFirstImport(store, () => attemptInTransaction(skipping, true));
  }

  async function attemptInTransaction(skipping: boolean, bulkKeyCheck: boolean): Promise<ImportReport> {
    const issues = new Issues<ImportIssue>(MAX_KEPT_ERRORS);
    const addError = (issue: ImportIssue) => issues.add(issue);
    const rejects = rejectsFileFor(request, layout.headers);
    beginImport(store);
    let committed = false;
    let importId: number | null = null;
    try {
      const writer = new InvoiceImportStore(
        store,
        importHeader(source, clock.now, layout.separator, {
          liste_complete: request.completeList,
          ignorer_erreurs: request.ignoreErrors,
          decimale: decimalMark,
          format_date: dateOrderLabel(dateOrder),
        }),
        clock.today,
        request.acceptAmountChanges ?? false,
      );
      importId = writer.importId;
      const counts = writer.counts;
      // The sums a total line of the export is checked against: since the last total, and all.
      let groupSum = 0;
      let fileSum = 0;
      const rowOptions = {
        columns: layout.columns,
        decimalMark,
        dateOrder,
        paymentTermDays: request.paymentTermDays,
        defaultCurrency: request.defaultCurrency,
      };
      const width = layout.headers.length;
      /** Client cells of the lines whose client was written (the reader's references). */
      const trustedClients = new Set<number>();
      let dataLines = 0;
      /** Lines found unchanged by their fingerprint, not checked again. */
      let recognised = 0;
      let dueDatesComputed = 0;
      let creditNotesCreated = 0;
      const creditNoteExamples: { number: string; line: number }[] = [];

      // Lines are read and checked on a second core; this thread only writes.
      const estimate = expectedLines(source, sample);
      progress.phase(`Lecture de ${source.name} (lignes)`, estimate);
      await readCheckedRows(
        {
          source,
          separator: layout.separator,
          headerIndex: layout.headerIndex,
          width,
          rowOptions,
          keepCells: rejects !== null,
          known: skipping ? writer.lineFingerprints() : null,
          expectedLines: estimate,
        },
        {
          onUnchanged: (value, line, clientRef) => {
            dataLines++;
            recognised++;
            if (!trustedClients.has(clientRef)) throw new FullReadNeeded();
            if (value & 1) dueDatesComputed++;
            const outcome = writer.unchangedLine(value >>> 1, line);
            if (outcome === 'conflict') throw new FullReadNeeded();
            counts[TALLY[outcome]]++;
          },
          onItem: (item) => {
            dataLines++;
            const { line } = item;
            const reject = (
              issues: readonly ImportIssue[],
              number: string | null,
              cells: readonly string[] = [],
            ) => {
              counts.rejected++;
              for (const issue of issues) addError(issue);
              if (number) writer.rejectNumber(number);
              rejects?.write(
                cells,
                line,
                issues.map((i) => (i.column ? `${i.column} : ${i.message}` : i.message)).join(' ; '),
              );
            };
            switch (item.kind) {
              case 'problem':
                reject(
                  [
                    {
                      line,
                      column: null,
                      value: '',
                      message: `${item.problem} : fermez le guillemet ou retirez-le`,
                    },
                  ],
                  null,
                  item.cells,
                );
                return;
              case 'width':
                reject(
                  [
                    {
                      line,
                      column: null,
                      value: '',
                      message: `${item.count} colonne${item.count > 1 ? 's' : ''} au lieu de ${width} : un séparateur « ${layout.separator === '\t' ? 'tabulation' : layout.separator} » en trop ou en moins (mettez entre guillemets un texte qui en contient)`,
                    },
                  ],
                  null,
                  item.cells,
                );
                return;
              case 'skipped':
                counts.skipped++;
                writer.rejectNumber(item.number);
                return;
              case 'total': {
                // Checked against the lines above, all of them: never while lines are skipped.
                if (skipping) throw new FullReadNeeded();
                const sums = [groupSum, fileSum];
                if (item.amounts.some((a) => sums.includes(a))) {
                  counts.totalLines++;
                  groupSum = 0;
                  return;
                }
                reject(
                  [
                    {
                      line,
                      column: columnTitle('amount'),
                      value: item.label,
                      message: `ligne de total sans numéro de facture, mais son montant (${item.amounts.length > 0 ? item.amounts.map((a) => formatEuros(a)).join(' ou ') : 'aucun'}) n'est pas la somme des lignes au-dessus (${formatEuros(groupSum)}${groupSum === fileSum ? '' : `, ou ${formatEuros(fileSum)} depuis le début`}) : vérifiez que l'export est complet, ou retirez cette ligne`,
                    },
                  ],
                  null,
                  item.cells,
                );
                return;
              }
              case 'invalid':
                reject(
                  item.errors.map((e) => ({
                    line,
                    column: columnTitle(e.field),
                    value: e.value,
                    message: e.message,
                  })),
                  item.number,
                  item.cells,
                );
                return;
              case 'invoice':
                break;
            }
            const { row } = item;
            groupSum += row.amount;
            fileSum += row.amount;
            const outcome = writer.upsertInvoice(row, line, item);
            if (outcome.kind === 'created' || outcome.kind === 'updated' || outcome.kind === 'unchanged') {
              trustedClients.add(item.clientRef);
            }
            if (row.dueDateComputed) dueDatesComputed++;
            if (outcome.kind === 'created' && row.amount < 0) {
              creditNotesCreated++;
              if (creditNoteExamples.length < 3) creditNoteExamples.push({ number: row.number, line });
            }
            switch (outcome.kind) {
              case 'created':
              case 'updated':
              case 'unchanged':
              case 'duplicate':
                counts[TALLY[outcome.kind]]++;
                break;
              case 'suspect':
                counts.rejected++;
                writer.rejectNumber(row.number);
                addError({
                  line,
                  column: columnTitle('amount'),
                  value: formatEuros(row.amount, row.currency),
                  message: `facture ${row.number} déjà importée : ${outcome.reason}. C'est souvent le signe d'un export incomplet ou d'une colonne mal lue ; une facture émise se corrige par un avoir. Si la modification est voulue : --accepter-modifications`,
                });
                rejects?.write(item.cells ?? [], line, `montant suspect : ${outcome.reason}`);
                break;
              case 'conflict':
                counts.rejected++;
                addError({
                  line,
                  column: columnTitle('number'),
                  value: row.number,
                  message: `numéro déjà présent ligne ${outcome.firstLine} avec d'autres valeurs (${outcome.differences.join(', ')}) : gardez une seule ligne par facture`,
                });
                rejects?.write(
                  item.cells ?? [],
                  line,
                  `numéro déjà présent ligne ${outcome.firstLine} avec d'autres valeurs`,
                );
                break;
            }
          },
          onBatch: () => progress.update(dataLines),
        },
        request.reader,
      );

      // The estimate of the lines gives way to their count: the bar ends full.
      progress.update(dataLines, dataLines);
      progress.phase('Enregistrement dans la base');
      if (dataLines === 0) {
        throw new UserError(
          `${source.name} ne contient que la ligne d'en-tête (ligne ${layout.headerIndex + 1}) : aucune facture à importer.`,
        );
      }
      const blocked = issues.count > 0 && !request.ignoreErrors;
      if (!blocked) {
        if (request.completeList) writer.closeAbsent();
        writer.finish({
          fichier: source.name,
          chemin: resolve(source.path),
          sha256: source.sha256,
          encodage: source.encoding,
          crees: counts.created,
          mis_a_jour: counts.updated,
          inchanges: counts.unchanged,
          rejetes: counts.rejected,
          ignorees: counts.skipped,
          doublons: counts.duplicates,
          soldees: counts.closed,
          clients_crees: counts.clientsCreated,
          clients_mis_a_jour: counts.clientsUpdated,
          rejets: rejects?.used ? rejects.path : null,
          lignes_reconnues: recognised,
        });
      }
      if (bulkKeyCheck && !blocked && !request.dryRun) checkForeignKeys(store);
      committed = endImport(store, !blocked && !request.dryRun);
      await rejects?.close();
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
        dueDatesComputed,
        creditNotesCreated,
        creditNoteExamples,
        errors: issues.kept,
        errorCount: issues.count,
        rejectsFile: rejects?.used ? rejects.path : null,
        dryRun: request.dryRun,
        committed,
        importId: committed ? importId : null,
      };
    } catch (error) {
      abortImport(store);
      await rejects?.close();
      throw error;
    }
  }
}

/** About how many lines the file has, from the length of those of its sample. */
function expectedLines(source: SourceFile, sample: string): number {
  let lines = 1;
  for (let at = sample.indexOf('\n'); at !== -1; at = sample.indexOf('\n', at + 1)) lines++;
  return Math.ceil((source.size / Math.max(1, Buffer.byteLength(sample))) * lines);
}

/** Thrown when a line was skipped by its fingerprint and the writer cannot prove it unchanged. */
class FullReadNeeded extends Error {}
