import { openStore } from '../adapters/db/open.js';
import { progressFor } from '../adapters/progress.js';
import { clientIdByCode, loadDunningRules } from '../app/dunning-plan.js';
import { buildReport } from '../app/report.js';
import { jsonChunks, reportJson } from '../app/report-json.js';
import type { Context } from '../context.js';
import type { DsoMethod } from '../domain/report.js';
import type { Report } from '../domain/report-model.js';
import { displayCell, type ReportView, reportView } from '../domain/report-view.js';
import { UsageError } from '../errors.js';
import {
  chooseFormat,
  type Format,
  recipientsOf,
  reportTable,
  sendReport,
  writeOutput,
} from './report-output.js';

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
    const main = report.currencies[0];
    const summary = main
      ? `${displayCell({ kind: 'money', cents: main.receivables, currency: main.currency })} d’encours, dont ${displayCell({ kind: 'money', cents: main.overdue, currency: main.currency })} en retard`
      : '';
    await sendReport(context, config, recipients, view(), {
      asOf: report.asOf,
      summary,
      attachment: `rapport-recouvrement-${report.asOf}.pdf`,
    });
    context.stdout.write(`Rapport du ${report.asOf} envoyé à ${recipients.join(', ')}.\n`);
    if (options.format === undefined && options.sortie === undefined) return 0;
  }

  writeOutput(context, await renderFormat(context, format, report, view), options.sortie);
  return 0;
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
