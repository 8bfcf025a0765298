import { dirname, resolve } from 'node:path';
import { openStore } from '../adapters/db/open.js';
import { progressFor } from '../adapters/progress.js';
import { colors, renderTable } from '../adapters/terminal.js';
import { clientIdByCode, loadDunningRules } from '../app/dunning-plan.js';
import { type ActionOutcome, type RunReport, runDunning } from '../app/dunning-run.js';
import type { Context } from '../context.js';
import { weekdayName } from '../domain/business-days.js';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import {
  claimedNumber,
  clientLabel,
  type DunningPlan,
  EXCLUSION_LABELS,
  type PlannedAction,
  totalDue,
  type WaitReason,
} from '../domain/dunning.js';
import type { Hold } from '../domain/holds.js';
import { formatEuros } from '../domain/money.js';
import { CHANNEL_LABELS, STEP_LABELS } from '../domain/scenario.js';
import { displayPath, plural } from './format.js';

export interface RelancerOptions {
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly forcer?: boolean;
  readonly client?: string;
  readonly sortie?: string;
  readonly renvoyerIncertains?: boolean;
  readonly ignorerAnciennete?: boolean;
  readonly accepterTauxEstimes?: boolean;
}

const WAIT_LABELS: Readonly<Record<WaitReason, string>> = {
  delai: 'délai de l’étape',
  intervalle: 'dernière action trop récente',
  jour_non_ouvre: 'jour non ouvré',
};

/** How many upcoming steps the terminal shows (the JSON lists them all). */
const UPCOMING_SHOWN = 15;
/** How many actions or exclusions a terminal table shows: beyond, --json is the way to read them. */
const ROWS_SHOWN = 50;

function more(context: Context, shown: number, total: number, what: string): void {
  if (shown < total) {
    context.stdout.write(
      colors(context).dim(`… et ${total - shown} autres ${what} (--json pour la liste complète).\n`),
    );
  }
}

export async function runRelancer(context: Context, options: RelancerOptions): Promise<number> {
  // `--date`, when given, is the context's day (main.ts).
  const asOf = context.today;
  const rules = await loadDunningRules(context, options.forcer === true);
  const store = await openStore(context.dbPath, { create: false });
  let report: RunReport;
  try {
    const clientId = options.client ? clientIdByCode(store, options.client) : undefined;
    const outputDir = options.sortie ? resolve(context.cwd, options.sortie) : null;
    const progress = progressFor(context, options);
    report = await runDunning(context, store, rules, {
      asOf,
      clientId,
      dryRun: options.dryRun === true,
      outputDir,
      resendUncertain: options.renvoyerIncertains === true,
      ignoreStaleness: options.ignorerAnciennete === true,
      acceptEstimatedRates: options.accepterTauxEstimes === true,
      ...(progress ? { progress } : {}),
    });
  } finally {
    await store.close();
  }
  if (options.dryRun) {
    if (options.json) writePlanJson(context, report.plan, report);
    else {
      writePlan(context, report.plan);
      writeHolds(context, report, true);
      writeRunNotes(context, report, true);
    }
    return 0;
  }
  // A failure or an action held back needs a person: cron sees it in the exit code.
  const attention = report.outcomes.filter(
    (o) => o.result === 'echec' || o.result === 'bloque' || leftUnrecorded(o),
  ).length;
  if (options.json) writeRunJson(context, report);
  else writeSummary(context, report);
  return attention > 0 ? 1 : 0;
}

/** Sent or written, but the base could not record it as done (a disk that filled up meanwhile). */
const leftUnrecorded = (o: ActionOutcome) =>
  (o.result === 'envoye' || o.result === 'ecrit') && o.detail !== null;

const RESULT_LABELS: Readonly<Record<ActionOutcome['result'], string>> = {
  envoye: 'envoyé',
  ecrit: 'écrit',
  tache: 'tâche à faire',
  echec: 'échec',
  bloque: 'bloquée',
};

function writeSummary(context: Context, report: RunReport): void {
  const c = colors(context);
  const out = (text: string) => context.stdout.write(text);
  const { plan, outcomes } = report;
  out(`${c.bold(`Relances du ${weekdayName(plan.asOf)} ${formatDateFr(plan.asOf)}`)}\n`);
  if (plan.nonBusinessDay !== null) {
    out(
      c.yellow(
        `${formatDateFr(plan.asOf)} n'est pas un jour ouvré (${plan.nonBusinessDay}) : rien n'est parti. --forcer pour passer outre.\n`,
      ),
    );
  }
  if (outcomes.length > 0) {
    out(
      `${renderTable(
        context,
        ['Client', 'Étape', 'Canal', 'Factures', 'Demandé', 'Résultat'],
        outcomes
          .slice(0, ROWS_SHOWN)
          .map((o) => [
            clientLabel(o.action.client.name, o.action.client.code),
            STEP_LABELS[o.action.step.code],
            CHANNEL_LABELS[o.action.channel],
            o.action.invoices.map((k) => claimedNumber(k.invoice)).join('\n'),
            formatEuros(totalDue(o.action), o.action.currency),
            o.result === 'echec' ? c.red(RESULT_LABELS[o.result]) : RESULT_LABELS[o.result],
          ]),
        [4],
      )}\n`,
    );
    more(context, Math.min(ROWS_SHOWN, outcomes.length), outcomes.length, 'actions');
  }
  const count = (result: ActionOutcome['result']) => outcomes.filter((o) => o.result === result).length;
  // A letter counts once its PDF is written (a run stopped by a full disk writes none for the rest).
  const letters = outcomes.filter((o) => o.action.channel === 'courrier' && o.files.length > 0).length;
  out(
    `${plural(outcomes.filter((o) => o.emailSent).length, 'e-mail envoyé', 'e-mails envoyés')}, ${plural(letters, 'courrier écrit', 'courriers écrits')}, ` +
      `${plural(count('tache'), 'tâche', 'tâches')}, ${plural(count('echec'), 'échec', 'échecs')}, ` +
      `${plural(report.uncertain.length, 'incertaine', 'incertaines')}.\n`,
  );
  if (report.lettersDir) {
    out(
      `Courriers à imprimer, signer et poster (en recommandé avec accusé de réception pour les mises en demeure) : ${displayPath(context.cwd, report.lettersDir)}\n`,
    );
  }
  writeHolds(context, report, false);
  for (const o of outcomes.filter((x) => x.result === 'echec')) {
    out(c.red(`Échec : ${o.action.client.code} (${STEP_LABELS[o.action.step.code]}) : ${o.detail ?? ''}\n`));
  }
  for (const o of outcomes.filter(leftUnrecorded)) {
    out(c.yellow(`Attention : ${o.action.client.code} (${STEP_LABELS[o.action.step.code]}) : ${o.detail}\n`));
  }
  writeRunNotes(context, report, false);
}

/** The actions held back, each with why and what to do. */
function writeHolds(context: Context, report: RunReport, dryRun: boolean): void {
  if (report.holds.length === 0) return;
  const c = colors(context);
  const out = (text: string) => context.stdout.write(text);
  out(
    c.yellow(
      dryRun
        ? `${plural(report.holds.length, 'action ne partirait pas', 'actions ne partiraient pas')} lors de la relance réelle :\n`
        : report.holds.length < 2
          ? "1 action bloquée : rien n'est parti ni n'a été enregistré pour elle ; la prochaine relance la reprendra une fois le problème corrigé.\n"
          : `${report.holds.length} actions bloquées : rien n'est parti ni n'a été enregistré pour elles ; la prochaine relance les reprendra une fois les problèmes corrigés.\n`,
    ),
  );
  for (const { action, holds } of report.holds) {
    for (const hold of holds) {
      out(c.yellow(`  ${action.client.code} (${STEP_LABELS[action.step.code]}) : ${hold.message}\n`));
      out(`    ${hold.hint}\n`);
    }
  }
}

function writeRunNotes(context: Context, report: RunReport, dryRun: boolean): void {
  const c = colors(context);
  const out = (text: string) => context.stdout.write(text);
  if (report.uncertain.length > 0) {
    out(
      c.yellow(
        `${plural(report.uncertain.length, 'action incertaine', 'actions incertaines')} : une relance précédente s'est arrêtée pendant l'envoi ; elles ont peut-être été reçues et ne sont pas renvoyées.\n`,
      ),
    );
    for (const u of report.uncertain)
      out(c.yellow(`  ${u.client} : ${u.step} du ${formatDateFr(u.date as IsoDate)}\n`));
    if (!dryRun)
      out(
        c.yellow(
          'Vérifiez auprès des clients ; pour les renvoyer : recouvre relancer --renvoyer-incertains\n',
        ),
      );
  }
  for (const task of report.openTasks) {
    out(
      `À faire : ${task.step} pour ${task.client} (depuis le ${formatDateFr(task.date as IsoDate)})${task.document ? ` : ${displayPath(context.cwd, task.document)}` : ''}\n`,
    );
  }
  if (report.openTasks.length > 0)
    out(c.dim('Une fois faite : recouvre historique <client> --ajouter <étape>\n'));
  if (dryRun && report.outcomes.length > 0) {
    out(
      `Documents de la simulation écrits dans ${displayPath(context.cwd, dirname(report.outcomes.flatMap((o) => o.files)[0] ?? '.'))}\n`,
    );
  }
}

function writeRunJson(context: Context, report: RunReport): void {
  const count = (result: ActionOutcome['result']) =>
    report.outcomes.filter((o) => o.result === result).length;
  context.stdout.write(
    `${JSON.stringify({
      date: report.plan.asOf,
      envoyes: count('envoye'),
      ecrits: count('ecrit'),
      taches: count('tache'),
      echecs: count('echec'),
      bloquees: count('bloque'),
      incertaines: report.uncertain.length,
      actions: report.outcomes.map((o) => ({
        client: o.action.client.code,
        etape: o.action.step.code,
        canal: o.action.channel,
        devise: o.action.currency,
        factures: o.action.invoices.map((k) => k.invoice.number),
        resultat: o.result,
        detail: o.detail,
        fichiers: o.files,
      })),
      actions_incertaines: report.uncertain,
      taches_a_faire: report.openTasks,
      avertissements: report.plan.warnings,
    })}\n`,
  );
}

/**
 * The plan as one JSON document: stable French keys, amounts in cents, dates `AAAA-MM-JJ`. It is
 * written action by action, in chunks: on a large store the whole tree at once would double the
 * memory the plan itself takes.
 */
export function writePlanJson(context: Context, plan: DunningPlan, report?: RunReport): void {
  let chunk = `{"date":${JSON.stringify(plan.asOf)},"actions_incertaines":${JSON.stringify(report?.uncertain ?? [])},"jour_ouvre":${plan.nonBusinessDay === null},"jour_non_ouvre":${JSON.stringify(plan.nonBusinessDay)}`;
  const flush = () => {
    context.stdout.write(chunk);
    chunk = '';
  };
  const list = <T>(key: string, items: readonly T[], toJson: (item: T) => string) => {
    chunk += `,${JSON.stringify(key)}:[`;
    items.forEach((item, index) => {
      chunk += (index === 0 ? '' : ',') + toJson(item);
      if (chunk.length > 1 << 20) flush();
    });
    chunk += ']';
  };
  const held = new Map((report?.holds ?? []).map((h) => [h.action, h.holds]));
  list('actions', plan.actions, (a) => actionToJson(a, held.get(a) ?? []));
  list('exclues', plan.excluded, (e) =>
    JSON.stringify({
      numero: e.invoice.number,
      client: e.client.code,
      raison: e.reason,
      detail: e.detail,
      reste_du_centimes: e.invoice.outstanding,
    }),
  );
  list('en_attente', plan.waiting, (w) =>
    JSON.stringify({
      numero: w.invoice.number,
      client: w.client.code,
      etape: w.step,
      date: w.date,
      raison: w.reason,
    }),
  );
  list('avertissements', plan.warnings, (w) => JSON.stringify(w));
  chunk += '}\n';
  flush();
}

/** One action as JSON text; its invoices are written directly, as there may be hundreds of thousands. */
function actionToJson(a: PlannedAction, holds: readonly Hold[]): string {
  const invoices = a.invoices
    .map(
      (c) =>
        `{"numero":${JSON.stringify(c.invoice.number)},"echeance":"${c.invoice.dueDate}","reste_du_centimes":${c.invoice.outstanding},"conteste_centimes":${c.invoice.disputedPart ?? 0},"avoirs_centimes":${c.invoice.outstanding - c.claimed},"reclame_centimes":${c.claimed},"jours_retard":${c.daysLate},"reglee_le":${c.settledOn === null ? 'null' : `"${c.settledOn}"`},"penalites_centimes":${c.penalty.interest},"indemnite_centimes":${c.penalty.indemnity}}`,
    )
    .join(',');
  const head = JSON.stringify({
    client: a.client.code,
    client_nom: a.client.name,
    type_client: a.client.kind,
    devise: a.currency,
    etape: a.step.code,
    canal: a.channel,
    canal_remarque: a.channelNote,
    scenario: a.scenario,
  });
  const tail = JSON.stringify({
    avoirs: a.credits.map((k) => ({ numero: k.creditNote.number, montant_centimes: k.amount })),
    total_reclame_centimes: a.totalClaimed,
    total_penalites_centimes: a.totalInterest,
    total_indemnites_centimes: a.totalIndemnity,
    // What the documents of this step ask for: the principal, and for a mise en demeure or a
    // claim file the penalties and indemnities too.
    total_du_centimes: totalDue(a),
    blocages: holds.map((h) => ({ code: h.code, message: h.message, conseil: h.hint })),
  });
  return `${head.slice(0, -1)},"factures":[${invoices}],${tail.slice(1)}`;
}

function writePlan(context: Context, plan: DunningPlan): void {
  const c = colors(context);
  const out = (text: string) => context.stdout.write(text);
  const day = `${weekdayName(plan.asOf)} ${formatDateFr(plan.asOf)}`;
  out(`${c.bold(`Plan de relance du ${day}`)} ${c.dim('(simulation : rien n’est envoyé ni enregistré)')}\n`);
  if (plan.nonBusinessDay !== null) {
    out(
      c.yellow(
        `${formatDateFr(plan.asOf)} n'est pas un jour ouvré (${plan.nonBusinessDay}) : aucune relance ne part ce jour-là. --forcer pour passer outre.\n`,
      ),
    );
  }

  if (plan.actions.length === 0) out('\nAucune action à faire ce jour-là.\n');
  else {
    out(`\n${c.bold(plural(plan.actions.length, 'action', 'actions'))}\n`);
    out(
      `${renderTable(
        context,
        ['Client', 'Étape', 'Canal', 'Factures', 'Principal', 'Pénalités', 'Indemnités'],
        plan.actions
          .slice(0, ROWS_SHOWN)
          .map((a) => [
            clientLabel(a.client.name, a.client.code),
            STEP_LABELS[a.step.code],
            a.channelNote
              ? `${CHANNEL_LABELS[a.channel]}\n${c.dim(`(${a.channelNote})`)}`
              : CHANNEL_LABELS[a.channel],
            invoiceList(a),
            formatEuros(a.totalClaimed, a.currency),
            formatEuros(a.totalInterest, a.currency),
            formatEuros(a.totalIndemnity, a.currency),
          ]),
        [4, 5, 6],
      )}\n`,
    );
    more(context, Math.min(ROWS_SHOWN, plan.actions.length), plan.actions.length, 'actions');
    // What the documents ask for: the principal of reminders, penalties and indemnities where claimed.
    const totals = new Map<string, number>();
    for (const a of plan.actions) totals.set(a.currency, (totals.get(a.currency) ?? 0) + totalDue(a));
    out(
      `Total demandé par ces documents : ${[...totals].map(([currency, total]) => formatEuros(total, currency)).join(' + ')}\n`,
    );
  }

  if (plan.excluded.length > 0) {
    out(
      `\n${c.bold(plural(plan.excluded.length, 'facture en retard écartée', 'factures en retard écartées'))}\n`,
    );
    out(
      `${renderTable(
        context,
        ['Facture', 'Client', 'Reste dû', 'Raison'],
        plan.excluded
          .slice(0, ROWS_SHOWN)
          .map((e) => [
            e.invoice.number,
            e.client.code,
            formatEuros(e.invoice.outstanding, e.invoice.currency),
            e.detail ? `${EXCLUSION_LABELS[e.reason]} : ${e.detail}` : EXCLUSION_LABELS[e.reason],
          ]),
        [2],
      )}\n`,
    );
    more(context, Math.min(ROWS_SHOWN, plan.excluded.length), plan.excluded.length, 'factures écartées');
  }

  if (plan.waiting.length > 0) {
    out(`\n${c.bold('Prochaines étapes')}\n`);
    const shown = plan.waiting.slice(0, UPCOMING_SHOWN);
    out(
      `${renderTable(
        context,
        ['Date', 'Facture', 'Client', 'Étape', 'Pourquoi attendre'],
        shown.map((w) => [
          formatDateFr(w.date),
          w.invoice.number,
          w.client.code,
          STEP_LABELS[w.step],
          WAIT_LABELS[w.reason],
        ]),
      )}\n`,
    );
    if (shown.length < plan.waiting.length)
      out(c.dim(`… et ${plan.waiting.length - shown.length} autres (--json pour la liste complète).\n`));
  }
  for (const warning of plan.warnings) out(c.yellow(`Attention : ${warning}\n`));
}

function invoiceList(action: PlannedAction): string {
  const lines = action.invoices.map((c) =>
    c.daysLate > 0
      ? `${claimedNumber(c.invoice)} (${plural(c.daysLate, 'jour', 'jours')} de retard)`
      : `${claimedNumber(c.invoice)} (échéance le ${formatDateFr(c.invoice.dueDate)})`,
  );
  for (const credit of action.credits)
    lines.push(`avoir ${credit.creditNote.number} : -${formatEuros(credit.amount, action.currency)}`);
  return lines.join('\n');
}
