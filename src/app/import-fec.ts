import { type Encoding, inspectSource, parseSample, readSample, streamRows } from '../adapters/csv-source.js';
import { abortImport, beginImport, endImport, importHeader } from '../adapters/db/imports.js';
import { type ImportCounts, InvoiceImportStore } from '../adapters/db/invoice-import-store.js';
import type { Store } from '../adapters/db/open.js';
import type { Instant } from '../domain/dates.js';
import {
  type FecColumn,
  type FecEntry,
  fecToInvoices,
  isClientAccount,
  isFecHeader,
  readFecLine,
} from '../domain/fec.js';
import { UserError } from '../errors.js';

export interface FecImportReport {
  readonly file: string;
  readonly encoding: Encoding;
  readonly counts: ImportCounts;
  readonly invoices: number;
  readonly creditNotes: number;
  readonly payments: number;
  readonly unletteredPayments: number;
  readonly sharedPieceRefs: number;
  readonly dryRun: boolean;
}

/** The separator of a FEC whose first line is its header (tab or `|`, art. A47 A-1 VI), or null. */
async function fecSeparator(file: string, encoding?: Encoding): Promise<string | null> {
  const source = await inspectSource(file, encoding);
  const sample = await readSample(source);
  for (const separator of ['\t', '|']) {
    const first = parseSample(sample, separator, 1)[0] ?? [];
    if (isFecHeader(first)) return separator;
  }
  return null;
}

export async function looksLikeFec(file: string, encoding?: Encoding): Promise<boolean> {
  return (await fecSeparator(file, encoding)) !== null;
}

/**
 * Imports the receivables of a FEC: clients from the client accounts, invoices and credit notes
 * from the sales and opening journals, and what lettering (or, failing it, the oldest-first rule)
 * says is paid. The invoices go through the same writer as an invoice export: a FEC imported again,
 * or the next one, updates them and never duplicates.
 */
export async function importFec(
  store: Store,
  request: {
    readonly file: string;
    readonly dryRun: boolean;
    readonly encoding?: Encoding | undefined;
    readonly paymentTermDays: number;
    readonly currency: string;
    /** Write amount changes that look like a broken export (`suspiciousAmountChange`). */
    readonly acceptAmountChanges?: boolean;
  },
  clock: Instant,
): Promise<FecImportReport> {
  const source = await inspectSource(request.file, request.encoding);
  const separator = await fecSeparator(request.file, request.encoding);
  if (separator === null) {
    throw new UserError(
      `${source.name} n'est pas un FEC : sa première ligne doit porter les titres JournalCode, EcritureNum, CompteNum…`,
    );
  }
  let headers: string[] = [];
  const errors: string[] = [];
  const entries: FecEntry[] = [];
  let row = -1;
  await streamRows(source, separator, ({ cells, line }) => {
    row++;
    if (row === 0) {
      headers = cells.map((c) => c.trim().toLowerCase());
      return;
    }
    if (cells.every((c) => c.trim() === '')) return;
    const at = (name: FecColumn) => headers.indexOf(name.toLowerCase());
    const cell = (name: FecColumn) => {
      const index = at(name);
      return index === -1 ? '' : (cells[index] ?? '');
    };
    // Only client accounts matter: the other lines (sales, VAT, banks…) are skipped unread.
    if (!isClientAccount(cell('CompteNum'))) return;
    const entry = readFecLine(cell, line);
    if (typeof entry === 'string') {
      if (errors.length < 50) errors.push(`${source.name}:${line} : ${entry}`);
      return;
    }
    entries.push(entry);
  });
  if (errors.length > 0) {
    throw new UserError(
      `${errors.length} ligne${errors.length > 1 ? 's' : ''} illisible${errors.length > 1 ? 's' : ''} dans ${source.name} : rien n'a été importé.`,
      errors,
    );
  }
  if (entries.length === 0) {
    throw new UserError(
      `${source.name} : aucune écriture sur un compte client (411…, 416…) : rien à importer.`,
    );
  }
  const conversion = fecToInvoices(entries, {
    paymentTermDays: request.paymentTermDays,
    currency: request.currency,
  });

  beginImport(store);
  try {
    const writer = new InvoiceImportStore(
      store,
      importHeader(source, clock.now, separator, { format: 'FEC' }),
      clock.today,
      request.acceptAmountChanges ?? false,
    );
    const counts = writer.counts;
    const suspects: string[] = [];
    for (const invoice of conversion.rows) {
      const line = conversion.lineOf.get(invoice.number) ?? 0;
      const outcome = writer.upsertInvoice(invoice, line);
      if (outcome.kind === 'created') counts.created++;
      else if (outcome.kind === 'updated') counts.updated++;
      else if (outcome.kind === 'unchanged') counts.unchanged++;
      else if (outcome.kind === 'suspect')
        suspects.push(`ligne ${line}, pièce ${invoice.number} : ${outcome.reason}`);
      else counts.duplicates++;
    }
    if (suspects.length > 0) {
      throw new UserError(
        `${source.name} : ${suspects.length === 1 ? 'une facture déjà importée changerait' : `${suspects.length} factures déjà importées changeraient`} de montant comme le fait un fichier incomplet ; rien n'a été importé.`,
        [
          ...suspects.slice(0, 10).map((s) => `  ${s}`),
          ...(suspects.length > 10 ? [`  … et ${suspects.length - 10} autres`] : []),
          'Vérifiez que le FEC est complet (exercice entier). Si ces modifications sont voulues : --accepter-modifications',
        ],
      );
    }
    writer.finish({
      fichier: source.name,
      format: 'FEC',
      sha256: source.sha256,
      crees: counts.created,
      mis_a_jour: counts.updated,
      inchanges: counts.unchanged,
      reglements: conversion.payments,
      reglements_sans_lettrage: conversion.unletteredPayments,
      pieces_partagees: conversion.sharedPieceRefs,
    });
    endImport(store, !request.dryRun);
    return {
      file: source.path,
      encoding: source.encoding,
      counts,
      invoices: conversion.rows.filter((r) => r.amount > 0).length,
      creditNotes: conversion.rows.filter((r) => r.amount < 0).length,
      payments: conversion.payments,
      unletteredPayments: conversion.unletteredPayments,
      sharedPieceRefs: conversion.sharedPieceRefs,
      dryRun: request.dryRun,
    };
  } catch (error) {
    abortImport(store);
    throw error;
  }
}
