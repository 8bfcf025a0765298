import { createWriteStream, type WriteStream } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import {
  type Encoding,
  guessSeparator,
  parseSample,
  SEPARATORS,
  type SourceFile,
} from '../adapters/csv-source.js';
import { type Catalogue, type ColumnMap, recognizeColumns } from '../domain/columns.js';
import type { DateOrder } from '../domain/dates.js';
import type { DecimalMark } from '../domain/money.js';
import { neutralise, plainLines } from '../domain/text.js';
import { UserError } from '../errors.js';

/** How the user says a CSV export is written (options or a saved profile); unset means guessed. */
export interface ReadOptions<K extends string> {
  readonly encoding?: Encoding | undefined;
  readonly separator?: string | undefined;
  readonly decimalMark?: DecimalMark | undefined;
  readonly dateOrder?: DateOrder | undefined;
  readonly columns: Partial<Record<K, string>>;
  /** The file has no header row: the columns are given by their place (`--sans-entete`). */
  readonly noHeader?: boolean | undefined;
}

/**
 * Where the data is in a CSV export: its separator, its header row (under any preamble) and which
 * column holds which field. Shared by every kind of file recouvre imports; each brings its own
 * catalogue of fields.
 */
export interface Layout<K extends string> {
  readonly separator: string;
  readonly headerIndex: number;
  readonly headers: readonly string[];
  readonly columns: ColumnMap<K>;
  readonly ignored: readonly string[];
  readonly sampleRows: readonly (readonly string[])[];
}

export interface LayoutRequest<K extends string> {
  readonly separator?: string | undefined;
  readonly overrides: Partial<Record<K, string>>;
  readonly catalogue: Catalogue<K>;
  /** What the file should hold, for messages: « factures », « règlements ». */
  readonly what: string;
  /**
   * The file has no header row (`--sans-entete`): its columns are named by their place, 1, 2…,
   * and the overrides say which place holds which field.
   */
  readonly noHeader?: boolean | undefined;
}

/** A cell that is a value rather than a title: a date, an amount, a number. */
const DATA_CELL = /^(\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|[-+]?[\d\s\u00a0\u202f.]*\d([.,]\d{1,2})?\s*(€|eur)?)$/i;

/** The cells of a row that look like data, when at least two do: such a row is not a header. */
function dataCells(row: readonly string[]): string[] {
  const found = row.map((c) => c.trim()).filter((c) => c !== '' && DATA_CELL.test(c));
  return found.length >= 2 ? found : [];
}

/** The hint for a file without header row: each place with its first value, and the command. */
function noHeaderHint(row: readonly string[], what: string, file: string): string[] {
  const places = row
    .map((cell, i) => `${i + 1} = ${cell.trim() === '' ? '(vide)' : `« ${cell.trim()} »`}`)
    .join(', ');
  return [
    `Ses colonnes, par leur place : ${places}.`,
    'Dites ce que contient chaque place, par exemple :',
    what === 'factures'
      ? `  recouvre import ${file} --sans-entete --colonne numero=1 --colonne client=2 --colonne date=3 --colonne echeance=4 --colonne montant=5`
      : `  recouvre import ${file} --sans-entete --colonne date=1 --colonne numero=2 --colonne montant=3`,
    'ou réexportez le fichier avec sa ligne de titres.',
  ];
}

function headerlessLayout<K extends string>(sample: string, request: LayoutRequest<K>): Layout<K> {
  const separator = request.separator ?? guessSeparator(sample);
  const rows = parseSample(sample, separator);
  const width = Math.max(0, ...rows.slice(0, 20).map((r) => r.length));
  const headers = Array.from({ length: width }, (_, i) => String(i + 1));
  const recognition = recognizeColumns(headers, request.overrides, request.catalogue);
  return {
    separator,
    headerIndex: -1,
    headers,
    columns: recognition.columns,
    ignored: [],
    sampleRows: rows,
  };
}

/** The separator and the header row together: the pair that recognises the most titles wins. */
export function findLayout<K extends string>(
  source: SourceFile,
  sample: string,
  request: LayoutRequest<K>,
): Layout<K> {
  if (request.noHeader) return checkedLayout(source, headerlessLayout(sample, request), request);
  const candidates = request.separator ? [request.separator] : [...SEPARATORS];
  let best: (Layout<K> & { score: number }) | null = null;
  for (const separator of candidates) {
    const rows = parseSample(sample, separator);
    const limit = Math.min(rows.length, 20);
    for (let index = 0; index < limit; index++) {
      const headers = (rows[index] ?? []).map((h) => h.trim());
      const recognition = recognizeColumns(headers, request.overrides, request.catalogue);
      const score = Object.keys(recognition.columns).length;
      if (score > (best?.score ?? 1)) {
        best = {
          separator,
          headerIndex: index,
          headers,
          columns: recognition.columns,
          ignored: recognition.unknown,
          sampleRows: rows.slice(index + 1),
          score,
        };
      }
    }
  }
  const example = request.catalogue.fields
    .slice(0, 3)
    .map((f) => `--colonne ${f.option}="…"`)
    .join(' ');
  if (!best) {
    const separator = request.separator ?? guessSeparator(sample);
    const firstRow = parseSample(sample, separator, 5).find((r) => r.some((c) => c.trim() !== '')) ?? [];
    const recognition = recognizeColumns(firstRow, request.overrides, request.catalogue);
    if (recognition.missingOverrides.length > 0)
      throw missingOverrideError(source, recognition.missingOverrides, firstRow);
    const values = dataCells(firstRow);
    if (values.length > 0) {
      throw new UserError(
        `${source.name} : la première ligne ressemble à des données (${values
          .slice(0, 3)
          .map((v) => `« ${v} »`)
          .join(', ')}), pas à des titres de colonnes : le fichier n'a pas de ligne d'en-tête.`,
        noHeaderHint(firstRow, request.what, source.name),
      );
    }
    throw new UserError(
      `${source.name} : aucune colonne reconnue, ce fichier ne ressemble pas à un export de ${request.what}.`,
      [
        `Colonnes du fichier : ${listColumns(firstRow)}.`,
        'Indiquez la correspondance, par exemple :',
        request.what === 'factures'
          ? '  recouvre import fichier.csv --colonne numero="Réf. doc" --colonne client="Nom" --colonne date="Date doc" --colonne montant="Net à payer"'
          : `  recouvre import fichier.csv ${example}`,
        ...(request.what === 'factures'
          ? ['et ajoutez --enregistrer-profil NOM pour la retrouver ensuite avec --profil NOM.']
          : []),
      ],
    );
  }
  const { score: _, ...layout } = best;
  return checkedLayout(source, layout, request);
}

/** Every override found and every required field present, or the error that says what is not. */
function checkedLayout<K extends string>(
  source: SourceFile,
  best: Layout<K>,
  request: LayoutRequest<K>,
): Layout<K> {
  const recognition = recognizeColumns(best.headers, request.overrides, request.catalogue);
  if (recognition.missingOverrides.length > 0)
    throw missingOverrideError(source, recognition.missingOverrides, best.headers);
  const missing = request.catalogue.missingRequired(best.columns);
  if (missing.length > 0 && best.headerIndex < 0) {
    throw new UserError(
      `${source.name} (sans ligne d'en-tête) : indiquez la place de ${missing.map((f) => f.label).join(', ')}.`,
      noHeaderHint(best.sampleRows[0] ?? [], request.what, source.name),
    );
  }
  if (missing.length > 0 && dataCells(best.headers).length > 0) {
    throw new UserError(
      `${source.name}:${best.headerIndex + 1} : cette ligne, prise pour la ligne d'en-tête, ressemble à des données (${dataCells(
        best.headers,
      )
        .slice(0, 3)
        .map((v) => `« ${v} »`)
        .join(', ')}) : le fichier n'a sans doute pas de ligne d'en-tête.`,
      noHeaderHint(best.headers, request.what, source.name),
    );
  }
  if (missing.length > 0) {
    throw new UserError(
      `${source.name}:${best.headerIndex + 1} : colonne obligatoire absente : ${missing.map((f) => f.label).join(', ')}.`,
      [
        ...missing.map(
          (f) => `  ${f.label} : intitulés reconnus ${f.synonyms.map((s) => `« ${s} »`).join(', ')}`,
        ),
        `Colonnes du fichier : ${listColumns(best.headers)}.`,
        `Si la colonne porte un autre nom, indiquez-le : --colonne ${missing[0]?.option}="Intitulé dans le fichier".`,
      ],
    );
  }
  return best;
}

export function listColumns(headers: readonly string[]): string {
  const shown = headers.filter((h) => h.trim() !== '').map((h) => `« ${h.trim()} »`);
  return shown.length > 0 ? shown.join(', ') : '(aucune)';
}

function missingOverrideError(
  source: SourceFile,
  missing: readonly { readonly field: { readonly option: string }; readonly header: string }[],
  headers: readonly string[],
): UserError {
  return new UserError(
    `${source.name} : ${missing.map((m) => `--colonne ${m.field.option}="${m.header}"`).join(', ')} : cette colonne n'existe pas dans le fichier.`,
    [`Colonnes du fichier : ${listColumns(headers)}.`],
  );
}

/** Non-empty values of some columns in the first rows, to guess the decimal mark and date order. */
export function samplesOf<K extends string>(
  rows: readonly (readonly string[])[],
  columns: ColumnMap<K>,
  keys: readonly K[],
): string[] {
  const values: string[] = [];
  for (const row of rows.slice(0, 200)) {
    for (const key of keys) {
      const at = columns[key];
      const value = at === undefined ? '' : (row[at] ?? '').trim();
      if (value !== '') values.push(value);
    }
  }
  return values;
}

/**
 * The file of rejected lines beside the input, when the user asked to import the valid lines
 * anyway (never on a dry run).
 */
/** The journal's words for a payment or status file import: which file, and what it did. */
export function fileImportDetails(
  type: 'paiements' | 'statuts',
  source: { readonly name: string; readonly sha256: string },
  counts: {
    readonly created: number;
    readonly known: number;
    readonly duplicates: number;
    readonly rejected: number;
  },
): Record<string, unknown> {
  return {
    type,
    fichier: source.name,
    sha256: source.sha256,
    crees: counts.created,
    deja_connus: counts.known,
    doublons: counts.duplicates,
    rejetes: counts.rejected,
  };
}

export function rejectsFileFor(
  request: { readonly file: string; readonly ignoreErrors: boolean; readonly dryRun: boolean },
  headers: readonly string[],
): RejectsFile | null {
  return request.ignoreErrors && !request.dryRun
    ? new RejectsFile(rejectsPathFor(request.file), headers)
    : null;
}

/** A CSV writer for the rejected lines, opened at the first rejection. */
export class RejectsFile {
  private stream: WriteStream | null = null;
  constructor(
    readonly path: string,
    private readonly headers: readonly string[],
  ) {}
  /** The row as read, its text made inert for a spreadsheet (the import takes the apostrophe off). */
  write(cells: readonly string[], line: number, reasons: string): void {
    if (!this.stream) {
      this.stream = createWriteStream(this.path, { encoding: 'utf8' });
      this.stream.write(`\ufeff${[...this.headers, 'Ligne', 'Motif du rejet'].map(quote).join(';')}\r\n`);
    }
    this.stream.write(
      `${[...cells.map((cell) => neutralise(plainLines(cell))), String(line), neutralise(reasons)].map(quote).join(';')}\r\n`,
    );
  }
  get used(): boolean {
    return this.stream !== null;
  }
  close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return Promise.resolve();
    return new Promise((done, fail) => {
      stream.on('error', fail);
      stream.end(done);
    });
  }
}

function quote(cell: string): string {
  return /[;"\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function rejectsPathFor(file: string): string {
  const extension = extname(file);
  return join(dirname(file), `${basename(file, extension)}.rejets.csv`);
}

/** The problems of a file: all counted, the first ones kept (a broken file may have a million). */
export class Issues<T> {
  readonly kept: T[] = [];
  count = 0;
  constructor(private readonly keep = 1000) {}
  add(issue: T): void {
    this.count++;
    if (this.kept.length < this.keep) this.kept.push(issue);
  }
}
