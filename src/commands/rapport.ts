import { EMAIL } from '../adapters/config.js';
import { openStore } from '../adapters/db/open.js';
import { progressFor } from '../adapters/progress.js';
import { clientIdByCode, loadDunningRules } from '../app/dunning-plan.js';
import { buildReport } from '../app/report.js';
import { jsonChunks, reportJson } from '../app/report-json.js';
import type { Context } from '../context.js';
import type { DsoMethod } from '../domain/report.js';
import type { Report } from '../domain/report-model.js';
import { displayCell, type ReportView, reportView } from '../domain/report-view.js';
import { UsageError, UserError } from '../errors.js';
import { chooseFormat, type Format, reportTable, writeOutput } from './report-output.js';

export interface RapportOptions {
  readonly format?: string;
  /** The same as `--format json`. */
  readonly json?: boolean;
  readonly client?: string;
  readonly limite?: number;
  readonly periode?: number;
  readonly dso?: string;
  readonly sortie?: string;
  /** `true` when given without addresses: those of [rapport] destinataires. */
  readonly envoyer?: string | boolean;
}

/**
 * `recouvre rapport`: who owes what, since when, and what is being done about it. For a person
 * at a terminal (table), for a spreadsheet (csv), to print or mail (html, pdf), for a script (json).
 */
export async function runRapport(context: Context, options: RapportOptions): Promise<number> {
  const format = chooseFormat(options);
  if (format === 'pdf' && options.sortie === undefined && options.envoyer === undefined) {
    throw new UsageError('Le rapport PDF s’écrit dans un fichier : ajoutez --sortie rapport.pdf.');
  }
  if (options.dso !== undefined && options.dso !== 'epuisement' && options.dso !== 'simple') {
    throw new UsageError(`--dso « ${options.dso} » : attendu epuisement ou simple.`);
  }
  // `--date`, when given, is the context's day (main.ts).
  const asOf = context.today;
  const rules = await loadDunningRules(context, false);
  const { config } = rules;
  const recipients = recipientsOf(options.envoyer, config.rapport.destinataires);

  const store = await openStore(context.dbPath, { create: false });
  let report: Report;
  try {
    const clientId = options.client ? clientIdByCode(store, options.client) : undefined;
    report = await buildReport(
      store,
      rules,
      {
        asOf,
        periodDays: options.periode ?? config.rapport.periode_jours,
        dsoMethod: (options.dso as DsoMethod | undefined) ?? config.rapport.methode_dso,
        clientId,
      },
      progressFor(context, { json: format === 'json' }),
    );
  } finally {
    await store.close();
  }

  // Lists in files and JSON are complete unless a limit is asked; a terminal shows the top 20.
  const limit = options.limite ?? (format === 'table' ? 20 : 0);
  // The layout of the human formats; JSON goes without it.
  let laidOut: ReportView | null = null;
  const view = () => {
    laidOut ??= reportView(report, limit);
    return laidOut;
  };

  if (recipients !== null) {
    await sendReport(context, config, recipients, view(), report);
    context.stdout.write(`Rapport du ${report.asOf} envoyé à ${recipients.join(', ')}.\n`);
    if (options.format === undefined && options.sortie === undefined) return 0;
  }

  writeOutput(context, await renderFormat(context, format, report, view), options.sortie);
  return 0;
}

function recipientsOf(option: string | boolean | undefined, configured: readonly string[]): string[] | null {
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

async function renderFormat(
  context: Context,
  format: Format,
  report: Report,
  view: () => ReportView,
): Promise<string | Buffer | Iterable<string>> {
  switch (format) {
    case 'json':
      // In pieces: on a large store, the report is megabytes of text that never need to be one string.
      return (function* () {
        yield* jsonChunks(reportJson(report));
        yield '\n';
      })();
    case 'csv': {
      const { reportCsv } = await import('../adapters/report-files.js');
      return reportCsv(view());
    }
    case 'html': {
      const { reportHtml } = await import('../adapters/report-files.js');
      return reportHtml(view());
    }
    case 'pdf': {
      const { renderReport } = await import('../adapters/pdf.js');
      return renderReport(view(), report.asOf);
    }
    case 'table':
      return reportTable(context, view());
  }
}

async function sendReport(
  context: Context,
  config: Awaited<ReturnType<typeof loadDunningRules>>['config'],
  recipients: readonly string[],
  view: ReportView,
  report: Report,
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
  const main = report.currencies[0];
  const summary = main
    ? `${displayCell({ kind: 'money', cents: main.receivables, currency: main.currency })} d’encours, dont ${displayCell({ kind: 'money', cents: main.overdue, currency: main.currency })} en retard`
    : '';
  const pdf = await renderReport(view, report.asOf);
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
      attachments: [{ filename: `rapport-recouvrement-${report.asOf}.pdf`, content: pdf }],
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
