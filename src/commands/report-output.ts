import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { colors, renderTable } from '../adapters/terminal.js';
import type { Context } from '../context.js';
import { displayCell, isNumeric, type ReportView } from '../domain/report-view.js';
import { UsageError, UserError } from '../errors.js';
import { displayPath } from './format.js';

/**
 * A report's way out, for `rapport` and `cabinet rapport` alike: the format asked for (never
 * guessed from the terminal), a table for a person, and the file or the standard output.
 */

export const FORMATS = ['table', 'json', 'csv', 'html', 'pdf'] as const;
export type Format = (typeof FORMATS)[number];

const EXTENSIONS: Readonly<Record<string, Format>> = {
  '.json': 'json',
  '.csv': 'csv',
  '.html': 'html',
  '.htm': 'html',
  '.pdf': 'pdf',
  '.txt': 'table',
};

/** The format the user asked for: never guessed from the terminal (only colours are). */
export function chooseFormat(options: {
  readonly json?: boolean | undefined;
  readonly format?: string | undefined;
  readonly sortie?: string | undefined;
}): Format {
  if (options.json) {
    if (options.format !== undefined && options.format !== 'json')
      throw new UsageError(`--json et --format ${options.format} : choisissez l'un des deux.`);
    return 'json';
  }
  if (options.format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(options.format)) {
      throw new UsageError(`--format « ${options.format} » : attendu ${FORMATS.join(', ')}.`);
    }
    return options.format as Format;
  }
  if (options.sortie !== undefined) {
    const byExtension = EXTENSIONS[extname(options.sortie).toLowerCase()];
    if (!byExtension) {
      throw new UsageError(
        `--sortie « ${options.sortie} » : extension inconnue ; donnez --format (${FORMATS.join(', ')}) ou un nom en .csv, .html, .pdf ou .json.`,
      );
    }
    return byExtension;
  }
  return 'table';
}

export function reportTable(context: Context, view: ReportView): string {
  const c = colors(context);
  const parts: string[] = [`${c.bold(view.title)}\n${c.dim(view.subtitle)}\n`];
  for (const warning of view.warnings) parts.push(c.yellow(`Attention : ${warning}\n`));
  for (const section of view.sections) {
    parts.push(`\n${c.bold(section.title)}\n`);
    if (section.rows.length === 0) {
      parts.push(`${section.empty}\n`);
    } else {
      const numeric = section.head
        .map((_, i) => i)
        .filter((i) => section.rows.some((row) => row[i] && isNumeric(row[i]!)));
      const rows = section.rows.map((row, r) =>
        row.map((cell) =>
          section.total && r === section.rows.length - 1 ? c.bold(displayCell(cell)) : displayCell(cell),
        ),
      );
      parts.push(`${renderTable(context, section.head, rows, numeric)}\n`);
    }
    for (const note of section.notes) parts.push(c.dim(`${note}\n`));
  }
  return parts.join('');
}

/** Writes a rendered report to `sortie`, whole, or to the standard output. */
export function writeOutput(
  context: Context,
  output: string | Buffer | Iterable<string>,
  sortie: string | undefined,
): void {
  if (sortie !== undefined) {
    const path = resolve(context.cwd, sortie);
    try {
      if (typeof output === 'string' || Buffer.isBuffer(output)) {
        writeFileSync(path, output);
      } else {
        const file = openSync(path, 'w');
        try {
          for (const chunk of output) writeSync(file, chunk);
        } finally {
          closeSync(file);
        }
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'son dossier n’existe pas'
          : code === 'EACCES' || code === 'EPERM'
            ? 'vous n’avez pas le droit d’y écrire'
            : code === 'EISDIR'
              ? 'c’est un dossier'
              : (error as Error).message;
      throw new UserError(`Impossible d’écrire le rapport dans « ${sortie} » : ${why}.`, [
        'Indiquez un fichier dans un dossier existant où vous pouvez écrire, par exemple --sortie rapport.html.',
      ]);
    }
    context.stderr.write(`Rapport écrit : ${displayPath(context.cwd, path)}\n`);
    return;
  }
  if (Buffer.isBuffer(output)) {
    throw new UsageError('Le rapport PDF s’écrit dans un fichier : ajoutez --sortie rapport.pdf.');
  }
  if (typeof output === 'string') context.stdout.write(output);
  else for (const chunk of output) context.stdout.write(chunk);
}
