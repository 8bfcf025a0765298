import { type HolidayCalendar, nextBusinessDay, nonBusinessReason } from './business-days.js';
import { addDays, daysBetween, formatDateFr, type IsoDate } from './dates.js';
import type { ClientKind } from './invoice-row.js';
import { type Cents, formatEuros } from './money.js';
import {
  computePenalties,
  type DatedAmount,
  formalNoticeReceipt,
  type Penalty,
  type PenaltyOptions,
  type PenaltyTerms,
} from './penalties.js';
import { prescriptionDetail, prescriptionState } from './prescription.js';
import type { RateTables } from './rates.js';
import {
  type Channel,
  type DunningSettings,
  ESCALATION_STEPS,
  PENALTY_CLAIM_STEPS,
  type Scenario,
  STEP_LABELS,
  type Step,
  type StepCode,
  scenarioFor,
  WRITTEN_CHANNELS,
} from './scenario.js';

/**
 * The dunning engine: for every open invoice, what a careful credit manager would do today.
 * Pure: it gets what the store knows and the calendar day, and returns decisions. The dry run
 * prints them; the real run carries out the same list.
 */

export interface DunningClient {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly kind: ClientKind;
  readonly hasEmail: boolean;
  /** A postal address is known: a letter can be posted. */
  readonly hasAddress: boolean;
  readonly paused: boolean;
  readonly pausedUntil: IsoDate | null;
  readonly pauseReason: string | null;
}

export interface DunningInvoice {
  readonly id: number;
  readonly number: string;
  readonly clientId: number;
  /**
   * For a credit note, its date: applied to an invoice, it counts from then. Null for an invoice
   * (the engine needs no other issue date, and a large store reads faster without it).
   */
  readonly creditDate: IsoDate | null;
  readonly dueDate: IsoDate;
  readonly currency: string;
  readonly amount: Cents;
  readonly declaredPaid: Cents;
  /** Dated payments that may be the money the export declares as paid. */
  readonly payments: readonly DatedAmount[];
  /** Payments typed by hand after the last import: on top of the declared amount. */
  readonly freshPayments: readonly DatedAmount[];
  /** Everything recorded so far counts, whatever the run's date ("the calendar, not the knowledge"). */
  readonly outstanding: Cents;
  readonly disputed: boolean;
  /** Issued after the day of the run (a run dated in the past): not yet a receivable that day. */
  readonly issuedLater: boolean;
  readonly disputeReason: string | null;
  readonly paused: boolean;
  readonly pausedUntil: IsoDate | null;
  readonly pauseReason: string | null;
  /** The part its client contests (lifecycle status 206), left out of `amount` and `outstanding`. */
  readonly disputedPart?: Cents;
  /** The lifecycle status that withdrew it (213 « Rejetée », 220 « Annulée »): never chased. */
  readonly withdrawn?: number | null;
}

/**
 * An invoice's number as a claim names it: with the contested part when its client accepted only
 * part of it, so that the debtor and the user see why less than the invoice is asked.
 * `claimedNumber({ number: 'F1', disputedPart: 30000, currency: 'EUR', … })` → `F1 (part acceptée ; 300,00 € contestés, non réclamés)`.
 */
export function claimedNumber(invoice: DunningInvoice): string {
  return invoice.disputedPart
    ? `${invoice.number} (part acceptée ; ${formatEuros(invoice.disputedPart, invoice.currency)} contestés, non réclamés)`
    : invoice.number;
}

/** An invoice nothing holds back: not disputed, not paused, issued by the day of the run. */
export const UNHELD = {
  disputed: false,
  issuedLater: false,
  disputeReason: null,
  paused: false,
  pausedUntil: null,
  pauseReason: null,
} as const satisfies Partial<DunningInvoice>;

/** An action already taken (sent, pending, uncertain, or recorded by hand): it is never redone. */
export interface PastAction {
  readonly clientId: number;
  readonly date: IsoDate;
  readonly step: string;
  readonly channel: string;
  /** Done for sure (`fait`), rather than pending, uncertain or a task still to do. */
  readonly done: boolean;
  /** For a mise en demeure: the day it was received, when the user recorded it. */
  readonly receivedOn: IsoDate | null;
  readonly invoiceIds: readonly number[];
}

export interface PaymentPlan {
  readonly id: number;
  readonly clientId: number;
  readonly date: IsoDate;
  readonly invoices: readonly { readonly invoiceId: number; readonly outstandingAtStart: Cents }[];
  readonly instalments: readonly { readonly dueDate: IsoDate; readonly amount: Cents }[];
}

export interface DunningInput {
  readonly asOf: IsoDate;
  readonly clients: ReadonlyMap<number, DunningClient>;
  /** Open invoices and credit notes (outstanding not zero). */
  readonly invoices: readonly DunningInvoice[];
  readonly actions: readonly PastAction[];
  readonly plans: readonly PaymentPlan[];
  /** The last event that interrupted the prescription of an invoice, by invoice id. */
  readonly interruptions: ReadonlyMap<number, IsoDate>;
}

export interface DunningRules {
  readonly settings: DunningSettings;
  readonly penalties: PenaltyTerms;
  readonly rates: RateTables;
  readonly holidays: HolidayCalendar;
  /** Act even on a weekend or public holiday. */
  readonly force: boolean;
}

export interface CoveredInvoice {
  readonly invoice: DunningInvoice;
  /** Outstanding less the credit notes applied to it: what this reminder claims. */
  readonly claimed: Cents;
  readonly daysLate: number;
  /** Credit notes applied to this invoice. */
  readonly credits: readonly AppliedCredit[];
  readonly penalty: Penalty;
  /** For a private client: the mise en demeure whose receipt makes the legal interest run. */
  readonly noticeReceipt: NoticeReceipt | null;
  /** For the claim of the penalties of an invoice paid late: the day it was paid. */
  readonly settledOn: IsoDate | null;
}

export type NoticeReceipt = NonNullable<ReturnType<typeof formalNoticeReceipt>>;

export interface AppliedCredit {
  readonly creditNote: DunningInvoice;
  readonly amount: Cents;
}

export interface PlannedAction {
  readonly client: DunningClient;
  readonly currency: string;
  readonly step: Step;
  readonly channel: Channel;
  /** Why the channel differs from the scenario's, if it does. */
  readonly channelNote: string | null;
  readonly scenario: string;
  /** No covered invoice had been reminded before: the wording must not say "our last reminder". */
  readonly firstContact: boolean;
  readonly invoices: readonly CoveredInvoice[];
  readonly credits: readonly AppliedCredit[];
  readonly totalClaimed: Cents;
  readonly totalInterest: Cents;
  readonly totalIndemnity: Cents;
}

export type ExclusionReason =
  | 'retiree'
  | 'litige'
  | 'pause'
  | 'pause_client'
  | 'echeancier'
  | 'avoir'
  | 'sous_seuil'
  | 'scenario_termine'
  | 'prescrite'
  | 'sans_relance_ecrite';

export const EXCLUSION_LABELS: Readonly<Record<ExclusionReason, string>> = {
  retiree: 'rejetée ou annulée',
  litige: 'en litige',
  pause: 'en pause',
  pause_client: 'client en pause',
  echeancier: 'échéancier respecté',
  avoir: 'couverte par un avoir',
  sous_seuil: 'sous le seuil',
  scenario_termine: 'scénario terminé',
  prescrite: 'prescrite',
  sans_relance_ecrite: 'aucune relance écrite avant la mise en demeure',
};

export interface Exclusion {
  readonly invoice: DunningInvoice;
  readonly client: DunningClient;
  readonly reason: ExclusionReason;
  readonly detail: string;
}

export type WaitReason = 'delai' | 'intervalle' | 'jour_non_ouvre';

export interface Waiting {
  readonly invoice: DunningInvoice;
  readonly client: DunningClient;
  readonly step: StepCode;
  readonly date: IsoDate;
  readonly reason: WaitReason;
}

export interface DunningPlan {
  readonly asOf: IsoDate;
  /** Null on a business day; else why nothing goes out today ("samedi", "Noël (jour férié)"). */
  readonly nonBusinessDay: string | null;
  readonly actions: readonly PlannedAction[];
  readonly excluded: readonly Exclusion[];
  readonly waiting: readonly Waiting[];
  readonly warnings: readonly string[];
}

interface History {
  readonly steps: Set<string>;
  /** The mises en demeure that covered the invoice. */
  readonly notices: { date: IsoDate; receivedOn: IsoDate | null }[];
  /** A reminder in writing (e-mail or letter), done for sure: the ladder before a mise en demeure. */
  written: boolean;
}

/** Steps that remind the debtor of a debt already due; in writing, they open the way to a mise en demeure. */
const REMINDER_STEPS: ReadonlySet<string> = new Set(['rappel', 'relance']);

type Decision =
  | { readonly kind: 'act'; readonly index: number }
  | { readonly kind: 'wait'; readonly index: number; readonly until: IsoDate }
  | { readonly kind: 'done'; readonly lastStep: string }
  /** A mise en demeure is due, but no reminder in writing came before and the scenario has none. */
  | { readonly kind: 'unwritten' };

interface Candidate {
  readonly invoice: DunningInvoice;
  readonly claimed: Cents;
  readonly credits: AppliedCredit[];
  readonly position: number;
  decision: Decision;
}

/**
 * Works out every action due on `input.asOf`, every overdue invoice left out and why, and what
 * comes next. `planDunning({ asOf: '2026-11-20', … }, rules).actions[0].step.code` → `'relance'`.
 */
export function planDunning(
  input: DunningInput,
  rules: DunningRules,
  options: { readonly priced?: boolean; readonly sorted?: boolean } = {},
): DunningPlan {
  // The report only needs who gets what step: it skips the penalties of each covered invoice,
  // and the ordering of the lists, which it sorts its own way.
  const priced = options.priced ?? true;
  const { asOf } = input;
  const { settings } = rules;
  const warnings = new Set<string>();
  const histories = historiesOf(input.actions);
  const lastActionByClient = new Map<number, IsoDate>();
  for (const action of input.actions) {
    const last = lastActionByClient.get(action.clientId);
    if (last === undefined || action.date > last) lastActionByClient.set(action.clientId, action.date);
  }
  const planByInvoice = plansByInvoice(input, warnings);

  // Group open items per client and currency: amounts are never summed across currencies.
  const byClient = new Map<number, Map<string, DunningInvoice[]>>();
  for (const invoice of input.invoices) {
    let currencies = byClient.get(invoice.clientId);
    if (!currencies) {
      currencies = new Map();
      byClient.set(invoice.clientId, currencies);
    }
    const list = currencies.get(invoice.currency);
    if (list) list.push(invoice);
    else currencies.set(invoice.currency, [invoice]);
  }
  const groups = [...byClient.values()].flatMap((currencies) => [...currencies.values()]);

  const excluded: Exclusion[] = [];
  const waiting: Waiting[] = [];
  const actions: PlannedAction[] = [];
  const nonBusinessDay = rules.force ? null : nonBusinessReason(asOf, rules.holidays);
  // Penalties, only for what is actually claimed; each half-year's rate is looked up once.
  const rateCache: NonNullable<PenaltyOptions['cache']> = new Map();
  const foreignIndemnities = new Map<string, Set<string>>();
  const price = (item: DraftItem, client: DunningClient, currency: string, detail: boolean): Priced => {
    const { invoice } = item;
    const receipt =
      client.kind === 'professionnel'
        ? null
        : formalNoticeReceipt(histories.get(invoice.id)?.notices ?? [], rules.penalties.noticeReceiptDays);
    const applied = item.credits.map((credit) => ({
      date: credit.creditNote.creditDate ?? credit.creditNote.dueDate,
      amount: credit.amount,
    }));
    const penalty = computePenalties(
      {
        amount: invoice.amount,
        declaredPaid: invoice.declaredPaid,
        payments: invoice.payments,
        extraCredits: applied.length === 0 ? invoice.freshPayments : [...invoice.freshPayments, ...applied],
        dueDate: invoice.dueDate,
        clientKind: client.kind,
        formalNoticeDate: receipt?.date ?? null,
      },
      rules.penalties,
      rules.rates,
      asOf,
      // A mise en demeure and a claim file print the interest period by period.
      { detail, cache: rateCache },
    );
    for (const warning of penalty.warnings) warnings.add(warning);
    if (penalty.indemnity === 0 || currency === 'EUR') return { penalty, receipt };
    // The €40 is a sum in euros: it is never added into a total in another currency.
    const clients = foreignIndemnities.get(currency) ?? new Set<string>();
    clients.add(client.code);
    foreignIndemnities.set(currency, clients);
    return { penalty: { ...penalty, indemnity: 0 as Cents }, receipt };
  };

  for (const list of groups) {
    const first = list[0]!;
    const client: DunningClient = input.clients.get(first.clientId) ?? missingClient(first);
    const scenario = scenarioFor(settings, client.code, client.kind);
    const exclude = (invoice: DunningInvoice, reason: ExclusionReason, detail: string) =>
      excluded.push({ invoice, client, reason, detail });

    const sorted = [...list].sort(byDueDate);
    const creditNotes = sorted.filter((i) => i.outstanding < 0 && !i.disputed);
    const overdue: DunningInvoice[] = [];
    const notYetDue: DunningInvoice[] = [];
    for (const invoice of sorted) {
      if (invoice.outstanding <= 0) continue;
      if (invoice.dueDate < asOf) {
        // A time-barred claim is never chased; one close to it is, with a warning.
        const professional = client.kind === 'professionnel';
        const interrupted = input.interruptions.get(invoice.id) ?? null;
        const prescription = prescriptionState(invoice.dueDate, professional, interrupted, asOf);
        if (prescription.kind === 'barred') {
          exclude(
            invoice,
            'prescrite',
            prescriptionDetail(prescription.barredOn, professional, interrupted !== null),
          );
          continue;
        }
        if (prescription.kind === 'soon') {
          warnings.add(
            `la facture ${invoice.number} (client ${client.code}) sera prescrite le ${formatDateFr(prescription.barredOn)} : au-delà, elle ne pourra plus être réclamée. Agissez avant (injonction de payer), ou notez une reconnaissance de dette : recouvre historique ${invoice.number} --ajouter reconnaissance_dette --date jj/mm/aaaa`,
          );
        }
      }
      const blocked = blockingReason(invoice, client, planByInvoice, asOf);
      if (invoice.dueDate < asOf) {
        if (blocked) exclude(invoice, blocked.reason, blocked.detail);
        else overdue.push(invoice);
      } else if (!blocked) notYetDue.push(invoice);
    }

    // Credit notes not yet applied reduce what is claimed, oldest debt first.
    const candidates = applyCredits(overdue, creditNotes);
    const eligible: Candidate[] = [];
    for (const c of candidates) {
      if (c.claimed <= 0) {
        exclude(c.invoice, 'avoir', `avoir ${c.credits.map((k) => k.creditNote.number).join(', ')}`);
      } else if (c.claimed < settings.threshold) {
        exclude(
          c.invoice,
          'sous_seuil',
          `reste ${formatEuros(c.claimed, c.invoice.currency)} < seuil ${formatEuros(settings.threshold, c.invoice.currency)}`,
        );
      } else eligible.push(c);
    }

    const groupTotal = eligible.reduce((sum, c) => sum + c.claimed, 0);
    const lastAction = lastActionByClient.get(client.id) ?? null;
    // Never two actions to a client on the same day, whatever the configuration says.
    const intervalEnd =
      lastAction === null ? null : addDays(lastAction, Math.max(1, settings.minIntervalDays));
    const blockedByInterval = intervalEnd !== null && asOf < intervalEnd;

    if (settings.grouping === 'client') {
      const steps = effectiveSteps(scenario, groupTotal);
      for (const c of eligible) decide(c, steps, histories, asOf);
      const outcome = groupAction(steps, eligible, notYetDue, histories, asOf);
      finish(outcome, steps, eligible);
    } else {
      for (const c of eligible) {
        const steps = effectiveSteps(scenario, c.claimed);
        decide(c, steps, histories, asOf);
        finish(groupAction(steps, [c], [], histories, asOf), steps, [c]);
      }
      if (notYetDue.length > 0) {
        const steps = effectiveSteps(scenario, 0);
        for (const invoice of notYetDue) {
          finish(groupAction(steps, [], [invoice], histories, asOf), steps, []);
        }
      }
    }

    function finish(
      outcome: { draft: Draft | null; covered: Set<number> },
      steps: readonly Step[],
      group: readonly Candidate[],
    ): void {
      for (const c of group) {
        if (c.decision.kind === 'done') {
          exclude(c.invoice, 'scenario_termine', `dernière étape faite : ${label(c.decision.lastStep)}`);
        } else if (c.decision.kind === 'unwritten') {
          exclude(
            c.invoice,
            'sans_relance_ecrite',
            `le scénario n'a pas de relance par e-mail ou courrier : ajoutez-en une, ou notez celle faite (recouvre historique ${client.code} --ajouter relance --canal courrier)`,
          );
        } else if (!outcome.covered.has(c.invoice.id) && c.decision.kind === 'wait') {
          waiting.push({
            invoice: c.invoice,
            client,
            step: steps[c.decision.index]!.code,
            date: c.decision.until,
            reason: 'delai',
          });
        }
      }
      const draft = outcome.draft;
      if (!draft) return;
      const wait = (date: IsoDate, reason: WaitReason) => {
        for (const item of draft.items)
          waiting.push({ invoice: item.invoice, client, step: draft.step.code, date, reason });
      };
      if (blockedByInterval) wait(intervalEnd!, 'intervalle');
      else if (nonBusinessDay !== null) wait(nextBusinessDay(asOf, rules.holidays), 'jour_non_ouvre');
      else
        actions.push(
          buildAction(client, scenario.name, draft, settings, asOf, priced ? price : () => UNPRICED),
        );
    }
  }

  for (const [currency, clients] of foreignIndemnities) {
    warnings.add(
      `indemnité forfaitaire de 40 € non comptée sur les factures en ${currency} (${clients.size < 2 ? `client ${[...clients][0]}` : `${clients.size} clients`}) : c'est un montant en euros, à réclamer à part.`,
    );
  }
  if (options.sorted === false)
    return { asOf, nonBusinessDay, actions, excluded, waiting, warnings: [...warnings] };
  actions.sort(
    (a, b) =>
      natural(a.client.code, b.client.code) ||
      compare(a.currency, b.currency) ||
      natural(a.invoices[0]?.invoice.number ?? '', b.invoices[0]?.invoice.number ?? ''),
  );
  excluded.sort((a, b) => natural(a.invoice.number, b.invoice.number));
  waiting.sort((a, b) => compare(a.date, b.date) || natural(a.invoice.number, b.invoice.number));
  return { asOf, nonBusinessDay, actions, excluded, waiting, warnings: [...warnings] };
}

/**
 * What the documents of an action ask the debtor to pay: the principal for a reminder; with the
 * penalties and the indemnities for a mise en demeure or a claim file; the penalties alone for the
 * claim of invoices paid late. Every document, the JSON
 * and the QR code of one action state this figure.
 */
export function totalDue(action: PlannedAction): Cents {
  return (
    PENALTY_CLAIM_STEPS.has(action.step.code)
      ? action.totalClaimed + action.totalInterest + action.totalIndemnity
      : action.totalClaimed
  ) as Cents;
}

/**
 * How a client is named to a person: `Boulangerie Lefèvre (C001)`; the name alone when the
 * export uses the name as the code.
 */
export function clientLabel(name: string, code: string): string {
  return name.trim() === code.trim() ? name : `${name} (${code})`;
}

function missingClient(invoice: DunningInvoice): never {
  throw new Error(`invoice ${invoice.number} has no client`);
}

function label(code: string): string {
  return STEP_LABELS[code as StepCode] ?? code;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Invoice numbers and client codes in the order a person expects: F2 before F10. */
export const natural = new Intl.Collator('fr', { numeric: true }).compare;

function byDueDate(a: DunningInvoice, b: DunningInvoice): number {
  return compare(a.dueDate, b.dueDate) || compare(a.number, b.number);
}

function historiesOf(actions: readonly PastAction[]): Map<number, History> {
  const histories = new Map<number, History>();
  for (const action of actions) {
    for (const id of action.invoiceIds) {
      let history = histories.get(id);
      if (!history) {
        history = { steps: new Set(), notices: [], written: false };
        histories.set(id, history);
      }
      history.steps.add(action.step);
      if (action.step === 'mise_en_demeure')
        history.notices.push({ date: action.date, receivedOn: action.receivedOn });
      if (action.done && REMINDER_STEPS.has(action.step) && WRITTEN_CHANNELS.has(action.channel))
        history.written = true;
    }
  }
  return histories;
}

/** A pause with an end date lifts itself the day after. */
function pausedOn(paused: boolean, until: IsoDate | null, asOf: IsoDate): boolean {
  return paused && (until === null || asOf <= until);
}

function blockingReason(
  invoice: DunningInvoice,
  client: DunningClient,
  plans: ReadonlyMap<number, { plan: PaymentPlan; next: string }>,
  asOf: IsoDate,
): { reason: ExclusionReason; detail: string } | null {
  if (invoice.withdrawn) return { reason: 'retiree', detail: invoice.disputeReason ?? '' };
  if (invoice.disputed) return { reason: 'litige', detail: invoice.disputeReason ?? '' };
  if (pausedOn(invoice.paused, invoice.pausedUntil, asOf))
    return { reason: 'pause', detail: pauseDetail(invoice.pausedUntil, invoice.pauseReason) };
  if (pausedOn(client.paused, client.pausedUntil, asOf))
    return { reason: 'pause_client', detail: pauseDetail(client.pausedUntil, client.pauseReason) };
  const plan = plans.get(invoice.id);
  if (plan) return { reason: 'echeancier', detail: plan.next };
  return null;
}

function pauseDetail(until: IsoDate | null, reason: string | null): string {
  const when = until === null ? "jusqu'à reprise" : `jusqu'au ${formatDateFr(until)}`;
  return reason ? `${when} : ${reason}` : when;
}

/**
 * Invoices under a payment plan that is being honoured: the money paid since the plan covers the
 * instalments already due. A missed instalment resumes the scenario (and says so).
 */
function plansByInvoice(
  input: DunningInput,
  warnings: Set<string>,
): Map<number, { plan: PaymentPlan; next: string }> {
  const result = new Map<number, { plan: PaymentPlan; next: string }>();
  if (input.plans.length === 0) return result;
  const outstanding = new Map<number, Cents>();
  for (const invoice of input.invoices) outstanding.set(invoice.id, invoice.outstanding);
  for (const plan of input.plans) {
    let paid = 0;
    for (const { invoiceId, outstandingAtStart } of plan.invoices) {
      paid += Math.max(0, outstandingAtStart - (outstanding.get(invoiceId) ?? 0));
    }
    let dueSoFar = 0;
    let next: { dueDate: IsoDate; amount: Cents } | null = null;
    let missed: IsoDate | null = null;
    for (const instalment of plan.instalments) {
      if (instalment.dueDate < input.asOf) {
        dueSoFar += instalment.amount;
        if (paid < dueSoFar && missed === null) missed = instalment.dueDate;
      } else if (next === null) next = instalment;
    }
    if (missed !== null) {
      const code = input.clients.get(plan.clientId)?.code ?? '';
      warnings.add(
        `échéancier du client ${code} non respecté (échéance du ${formatDateFr(missed)} impayée) : les relances reprennent.`,
      );
      continue;
    }
    const detail = next
      ? `prochaine échéance le ${formatDateFr(next.dueDate)} : ${formatEuros(next.amount)}`
      : 'toutes les échéances sont passées et réglées';
    for (const { invoiceId } of plan.invoices) result.set(invoiceId, { plan, next: detail });
  }
  return result;
}

const NO_CREDITS: AppliedCredit[] = [];
const UNDECIDED: Decision = { kind: 'done', lastStep: '' };

/** Credit notes applied in order of issue to the oldest overdue invoices. */
function applyCredits(
  overdue: readonly DunningInvoice[],
  creditNotes: readonly DunningInvoice[],
): Candidate[] {
  const remaining = creditNotes
    .map((note) => ({ note, left: -note.outstanding }))
    .sort(
      (a, b) =>
        compare(a.note.creditDate ?? a.note.dueDate, b.note.creditDate ?? b.note.dueDate) ||
        compare(a.note.number, b.note.number),
    );
  let k = 0;
  return overdue.map((invoice) => {
    let claimed: number = invoice.outstanding;
    if (k >= remaining.length) {
      return {
        invoice,
        claimed: invoice.outstanding,
        credits: NO_CREDITS,
        position: -1,
        decision: UNDECIDED,
      };
    }
    const credits: AppliedCredit[] = [];
    while (claimed > 0 && k < remaining.length) {
      const source = remaining[k]!;
      const used = Math.min(claimed, source.left);
      if (used > 0) credits.push({ creditNote: source.note, amount: used as Cents });
      claimed -= used;
      source.left -= used;
      if (source.left === 0) k++;
    }
    return {
      invoice,
      claimed: claimed as Cents,
      credits,
      position: -1,
      decision: { kind: 'done', lastStep: '' },
    };
  });
}

/** The scenario's steps for this amount: a step with a minimum amount above it is left out. */
function effectiveSteps(scenario: Scenario, amount: number): readonly Step[] {
  if (scenario.steps.every((step) => step.minAmount === null)) return scenario.steps;
  return scenario.steps.filter((step) => step.minAmount === null || amount >= step.minAmount);
}

/** The steps after the due date with their index, worked out once per list of steps. */
const OVERDUE_STEPS = new WeakMap<readonly Step[], readonly (readonly [Step, number])[]>();

function overdueStepsOf(steps: readonly Step[]): readonly (readonly [Step, number])[] {
  let list = OVERDUE_STEPS.get(steps);
  if (!list) {
    list = steps.map((s, i) => [s, i] as const).filter(([s]) => s.days >= 0);
    OVERDUE_STEPS.set(steps, list);
  }
  return list;
}

/**
 * The next step of one overdue invoice. With a history, the step after the last one done, when its
 * delay has passed (never skipping). First contact: the latest step whose delay has passed, but
 * never a mise en demeure or litigation without a prior written reminder.
 */
function decide(c: Candidate, steps: readonly Step[], histories: Map<number, History>, asOf: IsoDate): void {
  const history = histories.get(c.invoice.id);
  let position = -1;
  if (history) {
    steps.forEach((step, index) => {
      if (history.steps.has(step.code)) position = index;
    });
  }
  (c as { position: number }).position = position;
  const overdueSteps = overdueStepsOf(steps);
  if (position >= 0) {
    let index = position + 1;
    let step = steps[index];
    if (!step) {
      c.decision = { kind: 'done', lastStep: steps[position]!.code };
      return;
    }
    // The ladder: no mise en demeure (nor litigation) without a reminder in writing before it,
    // whatever the scenario says; a call or a task does not count. The written reminder of the
    // scenario comes first, sent again in writing if it was done by phone.
    if (ESCALATION_STEPS.has(step.code) && !history!.written) {
      const written = lastWrittenReminder(steps, index);
      if (written < 0) {
        c.decision = { kind: 'unwritten' };
        return;
      }
      index = written;
      step = steps[index]!;
      (c as { position: number }).position = Math.min(position, index - 1);
    }
    const when = addDays(c.invoice.dueDate, step.days);
    c.decision = asOf >= when ? { kind: 'act', index } : { kind: 'wait', index, until: when };
    return;
  }
  const firstOverdue = overdueSteps[0];
  if (!firstOverdue) {
    c.decision = { kind: 'done', lastStep: steps.at(-1)?.code ?? '' };
    return;
  }
  let cap = firstOverdue[1];
  for (const [step, index] of overdueSteps) {
    if (ESCALATION_STEPS.has(step.code)) break;
    cap = index;
  }
  let chosen = -1;
  for (const [step, index] of overdueSteps) {
    if (index > cap) break;
    if (addDays(c.invoice.dueDate, step.days) <= asOf) chosen = index;
  }
  c.decision =
    chosen >= 0
      ? { kind: 'act', index: chosen }
      : { kind: 'wait', index: firstOverdue[1], until: addDays(c.invoice.dueDate, firstOverdue[0].days) };
}

/** The last reminder step in writing before `index` in the scenario, or -1. */
function lastWrittenReminder(steps: readonly Step[], index: number): number {
  for (let k = index - 1; k >= 0; k--) {
    const step = steps[k]!;
    if (REMINDER_STEPS.has(step.code) && WRITTEN_CHANNELS.has(step.channel)) return k;
  }
  return -1;
}

/** What a group's action covers, before it is priced. */
interface DraftItem {
  readonly invoice: DunningInvoice;
  readonly claimed: Cents;
  readonly credits: readonly AppliedCredit[];
}

interface Draft {
  readonly step: Step;
  readonly items: readonly DraftItem[];
  readonly firstContact: boolean;
}

/**
 * One action for a group (a client and currency, or one invoice): at the highest step due among
 * its invoices, covering every eligible overdue invoice for which that step is a progression.
 * Without any overdue action, a courtesy notice for invoices about to fall due.
 */
function groupAction(
  steps: readonly Step[],
  eligible: readonly Candidate[],
  notYetDue: readonly DunningInvoice[],
  histories: Map<number, History>,
  asOf: IsoDate,
): { draft: Draft | null; covered: Set<number> } {
  let top = -1;
  for (const c of eligible) if (c.decision.kind === 'act' && c.decision.index > top) top = c.decision.index;
  const covered = new Set<number>();
  if (top >= 0) {
    const items = eligible.filter((c) => c.decision.kind !== 'done' && c.position < top);
    for (const c of items) covered.add(c.invoice.id);
    return { draft: { step: steps[top]!, items, firstContact: items.every((c) => c.position < 0) }, covered };
  }
  const notice = steps.find((s) => s.code === 'preavis');
  if (!notice) return { draft: null, covered };
  const items = notYetDue
    .filter((invoice) => addDays(invoice.dueDate, notice.days) <= asOf && !histories.has(invoice.id))
    .map((invoice) => ({ invoice, claimed: invoice.outstanding, credits: NO_CREDITS }));
  return { draft: items.length === 0 ? null : { step: notice, items, firstContact: true }, covered };
}

/** The action as carried out: each invoice priced once, the channel settled. */
function buildAction(
  client: DunningClient,
  scenario: string,
  draft: Draft,
  settings: DunningSettings,
  asOf: IsoDate,
  price: (item: DraftItem, client: DunningClient, currency: string, detail: boolean) => Priced,
): PlannedAction {
  const currency = draft.items[0]!.invoice.currency;
  const notice = draft.step.code === 'preavis';
  const detail = ESCALATION_STEPS.has(draft.step.code);
  let claimed = 0;
  let interest = 0;
  let indemnity = 0;
  const invoices = draft.items.map((item) => {
    const { penalty, receipt } = notice ? UNPRICED : price(item, client, currency, detail);
    claimed += item.claimed;
    interest += penalty.interest;
    indemnity += penalty.indemnity;
    return {
      invoice: item.invoice,
      claimed: item.claimed,
      daysLate: daysBetween(item.invoice.dueDate, asOf),
      credits: item.credits,
      penalty,
      noticeReceipt: receipt,
      settledOn: null,
    };
  });
  return {
    client,
    currency,
    step: draft.step,
    ...channelFor(draft.step, client, settings),
    scenario,
    firstContact: draft.firstContact,
    invoices,
    credits: draft.items.flatMap((item) => item.credits),
    totalClaimed: claimed as Cents,
    totalInterest: interest as Cents,
    totalIndemnity: indemnity as Cents,
  };
}

interface Priced {
  readonly penalty: Penalty;
  readonly receipt: NoticeReceipt | null;
}

const NO_PENALTY: Penalty = {
  interest: 0 as Cents,
  indemnity: 0 as Cents,
  periods: [],
  noInterestReason: null,
  warnings: [],
  estimatedHalfYears: [],
};

const UNPRICED: Priced = { penalty: NO_PENALTY, receipt: null };

/** The channel of a step for a client: an e-mail step without an address becomes a letter or a call. */
export function channelFor(
  step: Step,
  client: DunningClient,
  settings: DunningSettings,
): { channel: Channel; channelNote: string | null } {
  if (step.channel === 'email' && !client.hasEmail) {
    return { channel: settings.noEmailChannel, channelNote: "pas d'adresse e-mail pour ce client" };
  }
  return { channel: step.channel, channelNote: null };
}
