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
  type SmtpSettings,
  smtpMailer,
  smtpSettings,
} from '../adapters/mailer.js';
import { shippedTemplatesDir, Templates, userTemplatesDir } from '../adapters/templates.js';
import type { Context } from '../context.js';
import { type Creditor, missingCreditorFields } from '../domain/creditor.js';
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
    if (real) refuseRealRun(store, config, options);

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
    if (rendering && plan.actions.length > 0) requireCreditor(creditor, config);
    const needsSmtp =
      real &&
      options.outputDir === null &&
      plan.actions.some((a) => a.channel === 'email' || a.step.code === 'mise_en_demeure');
    if (needsSmtp) mailer = smtpMailer(requireSmtp(context, config));

    const day = new DayRun(context, store, config, creditor, options, mailer);
    for (const action of plan.actions) day.hold(action, actionHolds(action, day.holdContext));

    // Before anything leaves: one action of each kind rendered with its real data, so that a broken
    // template stops the run with nothing sent rather than half-way through.
    if (rendering) {
      const kinds = new Map<string, PlannedAction>();
      for (const action of plan.actions)
        kinds.set(`${action.step.code}/${action.channel}/${action.client.kind}`, action);
      for (const action of kinds.values()) await renderAction(action, day.data, day.settings);
      progress.phase(real ? 'Relances (actions)' : 'Documents écrits (actions)', plan.actions.length);
      for (const action of plan.actions) {
        await day.attempt(action);
        progress.update(day.outcomes.length);
      }
    }

    const openTasks = tasksToDo(store).map((t) => ({
      client: t.code,
      step: STEP_LABELS[t.step as keyof typeof STEP_LABELS] ?? t.step,
      date: t.date,
      document: t.document,
    }));
    return {
      holds: [...day.holds].map(([action, list]) => ({ action, holds: list })),
      plan: planWithWarnings,
      outcomes: day.outcomes,
      uncertain,
      openTasks: real ? openTasks : [],
      lettersDir: day.outcomes.some((o) => o.action.channel === 'courrier' && o.files.length > 0)
        ? day.lettersDir
        : null,
    };
  } finally {
    progress.stop();
    mailer?.close();
    release();
  }
}

/** A real run dated before the last one, or on a stale import, is refused. */
function refuseRealRun(store: Store, config: Config, options: RunOptions): void {
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

/** No letter or e-mail leaves without the company's full identity. */
function requireCreditor(creditor: Creditor, config: Config): void {
  const missing = missingCreditorFields(creditor);
  if (missing.length === 0) return;
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

function requireSmtp(context: Context, config: Config): SmtpSettings {
  const smtp = smtpSettings(context.env, config);
  if (smtp !== null) return smtp;
  throw new UserError('Aucun serveur d’envoi configuré : les e-mails ne peuvent pas partir.', [
    'Indiquez-le dans recouvre.toml ([smtp] url = "smtp://utilisateur@serveur:587") ou dans RECOUVRE_SMTP_URL,',
    'le mot de passe dans RECOUVRE_SMTP_MOT_DE_PASSE ; ou écrivez les messages dans un dossier avec --sortie.',
  ]);
}

/** The action recorded as pending, and what of it already exists outside the base. */
interface UnderWay {
  readonly id: number;
  sent: boolean;
  readonly files: string[];
}

/**
 * The actions of one day carried out in turn. A full disk (or a folder that cannot be written)
 * stops the run where it is: what was done before stays recorded, the action under way is failed
 * if nothing of it left, the rest is not tried, and the summary says so; nothing is ever left
 * half-written (see `write`).
 */
class DayRun {
  readonly outcomes: ActionOutcome[] = [];
  readonly holds = new Map<PlannedAction, Hold[]>();
  readonly data: DocumentData;
  readonly settings: Parameters<typeof renderAction>[2];
  readonly holdContext: { readonly signatory: boolean; readonly acceptEstimatedRates: boolean };
  readonly lettersDir: string;
  private readonly claimsDir: string;
  private readonly templates: Templates;
  private readonly recorder: ActionRecorder;
  private readonly from: string;
  private readonly real: boolean;
  private readonly madeDirs = new Set<string>();
  /** Why the e-mails of the rest of the run wait for the next one (the server cannot be reached). */
  private smtpDown: string | null = null;
  /** Why the rest of the run is not tried (a full disk, a folder that cannot be written). */
  private stopped: string | null = null;
  private underWay: UnderWay | null = null;

  constructor(
    private readonly context: Context,
    store: Store,
    private readonly config: Config,
    private readonly creditor: Creditor,
    private readonly options: RunOptions,
    private readonly mailer: Mailer | null,
  ) {
    this.real = !options.dryRun;
    const baseDir = dirname(store.path);
    this.lettersDir = options.outputDir ?? join(baseDir, 'courriers', options.asOf);
    this.claimsDir = options.outputDir ?? join(baseDir, 'dossiers', options.asOf);
    this.templates = new Templates([userTemplatesDir(store.path), shippedTemplatesDir()]);
    this.data = new DocumentData(store);
    this.settings = {
      templates: this.templates,
      creditor,
      asOf: options.asOf,
      deadlineDays: config.documents.delai_mise_en_demeure_jours,
    };
    this.from = config.smtp.expediteur ?? `${creditor.name} <${creditor.email}>`;
    this.holdContext = {
      signatory: (creditor.signatory ?? '').trim() !== '',
      acceptEstimatedRates: options.acceptEstimatedRates === true,
    };
    this.recorder = new ActionRecorder(store);
  }

  hold(action: PlannedAction, found: readonly Hold[]): void {
    if (found.length > 0) this.holds.set(action, [...(this.holds.get(action) ?? []), ...found]);
  }

  /** Carries out one action, or says why not; adds exactly one outcome. */
  async attempt(action: PlannedAction): Promise<void> {
    if (this.stopped !== null) {
      this.outcomes.push({ action, result: 'echec', detail: `non tentée : ${this.stopped}`, files: [] });
      return;
    }
    try {
      await this.carryOut(action);
    } catch (error) {
      const problem = storageProblem(error);
      if (problem === null) throw error;
      this.stopped = problem;
      this.outcomes.push(this.stoppedOutcome(action, problem));
    } finally {
      this.underWay = null;
    }
  }

  private async carryOut(action: PlannedAction): Promise<void> {
    const { real, options } = this;
    const held = this.holds.get(action);
    if (real && held !== undefined) {
      this.outcomes.push({ action, result: 'bloque', detail: holdText(held), files: [] });
      return;
    }
    const rendered = await renderAction(action, this.data, this.settings);
    // What leaves must add up: an edited (or an older exported) template that prints a total
    // other than the sum of its lines holds the action.
    const sums = rendered.email ? sumHolds(rendered.email, action, this.templates) : [];
    this.hold(action, sums);
    if (real && sums.length > 0) {
      this.outcomes.push({ action, result: 'bloque', detail: holdText(sums), files: [] });
      return;
    }
    const files: string[] = [];
    const sender = this.config.smtp.expediteur ?? this.creditor.email;
    const messageId = rendered.email ? newMessageId(sender) : null;
    const message: OutgoingMessage | null = rendered.email
      ? {
          ...rendered.email,
          from: this.from,
          replyTo: this.config.smtp.repondre_a ?? null,
          bcc: this.config.smtp.copie_cachee ?? null,
          messageId: messageId!,
          date: this.context.now,
        }
      : null;
    const emlName = `${safeName(action.client.code)}-${action.step.code}-${options.asOf}.eml`;
    const writeDocuments = () => {
      if (rendered.letter) this.write(files, this.lettersDir, rendered.letter.filename, rendered.letter.pdf);
      if (rendered.claimFile)
        this.write(files, this.claimsDir, rendered.claimFile.filename, rendered.claimFile.pdf);
    };

    if (!real) {
      // A dry run with --sortie: the documents, and nothing recorded.
      writeDocuments();
      if (message) this.write(files, options.outputDir!, emlName, await emlOf(message));
      this.outcomes.push({ action, result: 'ecrit', detail: null, files });
      return;
    }

    // 1. Recorded as pending, and committed, before anything leaves.
    const document = rendered.letter
      ? join(this.lettersDir, rendered.letter.filename)
      : rendered.claimFile
        ? join(this.claimsDir, rendered.claimFile.filename)
        : null;
    const actionId = this.recorder.begin({
      date: options.asOf,
      clientId: action.client.id,
      currency: action.currency,
      step: action.step.code,
      channel: action.channel,
      createdAt: this.context.now.toISOString(),
      messageId,
      document,
      invoices: action.invoices.map((c) => ({
        invoiceId: c.invoice.id,
        claimed: c.claimed,
        interest: c.penalty.interest,
        indemnity: c.penalty.indemnity,
      })),
    });
    const underWay: UnderWay = { id: actionId, sent: false, files };
    this.underWay = underWay;

    // 2. Carried out.
    let result: ActionOutcome['result'] =
      action.channel === 'appel' || action.channel === 'tache' ? 'tache' : 'ecrit';
    let detail: string | null = null;
    writeDocuments();
    if (message) {
      if (options.outputDir !== null) {
        this.write(files, options.outputDir, emlName, await emlOf(message));
      } else {
        const failure = await this.deliver(message);
        if (failure === null) {
          underWay.sent = true;
          if (action.channel === 'email') result = 'envoye';
        } else {
          result = 'echec';
          detail = failure;
        }
      }
    }
    // A letter is written whatever happens to its covering e-mail: it is posted anyway.
    const status =
      result === 'echec' && rendered.letter === null ? 'echec' : result === 'tache' ? 'a_faire' : 'fait';
    const now = this.context.clock().toISOString();
    this.recorder.finish(actionId, status, detail, now, {
      recordedAt: now,
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
    this.outcomes.push({ action, result, detail, files, emailSent: underWay.sent });
  }

  /** Sends one e-mail: null when it left, else why not, in French. */
  private async deliver(message: OutgoingMessage): Promise<string | null> {
    if (this.smtpDown !== null) return this.smtpDown;
    const delivery = await this.mailer!.send(message);
    if (delivery.ok) return null;
    const detail =
      delivery.kind === 'definitif'
        ? `refusé par le serveur : ${delivery.message}`
        : delivery.kind === 'temporaire'
          ? `refus temporaire, nouvel essai à la prochaine relance : ${delivery.message}`
          : `serveur d'envoi injoignable : ${delivery.message}`;
    // Once the server cannot be reached, the other e-mails of the run wait for the next one.
    if (delivery.kind !== 'definitif') this.smtpDown = detail;
    return detail;
  }

  /** Writes a document whole or not at all: a letter cut short by a full disk must never be printed. */
  private write(files: string[], dir: string, name: string, content: Buffer): void {
    if (!this.madeDirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    let path = join(dir, name);
    for (let k = 2; existsSync(path); k++) path = join(dir, name.replace(/(\.\w+)$/, `-${k}$1`));
    const partial = `${path}.partiel`;
    try {
      writeFileSync(partial, content);
      renameSync(partial, path);
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    }
    files.push(path);
  }

  /** The action under way when the disk stopped the run. */
  private stoppedOutcome(action: PlannedAction, problem: string): ActionOutcome {
    const recorded = this.underWay;
    const sent = recorded?.sent === true;
    // A letter or an e-mail file written, or an e-mail sent, has left (or may be posted): the
    // action stays pending, and the next run reports it as uncertain rather than doing it again.
    const left = sent || (recorded?.files.length ?? 0) > 0;
    if (recorded !== null && !left) {
      try {
        this.recorder.fail(recorded.id, problem, this.context.clock().toISOString());
      } catch {
        // The base cannot take it either: the action stays pending and the next run says so.
      }
    }
    return {
      action,
      result: sent ? 'envoye' : left ? 'ecrit' : 'echec',
      detail: left
        ? `${sent ? 'envoyé' : 'écrit'}, mais pas enregistré comme fait (${problem}) : la prochaine relance le signalera comme incertain`
        : problem,
      files: recorded?.files ?? [],
      emailSent: sent,
    };
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
