import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { abortImport, beginImport, endImport, importHeader } from '../adapters/db/imports.js';
import { type ImportCounts, InvoiceImportStore } from '../adapters/db/invoice-import-store.js';
import type { Store } from '../adapters/db/open.js';
import { type EInvoiceFile, readEInvoiceFile, sniffFile, sourceFiles } from '../adapters/einvoice/files.js';
import type { Instant, IsoDate } from '../domain/dates.js';
import {
  type CompanyIdentity,
  type DueDateRule,
  type EInvoiceSyntax,
  issuedBy,
  toInvoiceRow,
} from '../domain/einvoice.js';
import type { InvoiceRow } from '../domain/invoice-row.js';
import type { Progress } from '../domain/progress.js';
import { UserError } from '../errors.js';

export interface EInvoiceImportRequest {
  /** A Factur-X PDF, a CII or UBL XML, or a folder of them (read recursively). */
  readonly path: string;
  readonly dryRun: boolean;
  readonly ignoreErrors: boolean;
  readonly acceptAmountChanges: boolean;
  /** The delay after the issue date when an invoice states neither a due date nor terms. */
  readonly defaultDays: number;
  readonly company: CompanyIdentity;
}

export interface EInvoiceProblem {
  readonly file: string;
  readonly message: string;
}

export interface ComputedDueDate {
  readonly file: string;
  readonly number: string;
  readonly date: IsoDate;
  readonly rule: Exclude<DueDateRule, { kind: 'document' }>;
}

export interface EInvoiceImportReport {
  readonly path: string;
  readonly folder: boolean;
  /** Files read as e-invoices (good or bad). */
  readonly filesRead: number;
  /** Files of the folder that are neither PDF nor XML, left alone. */
  readonly filesSkipped: number;
  readonly invoices: number;
  readonly creditNotes: number;
  readonly bySyntax: Readonly<Partial<Record<EInvoiceSyntax, number>>>;
  /** The same invoice in two files (a PDF and its XML side by side): read once. */
  readonly sameInvoiceTwice: number;
  readonly counts: ImportCounts | null;
  readonly problems: readonly EInvoiceProblem[];
  readonly computedDueDates: readonly ComputedDueDate[];
  readonly committed: boolean;
  readonly dryRun: boolean;
}

function identityText(party: { siren: string | null; vat: string | null }): string {
  const ids = [party.siren ? `SIREN ${party.siren}` : '', party.vat ? `TVA ${party.vat}` : ''].filter(
    (s) => s !== '',
  );
  return ids.length > 0 ? ids.join(', ') : 'sans SIREN ni numéro de TVA';
}

const sameRow = (a: InvoiceRow, b: InvoiceRow) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Imports e-invoices through the same writer as an invoice export, so that a file read twice
 * changes nothing and a corrected invoice updates its row. All or nothing: a bad file stops the
 * whole import unless `ignoreErrors`, and then only the good files are written.
 */
export async function importEInvoices(
  store: Store,
  request: EInvoiceImportRequest,
  clock: Instant,
  progress: Progress,
): Promise<EInvoiceImportReport> {
  const company = request.company;
  if (company.siren === null && company.vat === null) {
    throw new UserError(
      `${basename(request.path)} est lu comme ${statSync(request.path).isDirectory() ? 'un dossier de factures électroniques' : 'une facture électronique (PDF ou XML)'} : pour l'importer, recouvre doit vérifier que ces factures sont les vôtres, et le SIREN de votre société n'est pas configuré.`,
      [
        'Ajoutez-le dans recouvre.toml, section [creancier] : siren = "732 829 320" (ou numero_tva = "FR44732829320").',
      ],
    );
  }
  const { files: listed, folder } = sourceFiles(request.path);
  const files = folder ? listed.filter((f) => sniffFile(f) !== null) : listed;
  const name = (file: string) => (folder ? relative(request.path, file) : basename(file));
  const problems: EInvoiceProblem[] = [];
  const rows = new Map<string, { file: string; row: InvoiceRow; rule: DueDateRule; credit: boolean }>();
  const bySyntax: Partial<Record<EInvoiceSyntax, number>> = {};
  const hashes = createHash('sha256');
  let sameInvoiceTwice = 0;
  progress.phase('Lecture des factures électroniques', files.length);
  for (const [index, file] of files.entries()) {
    let read: EInvoiceFile;
    try {
      read = await readEInvoiceFile(file);
    } catch (error) {
      read = { ok: false, path: file, problem: `fichier illisible (${(error as Error).message})` };
    }
    progress.update(index + 1);
    if (!read.ok) {
      problems.push({ file: name(file), message: read.problem });
      continue;
    }
    hashes.update(read.sha256);
    const invoice = read.invoice;
    if (!issuedBy(invoice.seller, company)) {
      problems.push({
        file: name(file),
        message: `facture ${invoice.number} émise par « ${invoice.seller.name} » (${identityText(invoice.seller)}), pas par votre société (${identityText(company)}) : un dossier de relance ne tient que vos propres ventes. Importez-la dans le dossier de ce vendeur.`,
      });
      continue;
    }
    const converted = toInvoiceRow(invoice, { defaultDays: request.defaultDays });
    const earlier = rows.get(invoice.number);
    if (earlier !== undefined) {
      if (sameRow(earlier.row, converted.row)) {
        sameInvoiceTwice++;
        continue;
      }
      problems.push({
        file: name(file),
        message: `facture ${invoice.number} déjà lue dans ${earlier.file}, avec un contenu différent : gardez la bonne version seulement.`,
      });
      continue;
    }
    bySyntax[read.syntax] = (bySyntax[read.syntax] ?? 0) + 1;
    rows.set(invoice.number, { file: name(file), ...converted, credit: converted.creditNote });
  }
  progress.stop();
  const entries = [...rows.values()];
  const computedDueDates = entries.flatMap((e) =>
    e.rule.kind === 'document' || e.credit
      ? []
      : [{ file: e.file, number: e.row.number, date: e.row.dueDate, rule: e.rule }],
  );
  const base = {
    path: request.path,
    folder,
    filesRead: files.length,
    filesSkipped: listed.length - files.length,
    invoices: entries.filter((e) => !e.credit).length,
    creditNotes: entries.filter((e) => e.credit).length,
    bySyntax,
    sameInvoiceTwice,
    problems,
    computedDueDates,
    dryRun: request.dryRun,
  };
  if (problems.length > 0 && !request.ignoreErrors) return { ...base, counts: null, committed: false };
  if (entries.length === 0) {
    throw new UserError(
      problems.length > 0
        ? `Aucune facture électronique valable dans ${basename(request.path)} : rien n'a été importé.`
        : `Aucune facture électronique (Factur-X, CII ou UBL) dans ${basename(request.path)}.`,
    );
  }

  beginImport(store);
  try {
    const writer = new InvoiceImportStore(
      store,
      importHeader(
        { name: basename(request.path), path: request.path, sha256: hashes.digest('hex'), encoding: 'utf8' },
        clock.now,
        'e-facture',
        { format: 'e-factures', fichiers: files.length },
      ),
      clock.today,
      request.acceptAmountChanges,
    );
    const counts = writer.counts;
    const suspects: string[] = [];
    for (const [index, entry] of entries.entries()) {
      const siren = entry.row.siren;
      const known = siren === null ? null : writer.clientCodeBySiren(siren);
      const row = known !== null ? { ...entry.row, clientCode: known } : entry.row;
      const outcome = writer.upsertInvoice(row, index + 1);
      if (outcome.kind === 'created') counts.created++;
      else if (outcome.kind === 'updated') counts.updated++;
      else if (outcome.kind === 'unchanged') counts.unchanged++;
      else if (outcome.kind === 'suspect')
        suspects.push(`${entry.file}, facture ${row.number} : ${outcome.reason}`);
      else counts.duplicates++;
    }
    if (suspects.length > 0) {
      throw new UserError(
        `${suspects.length === 1 ? 'Une facture déjà importée changerait' : `${suspects.length} factures déjà importées changeraient`} de montant comme le fait une facture incomplète ; rien n'a été importé.`,
        [
          ...suspects.slice(0, 10).map((s) => `  ${s}`),
          ...(suspects.length > 10 ? [`  … et ${suspects.length - 10} autres`] : []),
          'Si ces modifications sont voulues : --accepter-modifications',
        ],
      );
    }
    writer.finish({
      fichier: basename(request.path),
      format: 'e-factures',
      fichiers: files.length,
      crees: counts.created,
      mis_a_jour: counts.updated,
      inchanges: counts.unchanged,
      fichiers_refuses: problems.length,
    });
    const committed = endImport(store, !request.dryRun);
    return { ...base, counts, committed };
  } catch (error) {
    abortImport(store);
    throw error;
  }
}
