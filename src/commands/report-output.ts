import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { type Config, EMAIL } from '../adapters/config.js';
import { colors, renderTable } from '../adapters/terminal.js';
import type { Context } from '../context.js';
import type { IsoDate } from '../domain/dates.js';
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

/** The addresses of --envoyer: those given, or those of [rapport] destinataires. */
export function recipientsOf(
  option: string | boolean | undefined,
  configured: readonly string[],
): string[] | null {
  if (option === undefined || option === false) return null;
  const list =
    option === true
      ? [...configured]
      : option
          .split(/[,;\s]+/)
          .map((a) => a.trim())
          .filter(Boolean);
  if (list.length === 0) {
    throw new UsageError(
      '--envoyer : à qui ? Donnez les adresses (--envoyer compta@exemple.fr,dirigeant@exemple.fr) ou [rapport] destinataires dans recouvre.toml.',
    );
  }
  const bad = list.filter((a) => !EMAIL.test(a));
  if (bad.length > 0) throw new UsageError(`--envoyer : adresse invalide « ${bad[0]} ».`);
  return list;
}

/** Sends a report by e-mail: its HTML in the message, its PDF attached. */
export async function sendReport(
  context: Context,
  config: Config,
  recipients: readonly string[],
  view: ReportView,
  mail: { readonly asOf: IsoDate; readonly summary: string; readonly attachment: string },
): Promise<void> {
  const { newMessageId, smtpMailer, smtpSettings } = await import('../adapters/mailer.js');
  const { reportHtml } = await import('../adapters/report-files.js');
  const { renderReport } = await import('../adapters/pdf.js');
  const smtp = smtpSettings(context.env, config);
  if (smtp === null) {
    throw new UserError('Aucun serveur d’envoi configuré : le rapport ne peut pas partir.', [
      'Indiquez-le dans recouvre.toml ([smtp] url = "smtp://utilisateur@serveur:587") ou dans RECOUVRE_SMTP_URL,',
      'le mot de passe dans RECOUVRE_SMTP_MOT_DE_PASSE ; ou écrivez le rapport dans un fichier avec --sortie.',
    ]);
  }
  const from = config.smtp.expediteur ?? config.creancier.email;
  if (!from) {
    throw new UserError('Expéditeur inconnu : le rapport ne peut pas partir.', [
      'Indiquez [smtp] expediteur = "Compta <compta@exemple.fr>" ou [creancier] email dans recouvre.toml.',
    ]);
  }
  const { summary } = mail;
  const pdf = await renderReport(view, mail.asOf);
  const mailer = smtpMailer(smtp);
  try {
    const delivery = await mailer.send({
      from,
      to: recipients,
      replyTo: config.smtp.repondre_a ?? null,
      bcc: null,
      subject: `${view.title}${summary ? ` : ${summary}` : ''}`,
      text: `${view.title}\n\n${summary}.\n\nLe rapport complet est joint en PDF ; la version HTML est dans ce message.\n`,
      html: reportHtml(view),
      messageId: newMessageId(from),
      date: context.now,
      attachments: [{ filename: mail.attachment, content: pdf }],
    });
    if (!delivery.ok) {
      throw new UserError(`Le rapport n’a pas pu être envoyé : ${delivery.message}.`, [
        delivery.kind === 'definitif'
          ? 'Le serveur a refusé le message : vérifiez les adresses des destinataires et l’expéditeur.'
          : 'Vérifiez le serveur d’envoi ([smtp] url) et réessayez ; rien n’a été envoyé.',
      ]);
    }
  } finally {
    mailer.close();
  }
}
