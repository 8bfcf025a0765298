import type { ClientKind } from './invoice-row.js';
import type { Cents } from './money.js';

/**
 * The dunning scenario: which step comes when, by which channel. The default follows the practice
 * of credit managers (shared/domain/droit-et-taux.md §12); recouvre.toml may change it, per client
 * kind and per client.
 */
export type StepCode =
  | 'preavis'
  | 'rappel'
  | 'relance'
  | 'appel'
  | 'mise_en_demeure'
  | 'contentieux'
  /** The claim of the penalties of invoices paid late (domain/late-fees.ts): apart from the ladder. */
  | 'penalites';
export type Channel = 'email' | 'courrier' | 'appel' | 'tache';

export const STEP_CODES: readonly StepCode[] = [
  'preavis',
  'rappel',
  'relance',
  'appel',
  'mise_en_demeure',
  'contentieux',
  'penalites',
];
export const CHANNELS: readonly Channel[] = ['email', 'courrier', 'appel', 'tache'];

export const STEP_LABELS: Readonly<Record<StepCode, string>> = {
  preavis: 'préavis',
  rappel: 'rappel amical',
  relance: 'relance',
  appel: 'appel',
  mise_en_demeure: 'mise en demeure',
  contentieux: 'contentieux',
  penalites: 'pénalités de retard',
};

export const CHANNEL_LABELS: Readonly<Record<Channel, string>> = {
  email: 'e-mail',
  courrier: 'courrier',
  appel: 'appel (tâche)',
  tache: 'tâche',
};

/** Channels that leave a written trace with the debtor: a call or a task does not. */
export const WRITTEN_CHANNELS: ReadonlySet<string> = new Set<Channel>(['email', 'courrier']);

/** Steps after which the debtor has been formally put on notice: never a first contact. */
export const ESCALATION_STEPS: ReadonlySet<StepCode> = new Set(['mise_en_demeure', 'contentieux']);

/** Steps whose documents claim the penalties and indemnities, period by period, on top of the principal. */
export const PENALTY_CLAIM_STEPS: ReadonlySet<StepCode> = new Set([...ESCALATION_STEPS, 'penalites']);

export interface Step {
  readonly code: StepCode;
  /** Days after the due date (negative for a courtesy notice before it). */
  readonly days: number;
  readonly channel: Channel;
  /** Below this amount claimed, the step is left out of the scenario. */
  readonly minAmount: Cents | null;
}

export interface Scenario {
  readonly name: string;
  /** The ladder of an open invoice, in the order of its delays. */
  readonly steps: readonly Step[];
  /**
   * The claim of the penalties of invoices paid late, when the scenario has it (off by default):
   * its days are the least delay, between due date and payment, that is claimed.
   */
  readonly lateFees: Step | null;
  /** Applies to clients of this kind (unless a scenario names the client). */
  readonly clientKind: ClientKind | null;
  /** Applies to these client codes. */
  readonly clients: readonly string[];
}

export interface DunningSettings {
  /** Invoices with less than this still due (after payments and credit notes) are not chased. */
  readonly threshold: Cents;
  /** Days between two actions to the same client, whatever sent the last one. */
  readonly minIntervalDays: number;
  /** One action per client and currency (the default), or one per invoice. */
  readonly grouping: 'client' | 'facture';
  /** What an e-mail step becomes for a client without an e-mail address. */
  readonly noEmailChannel: 'courrier' | 'appel';
  /** Alsace-Moselle's two extra public holidays (Good Friday, 26 December). */
  readonly alsaceMoselle: boolean;
  /** The default scenario first, then the named ones. */
  readonly scenarios: readonly Scenario[];
}

export const DEFAULT_STEPS: readonly Step[] = [
  { code: 'rappel', days: 5, channel: 'email', minAmount: null },
  { code: 'relance', days: 15, channel: 'email', minAmount: null },
  { code: 'mise_en_demeure', days: 30, channel: 'courrier', minAmount: null },
  { code: 'contentieux', days: 45, channel: 'tache', minAmount: null },
];

export const DEFAULT_SETTINGS: DunningSettings = {
  threshold: 500 as Cents,
  minIntervalDays: 7,
  grouping: 'client',
  noEmailChannel: 'courrier',
  alsaceMoselle: false,
  scenarios: [{ name: 'defaut', steps: DEFAULT_STEPS, lateFees: null, clients: [], clientKind: null }],
};

/**
 * The scenario of a client: one that names it, else one for its kind, else the default.
 * `scenarioFor(settings, 'C004', 'particulier').name` → `'particuliers'` when such a scenario exists.
 */
export function scenarioFor(settings: DunningSettings, clientCode: string, kind: ClientKind): Scenario {
  const [fallback, ...named] = settings.scenarios;
  return (
    named.find((s) => s.clients.includes(clientCode)) ??
    named.find((s) => s.clientKind === kind && s.clients.length === 0) ??
    fallback!
  );
}

/** Problems with a list of steps, in French, for the configuration check. */
export function checkSteps(steps: readonly Step[]): string[] {
  const problems: string[] = [];
  const seen = new Set<StepCode>();
  for (const step of steps) {
    if (step.code !== 'penalites') continue;
    if (seen.has(step.code)) problems.push("l'étape « penalites » figure deux fois");
    seen.add(step.code);
    if (step.days < 0)
      problems.push("l'étape « penalites » compte les jours de retard du règlement : 0 ou plus");
    if (step.channel !== 'email' && step.channel !== 'courrier')
      problems.push("l'étape « penalites » est une réclamation écrite : canal « email » ou « courrier »");
  }
  const ladder = steps.filter((step) => step.code !== 'penalites');
  ladder.forEach((step, index) => {
    if (seen.has(step.code)) problems.push(`l'étape « ${step.code} » figure deux fois`);
    seen.add(step.code);
    if (step.days < 0 && step.code !== 'preavis')
      problems.push(`l'étape « ${step.code} » ne peut pas précéder l'échéance (seul le préavis le peut)`);
    if (step.code === 'preavis' && step.days >= 0)
      problems.push("le préavis se place avant l'échéance (jours négatifs, par exemple -3)");
    if (step.code === 'contentieux' && step.channel !== 'tache')
      problems.push("le contentieux n'est pas envoyé au débiteur : canal « tache »");
    const previous = ladder[index - 1];
    if (previous && previous.days >= step.days)
      problems.push(
        `les étapes vont dans l'ordre des délais : « ${step.code} » (${step.days} j) vient après « ${previous.code} » (${previous.days} j)`,
      );
  });
  if (ladder.length === 0) problems.push('le scénario doit avoir au moins une étape de relance');
  return problems;
}
