import { readFileSync } from 'node:fs';
import { type Encoding, inspectSource, readSample, streamRows } from '../adapters/csv-source.js';
import { abortImport, beginImport, endImport, importHeader } from '../adapters/db/imports.js';
import type { Store } from '../adapters/db/open.js';
import { StatusImportStore } from '../adapters/db/status-store.js';
import { normalizeHeader } from '../domain/columns.js';
import { dateOrderLabel, guessDateOrder, type Instant } from '../domain/dates.js';
import {
  readStatusRow,
  STATUS_CATALOGUE,
  type StatusCells,
  type StatusFieldKey,
  type StatusRow,
  statusChange,
} from '../domain/lifecycle.js';
import { guessDecimalMark } from '../domain/money.js';
import { UserError } from '../errors.js';
import {
  fileImportDetails,
  findLayout,
  Issues,
  type ReadOptions,
  type RejectsFile,
  rejectsFileFor,
  samplesOf,
} from './csv-layout.js';

export interface StatusImportRequest extends ReadOptions<StatusFieldKey> {
  readonly file: string;
  readonly dryRun: boolean;
  readonly ignoreErrors: boolean;
  /** Days a 211 « Paiement transmis » pauses an invoice, waiting for the bank. */
  readonly paymentWaitDays: number;
}

export interface StatusImportIssue {
  readonly line: number;
  readonly column: string | null;
  readonly value: string;
  readonly message: string;
}

export interface StatusImportCounts {
  created: number;
  known: number;
  duplicates: number;
  rejected: number;
  /** By effect: disputed (207, 210, 206 without an amount), partly disputed, paused, paid, withdrawn. */
  disputed: number;
  partial: number;
  paused: number;
  paid: number;
  withdrawn: number;
  /** 212 statuses of payments recouvre already had, or of invoices already settled: history only. */
  alreadyPaid: number;
}

export interface StatusImportReport {
  readonly file: string;
  readonly sha256: string;
  readonly format: 'csv' | 'json';
  readonly counts: StatusImportCounts;
  readonly errors: readonly StatusImportIssue[];
  readonly errorCount: number;
  readonly rejectsFile: string | null;
  readonly dryRun: boolean;
  readonly committed: boolean;
}

/** One status as read, with where it is in the file. */
interface Entry {
  readonly line: number;
  readonly row: StatusRow;
  /** The CSV line's cells, for the rejects file. */
  readonly cells: readonly string[] | null;
  readonly title: (key: StatusFieldKey) => string;
}

/** Whether a file is a platform's JSON: its first character opens an array or an object. */
export function looksLikeJson(sample: string): boolean {
  return /^\s*[[{]/.test(sample);
}

/**
 * Whether a CSV holds lifecycle statuses: a status column, an invoice number and a date, and no
 * due date (an invoice export's status column says « Encaissée » too).
 */
export function looksLikeStatuses(sample: string): boolean {
  const header = sample
    .split(/\r?\n/, 20)
    .map((line) => line.split(/[;,\t|]/).map(normalizeHeader))
    .find((cells) => cells.some((cell) => STATUS_CATALOGUE.index.get(cell) === 'status'));
  if (!header) return false;
  const keys = new Set(header.map((cell) => STATUS_CATALOGUE.index.get(cell)));
  const invoiceHeaders = /^(date d echeance|echeance|date echeance|due date|montant ttc|client|code client)$/;
  return keys.has('invoice') && keys.has('date') && !header.some((cell) => invoiceHeaders.test(cell));
}

/**
 * Imports a file of lifecycle statuses (a CSV, or the JSON a platform exports) in one transaction.
 * Statuses apply in date order; each (invoice, code, day) is kept once, so the same file read twice
 * changes nothing, and a dispute lifted by hand is not brought back by reading an old file again.
 */
export async function importStatuses(
  store: Store,
  request: StatusImportRequest,
  clock: Instant,
): Promise<StatusImportReport> {
  const source = await inspectSource(request.file, request.encoding as Encoding | undefined);
  const sample = await readSample(source);
  if (sample.trim() === '') throw new UserError(`${source.name} ne contient que des lignes vides.`);
  const issues = new Issues<StatusImportIssue>(1000);
  const counts: StatusImportCounts = {
    created: 0,
    known: 0,
    duplicates: 0,
    rejected: 0,
    disputed: 0,
    partial: 0,
    paused: 0,
    paid: 0,
    withdrawn: 0,
    alreadyPaid: 0,
  };
  const json = looksLikeJson(sample);
  const entries: Entry[] = [];
  let rejects: RejectsFile | null = null;
  const reject = (entry: { line: number; cells: readonly string[] | null }, found: StatusImportIssue[]) => {
    counts.rejected++;
    for (const issue of found) issues.add(issue);
    if (entry.cells)
      rejects?.write(
        entry.cells,
        entry.line,
        found.map((i) => (i.column ? `${i.column} : ${i.message}` : i.message)).join(' ; '),
      );
  };
  let options: Record<string, unknown> = {};
  let separator = 'json';
  if (json) {
    readJsonStatuses(source.path, source.name, entries, (line, found) =>
      reject({ line, cells: null }, found),
    );
  } else {
    const layout = findLayout(source, sample, {
      separator: request.separator,
      overrides: request.columns,
      catalogue: STATUS_CATALOGUE,
      what: 'statuts de factures',
      noHeader: request.noHeader,
    });
    separator = layout.separator;
    rejects = rejectsFileFor(request, layout.headers);
    const decimalMark =
      request.decimalMark ?? guessDecimalMark(samplesOf(layout.sampleRows, layout.columns, ['amount']));
    const dateOrder =
      request.dateOrder ?? guessDateOrder(samplesOf(layout.sampleRows, layout.columns, ['date']));
    options = { decimale: decimalMark, format_date: dateOrderLabel(dateOrder) };
    const title = (key: StatusFieldKey) => {
      const at = layout.columns[key];
      return at === undefined ? (STATUS_CATALOGUE.byKey.get(key)?.label ?? key) : (layout.headers[at] ?? key);
    };
    let rowIndex = -1;
    await streamRows(
      source,
      layout.separator,
      ({ cells, line, problem }) => {
        rowIndex++;
        if (rowIndex <= layout.headerIndex) return;
        if (cells.length <= 1 && (cells[0] ?? '').trim() === '') return;
        if (problem)
          return reject({ line, cells }, [
            { line, column: null, value: '', message: `${problem} : fermez le guillemet ou retirez-le` },
          ]);
        const byField: StatusCells = {};
        for (const [key, at] of Object.entries(layout.columns) as [StatusFieldKey, number][])
          byField[key] = cells[at] ?? '';
        const result = readStatusRow(byField, { decimalMark, dateOrder });
        if (result.kind === 'invalid')
          return reject(
            { line, cells },
            result.errors.map((e) => ({
              line,
              column: e.field === null ? null : title(e.field),
              value: e.value,
              message: e.message,
            })),
          );
        entries.push({ line, row: result.row, cells, title });
      },
      undefined,
      layout.headers.length,
    );
  }
  if (entries.length === 0 && issues.count === 0)
    throw new UserError(`${source.name} ne contient aucun statut.`, [
      'Chaque ligne donne un numéro de facture, un code de statut (200 à 228) et sa date.',
    ]);

  beginImport(store);
  let committed = false;
  try {
    const writer = new StatusImportStore(
      store,
      importHeader(source, clock.now, separator, options),
      clock.today,
    );
    const recordedAt = clock.now.toISOString();
    const seen = new Set<string>();
    // Statuses apply in the order they happened; a file may list them otherwise.
    const ordered = entries
      .map((entry, index) => ({ entry, index }))
      .sort((a, b) =>
        a.entry.row.date < b.entry.row.date
          ? -1
          : a.entry.row.date > b.entry.row.date
            ? 1
            : a.index - b.index,
      )
      .map((e) => e.entry);
    for (const entry of ordered) {
      const { row, line, title } = entry;
      const invoice = writer.invoiceByNumber(row.invoiceNumber);
      if (!invoice) {
        reject(entry, [
          {
            line,
            column: title('invoice'),
            value: row.invoiceNumber,
            message:
              "facture inconnue de recouvre : importez d'abord la facture (son export ou son fichier Factur-X), ou vérifiez le numéro",
          },
        ]);
        continue;
      }
      const key = `${invoice.id}\u0000${row.status.code}\u0000${row.date}`;
      if (seen.has(key)) {
        counts.duplicates++;
        continue;
      }
      seen.add(key);
      if (writer.isKnown(invoice.id, row)) {
        counts.known++;
        continue;
      }
      const change = statusChange(row, invoice, request.paymentWaitDays);
      if (change.kind === 'invalid') {
        reject(entry, [
          { line, column: title(change.field), value: String(row.amount ?? ''), message: change.message },
        ]);
        continue;
      }
      writer.apply(invoice, row, change, row.invoiceNumber, recordedAt);
      counts.created++;
      if (change.kind === 'dispute') counts.disputed++;
      else if (change.kind === 'partial') counts.partial++;
      else if (change.kind === 'pause') counts.paused++;
      else if (change.kind === 'payment') counts.paid++;
      else if (change.kind === 'withdraw') counts.withdrawn++;
      else if (change.kind === 'none' && change.note) counts.alreadyPaid++;
    }
    const blocked = issues.count > 0 && !request.ignoreErrors;
    if (!blocked) writer.finish(counts, recordedAt, fileImportDetails('statuts', source, counts));
    committed = endImport(store, !blocked && !request.dryRun);
    await rejects?.close();
    return {
      file: source.path,
      sha256: source.sha256,
      format: json ? 'json' : 'csv',
      counts,
      errors: [...issues.kept].sort((a, b) => a.line - b.line),
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

/** Where each field is in a platform's JSON item: keys compared without case, accents or separators. */
const JSON_KEYS: Readonly<Record<StatusFieldKey, readonly string[]>> = {
  invoice: [
    'numerofacture',
    'numfacture',
    'invoicenumber',
    'invoiceid',
    'facture',
    'invoice',
    'numero',
    'number',
    'id',
  ],
  status: ['codestatut', 'statuscode', 'code', 'statut', 'status', 'lifecyclestatus', 'libellestatut'],
  date: ['datestatut', 'statusdate', 'date', 'horodatage', 'timestamp', 'datetime', 'createdat', 'issuedat'],
  reason: ['motif', 'raison', 'reason', 'commentaire', 'comment', 'message', 'reasontext'],
  amount: ['montant', 'montantaccepte', 'montantencaisse', 'amount', 'acceptedamount', 'paidamount'],
};
const LISTS = [
  'statuts',
  'statuses',
  'items',
  'data',
  'results',
  'lifecycle',
  'cycledevie',
  'evenements',
  'events',
];

const squash = (key: string) => normalizeHeader(key).replace(/[^a-z0-9]/g, '');

/**
 * Reads a platform's JSON export: an array of statuses, or an object holding one under « statuts »,
 * « statuses », « items »… Each status names its invoice (a string, or an object with a number),
 * its code or label (or an object with both), its date, and a reason and an amount when it has them.
 */
function readJsonStatuses(
  path: string,
  name: string,
  entries: Entry[],
  reject: (line: number, issues: StatusImportIssue[]) => void,
): void {
  const text = readFileSync(path, 'utf8').replace(/^\ufeff/, '');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : 1;
    const column = at ? Number(at[1]) - text.lastIndexOf('\n', Number(at[1]) - 1) : 1;
    throw new UserError(`${name}:${line}, colonne ${column} : JSON mal formé (${message}).`, [
      "Réexportez le fichier depuis la plateforme, ou corrigez-le à l'endroit indiqué.",
    ]);
  }
  let items: unknown = data;
  if (items !== null && typeof items === 'object' && !Array.isArray(items)) {
    const object = items as Record<string, unknown>;
    const key = Object.keys(object).find((k) => LISTS.includes(squash(k)) && Array.isArray(object[k]));
    items = key === undefined ? [object] : object[key];
  }
  if (!Array.isArray(items))
    throw new UserError(`${name} : ce JSON ne contient pas de liste de statuts.`, [
      'Attendu : une liste d\'objets { "numero_facture": "F1", "code": 212, "date": "2026-11-12" }, ou un objet qui en contient une sous « statuts ».',
    ]);
  let from = 0;
  items.forEach((item, index) => {
    const ordinal = `élément n° ${index + 1}`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      reject(lineAt(text, from), [
        { line: lineAt(text, from), column: null, value: '', message: `${ordinal} : attendu un objet` },
      ]);
      return;
    }
    const fields = new Map(
      Object.entries(item as Record<string, unknown>).map(([k, v]) => [squash(k), { key: k, value: v }]),
    );
    const found: Partial<Record<StatusFieldKey, string>> = {};
    const keyOf: Partial<Record<StatusFieldKey, string>> = {};
    for (const field of Object.keys(JSON_KEYS) as StatusFieldKey[]) {
      for (const candidate of JSON_KEYS[field]) {
        const hit = fields.get(candidate);
        if (hit === undefined || hit.value === null || hit.value === undefined) continue;
        const value = scalar(hit.value);
        if (value === null) continue;
        found[field] = value;
        keyOf[field] = hit.key;
        break;
      }
    }
    // The line of the item: where its invoice number is written, after the previous item's.
    const shown = found.invoice === undefined ? -1 : text.indexOf(JSON.stringify(found.invoice), from);
    if (shown >= 0) from = shown + 1;
    const line = lineAt(text, shown >= 0 ? shown : from);
    const amount = found.amount;
    const result = readStatusRow(found, {
      decimalMark: amount?.includes(',') ? ',' : '.',
      dateOrder: 'jma',
    });
    const title = (key: StatusFieldKey) => keyOf[key] ?? JSON_KEYS[key][0]!;
    if (result.kind === 'invalid') {
      reject(
        line,
        result.errors.map((e) => ({
          line,
          column: e.field === null ? null : title(e.field),
          value: e.value,
          message: `${ordinal} : ${e.message}`,
        })),
      );
      return;
    }
    entries.push({ line, row: result.row, cells: null, title });
  });
}

/** A JSON value as the text a CSV cell would hold; an object gives its code or number. */
function scalar(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const inner = ['code', 'numero', 'number', 'id', 'value', 'valeur', 'libelle', 'label'].map(
      (k) => object[k],
    );
    const first = inner.find((v) => typeof v === 'string' || typeof v === 'number');
    return first === undefined ? null : String(first);
  }
  return null;
}

function lineAt(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
