import { resolve } from 'node:path';
import type { SourceFile } from '../../adapters/csv-source.js';
import { asFirstImport, checkForeignKeys, holdsNoInvoice } from '../../adapters/db/first-import.js';
import { abortImport, beginImport, endImport, importHeader } from '../../adapters/db/imports.js';
import {
  type ImportCounts,
  InvoiceImportStore,
  storedDueDateComputed,
} from '../../adapters/db/invoice-import-store.js';
import type { Store } from '../../adapters/db/open.js';
import type { FieldKey } from '../../domain/columns.js';
import { type DateOrder, dateOrderLabel, type Instant } from '../../domain/dates.js';
import type { RowOptions } from '../../domain/invoice-row.js';
import { type DecimalMark, formatEuros } from '../../domain/money.js';
import type { Progress } from '../../domain/progress.js';
import { UserError } from '../../errors.js';
import { Issues, type Layout, type RejectsFile, rejectsFileFor } from '../csv-layout.js';
import type { RowHandlers, RowItem } from './batch.js';
import { type ReaderThread, readCheckedRows } from './reader.js';

export interface ImportIssue {
  readonly line: number;
  readonly column: string | null;
  readonly value: string;
  readonly message: string;
}

/** What the lines are read with: the file, its layout and how its cells are written. */
export interface LinesPlan {
  readonly source: SourceFile;
  readonly layout: Layout<FieldKey>;
  readonly decimalMark: DecimalMark;
  readonly dateOrder: DateOrder;
  /** About how many lines the file has, for the progress bar and the reader's tables. */
  readonly expectedLines: number;
  /** The file's title of a field's column, for the messages. */
  readonly columnTitle: (key: FieldKey | null) => string | null;
}

export interface LinesOptions {
  readonly file: string;
  readonly dryRun: boolean;
  readonly ignoreErrors: boolean;
  readonly completeList: boolean;
  readonly acceptAmountChanges: boolean;
  readonly paymentTermDays: number;
  readonly paymentWaitDays: number;
  readonly defaultCurrency: string;
}

export interface LinesOutcome {
  readonly counts: ImportCounts;
  readonly dataLines: number;
  readonly dueDatesComputed: number;
  readonly creditNotesCreated: number;
  readonly creditNoteExamples: readonly { readonly number: string; readonly line: number }[];
  readonly issues: Issues<ImportIssue>;
  readonly rejectsFile: string | null;
  readonly committed: boolean;
  readonly importId: number | null;
}

/** One import of the lines of a file, as `importLines` is given it. */
export interface LinesJob {
  readonly store: Store;
  readonly plan: LinesPlan;
  readonly options: LinesOptions;
  readonly clock: Instant;
  readonly progress: Progress;
  /** A reading thread started while the file was examined: it reads the first part. */
  readonly reader: ReaderThread;
}

const MAX_KEPT_ERRORS = 1000;

/** The count each outcome of a line adds to. */
const TALLY = {
  created: 'created',
  updated: 'updated',
  unchanged: 'unchanged',
  duplicate: 'duplicates',
} as const satisfies Record<string, keyof ImportCounts>;

/** Thrown when a line was skipped by its fingerprint and the writer cannot prove it unchanged. */
class FullReadNeeded extends Error {}

/**
 * Writes every line of the file in one transaction; unless `ignoreErrors` is set, one bad line
 * leaves the store exactly as it was. A re-import first skips the lines found unchanged by their
 * fingerprint; when one of them cannot be proven so, the whole file is read again, in full.
 */
export async function importLines(job: LinesJob): Promise<LinesOutcome> {
  for (const skipping of [true, false]) {
    const firstImport = holdsNoInvoice(job.store);
    const run = () => inTransaction(job, skipping, firstImport);
    try {
      return await (firstImport ? asFirstImport(job.store, run) : run());
    } catch (error) {
      if (!(skipping && error instanceof FullReadNeeded)) throw error;
    }
  }
  throw new Error('unreachable: the full read does not skip lines');
}

async function inTransaction(job: LinesJob, skipping: boolean, firstImport: boolean): Promise<LinesOutcome> {
  const { store, plan, options, clock, progress, reader } = job;
  const { source, layout } = plan;
  const rejects = rejectsFileFor(options, layout.headers);
  beginImport(store);
  try {
    const writer = new InvoiceImportStore(
      store,
      importHeader(source, clock.now, layout.separator, {
        liste_complete: options.completeList,
        ignorer_erreurs: options.ignoreErrors,
        decimale: plan.decimalMark,
        format_date: dateOrderLabel(plan.dateOrder),
      }),
      clock.today,
      options.acceptAmountChanges,
      options.paymentWaitDays,
    );
    const tally = new LineTally(writer, plan, rejects, skipping);
    const rowOptions: RowOptions = {
      columns: layout.columns,
      decimalMark: plan.decimalMark,
      dateOrder: plan.dateOrder,
      paymentTermDays: options.paymentTermDays,
      defaultCurrency: options.defaultCurrency,
    };
    // Lines are read and checked on a second core; this thread only writes.
    progress.phase(`Lecture de ${source.name} (lignes)`, plan.expectedLines);
    await readCheckedRows(
      {
        source,
        separator: layout.separator,
        headerIndex: layout.headerIndex,
        width: layout.headers.length,
        rowOptions,
        keepCells: rejects !== null,
        known: skipping ? writer.lineFingerprints() : null,
        expectedLines: plan.expectedLines,
      },
      tally.handlers(() => progress.update(tally.dataLines)),
      reader,
    );
    // The estimate of the lines gives way to their count: the bar ends full.
    progress.update(tally.dataLines, tally.dataLines);
    progress.phase('Enregistrement dans la base');
    if (tally.dataLines === 0) {
      throw new UserError(
        `${source.name} ne contient que la ligne d'en-tête (ligne ${layout.headerIndex + 1}) : aucune facture à importer.`,
      );
    }
    const counts = writer.counts;
    const blocked = tally.issues.count > 0 && !options.ignoreErrors;
    if (!blocked) {
      if (options.completeList) writer.closeAbsent();
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
        lignes_reconnues: tally.recognised,
      });
    }
    if (firstImport && !blocked && !options.dryRun) checkForeignKeys(store);
    const committed = endImport(store, !blocked && !options.dryRun);
    await rejects?.close();
    return {
      counts,
      dataLines: tally.dataLines,
      dueDatesComputed: tally.dueDatesComputed,
      creditNotesCreated: tally.creditNotesCreated,
      creditNoteExamples: tally.creditNoteExamples,
      issues: tally.issues,
      rejectsFile: rejects?.used ? rejects.path : null,
      committed,
      importId: committed ? writer.importId : null,
    };
  } catch (error) {
    abortImport(store);
    await rejects?.close();
    throw error;
  }
}

/** What each line of the file comes to: written through the store, counted, or refused. */
class LineTally {
  readonly issues = new Issues<ImportIssue>(MAX_KEPT_ERRORS);
  dataLines = 0;
  /** Lines found unchanged by their fingerprint, not checked again. */
  recognised = 0;
  dueDatesComputed = 0;
  creditNotesCreated = 0;
  readonly creditNoteExamples: { number: string; line: number }[] = [];
  /** The sums a total line of the export is checked against: since the last total, and all. */
  private groupSum = 0;
  private fileSum = 0;
  /** Client cells of the lines whose client was written (the reader's references). */
  private readonly trustedClients = new Set<number>();

  constructor(
    private readonly writer: InvoiceImportStore,
    private readonly plan: LinesPlan,
    private readonly rejects: RejectsFile | null,
    private readonly skipping: boolean,
  ) {}

  handlers(onBatch: () => void): RowHandlers {
    return {
      onUnchanged: (stored, line, clientRef) => this.unchanged(stored, line, clientRef),
      onItem: (item) => this.item(item),
      onBatch,
    };
  }

  private unchanged(stored: number, line: number, clientRef: number): void {
    this.dataLines++;
    this.recognised++;
    if (!this.trustedClients.has(clientRef)) throw new FullReadNeeded();
    if (storedDueDateComputed(stored)) this.dueDatesComputed++;
    const outcome = this.writer.unchangedLine(stored, line);
    if (outcome === 'conflict') throw new FullReadNeeded();
    this.writer.counts[TALLY[outcome]]++;
  }

  private item(item: RowItem): void {
    this.dataLines++;
    const { line } = item;
    const { layout, columnTitle } = this.plan;
    switch (item.kind) {
      case 'problem':
        this.reject(line, [`${item.problem} : fermez le guillemet ou retirez-le`], null, item.cells);
        return;
      case 'width': {
        const width = layout.headers.length;
        const separator = layout.separator === '\t' ? 'tabulation' : layout.separator;
        this.reject(
          line,
          [
            `${item.count} colonne${item.count > 1 ? 's' : ''} au lieu de ${width} : un séparateur « ${separator} » en trop ou en moins (mettez entre guillemets un texte qui en contient)`,
          ],
          null,
          item.cells,
        );
        return;
      }
      case 'skipped':
        this.writer.counts.skipped++;
        this.writer.rejectNumber(item.number);
        if (item.cancelled) this.writer.cancelledInExport(item.number, line);
        return;
      case 'total':
        this.total(item);
        return;
      case 'invalid':
        this.rejectIssues(
          line,
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
        this.invoice(item);
        return;
    }
  }

  private total(item: Extract<RowItem, { kind: 'total' }>): void {
    // Checked against the lines above, all of them: never while lines are skipped.
    if (this.skipping) throw new FullReadNeeded();
    const { groupSum, fileSum } = this;
    if (item.amounts.some((a) => a === groupSum || a === fileSum)) {
      this.writer.counts.totalLines++;
      this.groupSum = 0;
      return;
    }
    const found = item.amounts.length > 0 ? item.amounts.map((a) => formatEuros(a)).join(' ou ') : 'aucun';
    const sums = `${formatEuros(groupSum)}${groupSum === fileSum ? '' : `, ou ${formatEuros(fileSum)} depuis le début`}`;
    this.rejectIssues(
      item.line,
      [
        {
          line: item.line,
          column: this.plan.columnTitle('amount'),
          value: item.label,
          message: `ligne de total sans numéro de facture, mais son montant (${found}) n'est pas la somme des lignes au-dessus (${sums}) : vérifiez que l'export est complet, ou retirez cette ligne`,
        },
      ],
      null,
      item.cells,
    );
  }

  private invoice(item: Extract<RowItem, { kind: 'invoice' }>): void {
    const { row, line } = item;
    const { writer } = this;
    const counts = writer.counts;
    this.groupSum += row.amount;
    this.fileSum += row.amount;
    const outcome = writer.upsertInvoice(row, line, item);
    if (row.dueDateComputed) this.dueDatesComputed++;
    switch (outcome.kind) {
      case 'created':
        if (row.amount < 0) {
          this.creditNotesCreated++;
          if (this.creditNoteExamples.length < 3) this.creditNoteExamples.push({ number: row.number, line });
        }
        this.trustedClients.add(item.clientRef);
        counts[TALLY[outcome.kind]]++;
        return;
      case 'updated':
      case 'unchanged':
        this.trustedClients.add(item.clientRef);
        counts[TALLY[outcome.kind]]++;
        return;
      case 'duplicate':
        counts[TALLY[outcome.kind]]++;
        return;
      case 'suspect':
        counts.rejected++;
        writer.rejectNumber(row.number);
        this.issues.add({
          line,
          column: this.plan.columnTitle('amount'),
          value: formatEuros(row.amount, row.currency),
          message: `facture ${row.number} déjà importée : ${outcome.reason}. C'est souvent le signe d'un export incomplet ou d'une colonne mal lue ; une facture émise se corrige par un avoir. Si la modification est voulue : --accepter-modifications`,
        });
        this.rejects?.write(item.cells ?? [], line, `montant suspect : ${outcome.reason}`);
        return;
      case 'conflict':
        counts.rejected++;
        this.issues.add({
          line,
          column: this.plan.columnTitle('number'),
          value: row.number,
          message: `numéro déjà présent ligne ${outcome.firstLine} avec d'autres valeurs (${outcome.differences.join(', ')}) : gardez une seule ligne par facture`,
        });
        this.rejects?.write(
          item.cells ?? [],
          line,
          `numéro déjà présent ligne ${outcome.firstLine} avec d'autres valeurs`,
        );
        return;
    }
  }

  /** A line refused as a whole, with one message and no column. */
  private reject(
    line: number,
    messages: readonly string[],
    number: string | null,
    cells?: readonly string[],
  ) {
    this.rejectIssues(
      line,
      messages.map((message) => ({ line, column: null, value: '', message })),
      number,
      cells,
    );
  }

  private rejectIssues(
    line: number,
    issues: readonly ImportIssue[],
    number: string | null,
    cells: readonly string[] = [],
  ): void {
    this.writer.counts.rejected++;
    for (const issue of issues) this.issues.add(issue);
    if (number) this.writer.rejectNumber(number);
    this.rejects?.write(
      cells,
      line,
      issues.map((i) => (i.column ? `${i.column} : ${i.message}` : i.message)).join(' ; '),
    );
  }
}
