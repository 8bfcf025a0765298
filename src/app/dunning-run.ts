import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Config, creditorOf } from '../adapters/config.js';
import {
  ActionRecorder,
  lastImportDate,
  lastRunDate,
  settleUnfinished,
  tasksToDo,
  unfinishedActions,
} from '../adapters/db/action-store.js';
import { acquireLock } from '../adapters/db/lock.js';
import type { Store } from '../adapters/db/open.js';
import {
  emlOf,
  type Mailer,
  newMessageId,
  type OutgoingMessage,
  smtpMailer,
  smtpSettings,
} from '../adapters/mailer.js';
import { shippedTemplatesDir, Templates, userTemplatesDir } from '../adapters/templates.js';
import type { Context } from '../context.js';
import { missingCreditorFields } from '../domain/creditor.js';
import { daysBetween, formatDateFr, type IsoDate } from '../domain/dates.js';
import type { DunningPlan, DunningRules, PlannedAction } from '../domain/dunning.js';
import { actionHolds, type Hold } from '../domain/holds.js';
import { htmlLines, printedSumProblems } from '../domain/printed-sums.js';
import { type Progress, SILENT } from '../domain/progress.js';
import { STEP_LABELS } from '../domain/scenario.js';
import { UserError } from '../errors.js';
import { computeDunningPlan } from './dunning-plan.js';
import { DocumentData, renderAction, safeName } from './render-action.js';

export interface RunOptions {
  readonly asOf: IsoDate;
  readonly clientId?: number | undefined;
  /** Show and render, record nothing, send nothing. */
  readonly dryRun: boolean;
  /** Write each e-mail as .eml and each letter as PDF into this folder instead of sending. */
  readonly outputDir: string | null;
  readonly resendUncertain: boolean;
  readonly ignoreStaleness: boolean;
  /** Write a mise en demeure or a claim file even on an estimated rate. */
  readonly acceptEstimatedRates?: boolean;
  /** Told the phase and each action done, for a progress display. */
  readonly progress?: Progress;
}

export interface ActionOutcome {
  readonly action: PlannedAction;
  /** `bloque`: not carried out, not recorded (see `holds`); the next run tries again. */
  readonly result: 'envoye' | 'ecrit' | 'tache' | 'echec' | 'bloque';
  readonly detail: string | null;
  readonly files: readonly string[];
  /** An e-mail left for the client: the reminder itself, or the copy of a letter. */
  readonly emailSent?: boolean;
}

export interface RunReport {
  readonly plan: DunningPlan;
  readonly outcomes: readonly ActionOutcome[];
  /** Actions of an earlier run that may or may not have reached the client. */
  readonly uncertain: readonly { readonly client: string; readonly step: string; readonly date: string }[];
  readonly openTasks: readonly {
    readonly client: string;
    readonly step: string;
    readonly date: string;
    readonly document: string | null;
  }[];
  readonly lettersDir: string | null;
  /** The actions that a real run does not carry out as they stand, and why. */
  readonly holds: readonly { readonly action: PlannedAction; readonly holds: readonly Hold[] }[];
}

/** Staleness: the main cause of chasing a paid invoice is an export not imported for days. */
export function stalenessWarning(store: Store, config: Config, asOf: IsoDate): string | null {
  const last = lastImportDate(store);
  const max = config.documents.anciennete_import_max_jours;
  if (last === null)
    return "aucun import de factures : recouvre ne connaît aucun règlement. Importez l'export du jour avant de relancer.";
  const age = daysBetween(last, asOf);
  if (age <= max) return null;
  return `le dernier import date du ${formatDateFr(last)} (${age} jours avant le ${formatDateFr(asOf)}) : des règlements reçus depuis sont peut-être inconnus de recouvre. Importez l'export du jour avant de relancer.`;
}

function holdText(holds: readonly Hold[]): string {
  return holds.map((h) => `${h.message} ${h.hint}`).join(' ');
}

/** The e-mail's printed totals that are not the sum of the lines above them, as holds. */
function sumHolds(
  email: { readonly text: string; readonly html: string },
  action: PlannedAction,
  templates: Templates,
): Hold[] {
  const holds: Hold[] = [];
  for (const [kind, lines] of [
    ['texte', email.text.split('\n')],
    ['html', htmlLines(email.html)],
  ] as const) {
    const problem = printedSumProblems(lines)[0];
    if (!problem) continue;
    const name = `email/${action.step.code}.${kind}`;
    holds.push({
      code: 'sommes',
      message: `l'e-mail (${kind}) imprime « ${problem.text} », qui n'est pas la somme des lignes au-dessus.`,
      hint: `Corrigez le modèle ${templates.pathOf(name) ?? name} ou ses partiels (modeles/partials/factures.*.hbs) : chaque ligne de facture affiche {{reste_du}}, puis les avoirs, puis le total.`,
    });
  }
  return holds;
}

/**
 * Carries out the plan of a day. Each action is recorded as pending (and committed) before
 * anything leaves, then completed: a run killed between the two leaves a pending action that the
 * next run reports as uncertain and does not redo unless asked.
 */
export async function runDunning(
  context: Context,
  store: Store,
  rules: DunningRules & { config: Config },
  options: RunOptions,
): Promise<RunReport> {
  const { config } = rules;
  const real = !options.dryRun;
  const progress = options.progress ?? SILENT;
  const release = real ? await acquireLock(store.path) : () => {};
  let mailer: Mailer | null = null;
  try {
    if (real) {
      const last = lastRunDate(store);
      if (last && options.asOf < last) {
        throw new UserError(
          `Une relance réelle a déjà eu lieu le ${formatDateFr(last)} : impossible d'en faire une datée du ${formatDateFr(options.asOf)}.`,
          ['Pour simuler une date passée : recouvre relancer --dry-run --date …'],
        );
      }
      const stale = stalenessWarning(store, config, options.asOf);
      if (stale && !options.ignoreStaleness) {
        throw new UserError(`Relance refusée : ${stale}`, [
          'Si vous êtes sûr que rien n’a été payé depuis : --ignorer-anciennete.',
        ]);
      }
    }

    // Actions left pending by a run that stopped half-way: they may have reached the client.
    const pending = unfinishedActions(store);
    if (real && pending.length > 0) settleUnfinished(store, pending, options.resendUncertain);
    const uncertain =
      options.resendUncertain && real
        ? []
        : pending.map((p) => ({ client: p.code, step: p.step, date: p.date }));

    const plan = computeDunningPlan(store, rules, options.asOf, { clientId: options.clientId, progress });
    const stale = stalenessWarning(store, config, options.asOf);
    const planWithWarnings: DunningPlan =
      stale && !real ? { ...plan, warnings: [`${stale}`, ...plan.warnings] } : plan;

    const rendering = real || options.outputDir !== null;
    const creditor = creditorOf(config);
    if (rendering && plan.actions.length > 0) {
      const missing = missingCreditorFields(creditor);
      if (missing.length > 0) {
        throw new UserError(
          `L'identité de votre société est incomplète dans ${config.path} : ${missing.map((m) => `creancier.${m}`).join(', ')}.`,
          [
            'Aucun courrier ni e-mail ne part sans elle. Ajoutez par exemple :',
            '  [creancier]',
            '  raison_sociale = "Dupont SARL"',
            '  siren = "732829320"',
            '  adresse = "12 rue des Lilas\\n75011 Paris"',
            '  email = "compta@dupont.fr"',
            '  telephone = "01 23 45 67 89"',
          ],
        );
      }
    }
    const needsSmtp =
      real &&
      options.outputDir === null &&
      plan.actions.some((a) => a.channel === 'email' || a.step.code === 'mise_en_demeure');
    const smtp = smtpSettings(context.env, config);
    if (needsSmtp && smtp === null) {
      throw new UserError('Aucun serveur d’envoi configuré : les e-mails ne peuvent pas partir.', [
        'Indiquez-le dans recouvre.toml ([smtp] url = "smtp://utilisateur@serveur:587") ou dans RECOUVRE_SMTP_URL,',
        'le mot de passe dans RECOUVRE_SMTP_MOT_DE_PASSE ; ou écrivez les messages dans un dossier avec --sortie.',
      ]);
    }
    if (needsSmtp && smtp) mailer = smtpMailer(smtp);

    const baseDir = dirname(store.path);
    const lettersDir = options.outputDir ?? join(baseDir, 'courriers', options.asOf);
    const claimsDir = options.outputDir ?? join(baseDir, 'dossiers', options.asOf);
    const templates = new Templates([userTemplatesDir(store.path), shippedTemplatesDir()]);
    const data = new DocumentData(store);
    const settings = {
      templates,
      creditor,
      asOf: options.asOf,
      deadlineDays: config.documents.delai_mise_en_demeure_jours,
    };
    const from = config.smtp.expediteur ?? `${creditor.name} <${creditor.email}>`;
    const holdContext = {
      signatory: (creditor.signatory ?? '').trim() !== '',
      acceptEstimatedRates: options.acceptEstimatedRates === true,
    };
    const holds = new Map<PlannedAction, Hold[]>();
    for (const action of plan.actions) {
      const found = actionHolds(action, holdContext);
      if (found.length > 0) holds.set(action, found);
    }
    const outcomes: ActionOutcome[] = [];
    let smtpDown: string | null = null;

    const recorder = new ActionRecorder(store);

    // Before anything leaves: one action of each kind rendered with its real data, so that a broken
    // template stops the run with nothing sent rather than half-way through.
    if (rendering) {
      const kinds = new Map<string, PlannedAction>();
      for (const action of plan.actions)
        kinds.set(`${action.step.code}/${action.channel}/${action.client.kind}`, action);
      for (const action of kinds.values()) await renderAction(action, data, settings);
    }

    let done = 0;
    if (rendering)
      progress.phase(real ? 'Relances (actions)' : 'Documents écrits (actions)', plan.actions.length);
    const madeDirs = new Set<string>();
    // A full disk (or a folder that cannot be written) stops the run where it is: what was done
    // before stays recorded, the action under way is failed if nothing of it left, the rest is
    // not tried, and the summary says so; nothing is ever left half-written (see `write`).
    // The action recorded as pending, and what of it already exists outside the base.
    const underWay: {
      current: { id: number; sent: boolean; files: string[] } | null;
    } = { current: null };
    let stopped: string | null = null;
    const carryOut = async (action: PlannedAction): Promise<void> => {
      if (real && holds.has(action)) {
        outcomes.push({ action, result: 'bloque', detail: holdText(holds.get(action)!), files: [] });
        progress.update(++done);
        return;
      }
      const rendered = await renderAction(action, data, settings);
      // What leaves must add up: an edited (or an older exported) template that prints a total
      // other than the sum of its lines holds the action.
      const sums = rendered.email ? sumHolds(rendered.email, action, templates) : [];
      if (sums.length > 0) {
        holds.set(action, [...(holds.get(action) ?? []), ...sums]);
        if (real) {
          outcomes.push({ action, result: 'bloque', detail: holdText(sums), files: [] });
          progress.update(++done);
          return;
        }
      }
      const files: string[] = [];
      const write = (dir: string, name: string, content: Buffer) => {
        if (!madeDirs.has(dir)) {
          mkdirSync(dir, { recursive: true });
          madeDirs.add(dir);
        }
        let path = join(dir, name);
        for (let k = 2; existsSync(path); k++) path = join(dir, name.replace(/(\.\w+)$/, `-${k}$1`));
        // Whole or not at all: a letter cut short by a full disk must never be printed.
        const partial = `${path}.partiel`;
        try {
          writeFileSync(partial, content);
          renameSync(partial, path);
        } catch (error) {
          rmSync(partial, { force: true });
          throw error;
        }
        files.push(path);
        return path;
      };
      const messageId = rendered.email ? newMessageId(config.smtp.expediteur ?? creditor.email) : null;
      const message: OutgoingMessage | null = rendered.email
        ? {
            ...rendered.email,
            from,
            replyTo: config.smtp.repondre_a ?? null,
            bcc: config.smtp.copie_cachee ?? null,
            messageId: messageId!,
            date: context.now,
          }
        : null;

      if (!real) {
        // A dry run with --sortie: the documents, and nothing recorded.
        if (rendered.letter) write(lettersDir, rendered.letter.filename, rendered.letter.pdf);
        if (rendered.claimFile) write(claimsDir, rendered.claimFile.filename, rendered.claimFile.pdf);
        if (message)
          write(
            options.outputDir!,
            `${safeName(action.client.code)}-${action.step.code}-${options.asOf}.eml`,
            await emlOf(message),
          );
        outcomes.push({ action, result: 'ecrit', detail: null, files });
        progress.update(++done);
        return;
      }

      // 1. Recorded as pending, and committed, before anything leaves.
      const document = rendered.letter
        ? join(lettersDir, rendered.letter.filename)
        : rendered.claimFile
          ? join(claimsDir, rendered.claimFile.filename)
          : null;
      const actionId = recorder.begin({
        date: options.asOf,
        clientId: action.client.id,
        currency: action.currency,
        step: action.step.code,
        channel: action.channel,
        createdAt: context.now.toISOString(),
        messageId,
        document,
        invoices: action.invoices.map((c) => ({
          invoiceId: c.invoice.id,
          claimed: c.claimed,
          interest: c.penalty.interest,
          indemnity: c.penalty.indemnity,
        })),
      });
      underWay.current = { id: actionId, sent: false, files };

      // 2. Carried out.
      let result: ActionOutcome['result'] = 'ecrit';
      let detail: string | null = null;
      let emailSent = false;
      if (rendered.letter) write(lettersDir, rendered.letter.filename, rendered.letter.pdf);
      if (rendered.claimFile) write(claimsDir, rendered.claimFile.filename, rendered.claimFile.pdf);
      if (action.channel === 'appel' || action.channel === 'tache') result = 'tache';
      if (message) {
        if (options.outputDir !== null) {
          write(
            options.outputDir,
            `${safeName(action.client.code)}-${action.step.code}-${options.asOf}.eml`,
            await emlOf(message),
          );
        } else if (smtpDown !== null) {
          result = 'echec';
          detail = smtpDown;
        } else {
          const delivery = await mailer!.send(message);
          if (delivery.ok) {
            emailSent = true;
            underWay.current.sent = true;
            if (action.channel === 'email') result = 'envoye';
          } else {
            result = 'echec';
            detail =
              delivery.kind === 'definitif'
                ? `refusé par le serveur : ${delivery.message}`
                : delivery.kind === 'temporaire'
                  ? `refus temporaire, nouvel essai à la prochaine relance : ${delivery.message}`
                  : `serveur d'envoi injoignable : ${delivery.message}`;
            // Once the server cannot be reached, the other e-mails of the run wait for the next one.
            if (delivery.kind !== 'definitif') smtpDown = detail;
          }
        }
      }
      // A letter is written whatever happens to its covering e-mail: it is posted anyway.
      const status =
        result === 'echec' && rendered.letter === null ? 'echec' : result === 'tache' ? 'a_faire' : 'fait';
      recorder.finish(actionId, status, detail, context.clock().toISOString(), {
        recordedAt: context.clock().toISOString(),
        date: options.asOf,
        kind: 'relance',
        clientId: action.client.id,
        invoiceId: null,
        details: {
          action: actionId,
          etape: action.step.code,
          canal: action.channel,
          factures: action.invoices.map((c) => c.invoice.number),
          message_id: messageId,
          document,
          resultat: status,
          erreur: detail,
        },
      });
      outcomes.push({ action, result, detail, files, emailSent });
      progress.update(++done);
    };
    for (const action of rendering ? plan.actions : []) {
      if (stopped !== null) {
        outcomes.push({ action, result: 'echec', detail: `non tentée : ${stopped}`, files: [] });
        progress.update(++done);
        continue;
      }
      try {
        await carryOut(action);
      } catch (error) {
        const problem = storageProblem(error);
        if (problem === null) throw error;
        stopped = problem;
        const recorded = underWay.current;
        const sent = recorded?.sent === true;
        // A letter or an e-mail file written, or an e-mail sent, has left (or may be posted): the
        // action stays pending, and the next run reports it as uncertain rather than doing it again.
        const left = sent || (recorded?.files.length ?? 0) > 0;
        if (recorded !== null && !left) {
          try {
            recorder.fail(recorded.id, problem, context.clock().toISOString());
          } catch {
            // The base cannot take it either: the action stays pending and the next run says so.
          }
        }
        outcomes.push({
          action,
          result: sent ? 'envoye' : left ? 'ecrit' : 'echec',
          detail: left
            ? `${sent ? 'envoyé' : 'écrit'}, mais pas enregistré comme fait (${problem}) : la prochaine relance le signalera comme incertain`
            : problem,
          files: recorded?.files ?? [],
          emailSent: sent,
        });
        progress.update(++done);
      }
      underWay.current = null;
    }

    const openTasks = tasksToDo(store).map((t) => ({
      client: t.code,
      step: STEP_LABELS[t.step as keyof typeof STEP_LABELS] ?? t.step,
      date: t.date,
      document: t.document,
    }));
    return {
      holds: [...holds].map(([action, list]) => ({ action, holds: list })),
      plan: planWithWarnings,
      outcomes,
      uncertain,
      openTasks: real ? openTasks : [],
      lettersDir: outcomes.some((o) => o.action.channel === 'courrier' && o.files.length > 0)
        ? lettersDir
        : null,
    };
  } finally {
    progress.stop();
    mailer?.close();
    release();
  }
}

/** What stops a run for lack of room or rights to write, in French; null for anything else. */
function storageProblem(error: unknown): string | null {
  const { code, path } = (error ?? {}) as { code?: string; path?: string };
  const where = path ? ` (${path})` : '';
  if (code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 'EDQUOT') return `disque plein${where}`;
  if (code === 'EROFS' || code === 'SQLITE_READONLY') return `disque ou base en lecture seule${where}`;
  if (code === 'EACCES' || code === 'EPERM') return `écriture refusée${where}`;
  return null;
}
