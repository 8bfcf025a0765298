import { daysBetween, formatDateFr, type IsoDate } from './dates.js';
import {
  channelFor,
  type DunningClient,
  type DunningInvoice,
  type DunningRules,
  natural,
  type PastAction,
  type PlannedAction,
  UNHELD,
} from './dunning.js';
import type { Cents } from './money.js';
import {
  computePenalties,
  type DatedAmount,
  formalNoticeReceipt,
  type Penalty,
  type PenaltyOptions,
} from './penalties.js';
import { prescriptionState } from './prescription.js';
import { scenarioFor } from './scenario.js';

/**
 * Penalties of invoices paid late (shared/domain/droit-et-taux.md §1–2): paying the principal after
 * the due date does not cancel what became due meanwhile. Between professionals, the L441-10
 * interest from the day after the due date up to the payment, and the €40 indemnity per invoice
 * (D441-5); against a consumer, legal interest only from the receipt of a mise en demeure, so
 * usually nothing. Pure: the store hands over the settled invoices and what was done.
 */

export interface SettledInvoice {
  readonly id: number;
  readonly number: string;
  readonly clientId: number;
  readonly currency: string;
  readonly amount: Cents;
  readonly dueDate: IsoDate;
  readonly disputed: boolean;
  /** The dated amounts that paid it (`settlementOf`), oldest first: the last is its settlement. */
  readonly settlement: readonly DatedAmount[];
}

/**
 * How an invoice was paid, by date: its dated payments up to its amount, and what the export says
 * is paid on its settlement date (a FEC's lettering date) for the rest. Null when a part has no
 * date: the delay, hence the penalties, cannot be known.
 * `settlementOf(1000, [{ date: '2026-03-10', amount: 400 }], '2026-04-02')` →
 * `[{ date: '2026-03-10', amount: 400 }, { date: '2026-04-02', amount: 600 }]`.
 */
export function settlementOf(
  amount: Cents,
  payments: readonly DatedAmount[],
  paidOn: IsoDate | null,
): DatedAmount[] | null {
  const sorted = [...payments].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const settlement: DatedAmount[] = [];
  let paid = 0;
  for (const p of sorted) {
    if (paid >= amount) break;
    const used = Math.min(p.amount, amount - paid);
    if (used <= 0) continue;
    settlement.push({ date: p.date, amount: used as Cents });
    paid += used;
  }
  if (paid < amount) {
    if (paidOn === null) return null;
    settlement.push({ date: paidOn, amount: (amount - paid) as Cents });
    settlement.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  }
  return settlement;
}

/** The day an invoice was settled: that of the last amount that paid it. */
export function settledOn(invoice: SettledInvoice): IsoDate {
  return invoice.settlement.at(-1)!.date;
}

export interface LateFeeInput {
  readonly asOf: IsoDate;
  readonly clients: ReadonlyMap<number, DunningClient>;
  /** Invoices paid in full, each with its settlement. */
  readonly settled: readonly SettledInvoice[];
  /** Actions that may have reached these clients: the mises en demeure, the claims already made. */
  readonly actions: readonly PastAction[];
  readonly interruptions: ReadonlyMap<number, IsoDate>;
}

export type LateFeeState =
  /** Nothing became due: paid on time, or a private client never put on notice. */
  'rien' | 'reclamable' | 'deja_reclamee' | 'litige' | 'prescrite';

export interface LateFee {
  readonly invoice: SettledInvoice;
  readonly client: DunningClient;
  readonly settledOn: IsoDate;
  /** Days between the due date and the settlement. */
  readonly daysLate: number;
  /** Interest up to the settlement, and the indemnity (B2B, in euros). */
  readonly penalty: Penalty;
  readonly noticeReceipt: ReturnType<typeof formalNoticeReceipt>;
  readonly state: LateFeeState;
  /** The date of the claim already made, or of the prescription. */
  readonly stateDate: IsoDate | null;
}

/** The step code under which a claim of late-payment penalties is recorded. */
export const LATE_FEES_STEP = 'penalites';

/**
 * What became due on each invoice of `input.settled` paid after its due date, and whether it can
 * still be claimed. `lateFees(input, rules)[0].penalty.indemnity` → 4000 for a B2B invoice paid late.
 */
export function lateFees(
  input: LateFeeInput,
  rules: Pick<DunningRules, 'penalties' | 'rates'>,
  options: { readonly detail?: boolean } = {},
): LateFee[] {
  const claims = new Map<number, IsoDate>();
  const notices = new Map<number, { date: IsoDate; receivedOn: IsoDate | null }[]>();
  for (const action of input.actions) {
    for (const id of action.invoiceIds) {
      if (action.step === LATE_FEES_STEP) {
        const known = claims.get(id);
        if (known === undefined || action.date < known) claims.set(id, action.date);
      } else if (action.step === 'mise_en_demeure') {
        const list = notices.get(id) ?? [];
        list.push({ date: action.date, receivedOn: action.receivedOn });
        notices.set(id, list);
      }
    }
  }
  const cache: NonNullable<PenaltyOptions['cache']> = new Map();
  const fees: LateFee[] = [];
  for (const invoice of input.settled) {
    const client = input.clients.get(invoice.clientId);
    if (!client || invoice.settlement.length === 0) continue;
    const paidOn = settledOn(invoice);
    if (paidOn <= invoice.dueDate) continue;
    const professional = client.kind === 'professionnel';
    const receipt = professional
      ? null
      : formalNoticeReceipt(notices.get(invoice.id) ?? [], rules.penalties.noticeReceiptDays);
    const computed = computePenalties(
      {
        amount: invoice.amount,
        declaredPaid: 0 as Cents,
        payments: invoice.settlement,
        extraCredits: [],
        dueDate: invoice.dueDate,
        clientKind: client.kind,
        formalNoticeDate: receipt?.date ?? null,
      },
      rules.penalties,
      rules.rates,
      paidOn,
      { detail: options.detail ?? true, cache },
    );
    // The €40 is a sum in euros: never added into a claim in another currency.
    const penalty = invoice.currency === 'EUR' ? computed : { ...computed, indemnity: 0 as Cents };
    const claimedOn = claims.get(invoice.id) ?? null;
    const prescription = prescriptionState(
      invoice.dueDate,
      professional,
      input.interruptions.get(invoice.id) ?? null,
      input.asOf,
    );
    let state: LateFeeState;
    let stateDate: IsoDate | null = null;
    if (penalty.interest + penalty.indemnity === 0) state = 'rien';
    else if (claimedOn !== null) {
      state = 'deja_reclamee';
      stateDate = claimedOn;
    } else if (invoice.disputed) state = 'litige';
    else if (prescription.kind === 'barred') {
      state = 'prescrite';
      stateDate = prescription.barredOn;
    } else state = 'reclamable';
    fees.push({
      invoice,
      client,
      settledOn: paidOn,
      daysLate: daysBetween(invoice.dueDate, paidOn),
      penalty,
      noticeReceipt: receipt,
      state,
      stateDate,
    });
  }
  return fees;
}

/** The sum a late fee claims: interest and indemnity. */
export function lateFeeTotal(fee: Pick<LateFee, 'penalty'>): Cents {
  return (fee.penalty.interest + fee.penalty.indemnity) as Cents;
}

export interface LateFeePlan {
  readonly actions: readonly PlannedAction[];
  /** Clients whose claim waits, and why (the interval since the last action). */
  readonly warnings: readonly string[];
}

/**
 * The claims of a day: for each client whose scenario has the `penalites` step (off by default),
 * one document per currency that claims, once, the penalties of every invoice paid at least the
 * step's days late and not claimed yet. A client acted on today, or within the interval, or
 * paused, waits; a claim under the threshold, or the step's minimum, is not made.
 */
export function planLateFees(
  input: LateFeeInput,
  rules: DunningRules,
  busyClients: ReadonlySet<number>,
): LateFeePlan {
  const { settings } = rules;
  const fees = lateFees(
    {
      ...input,
      settled: input.settled.filter((invoice) => {
        const client = input.clients.get(invoice.clientId);
        return client !== undefined && scenarioFor(settings, client.code, client.kind).lateFees !== null;
      }),
    },
    rules,
  );
  const lastAction = new Map<number, IsoDate>();
  for (const action of input.actions) {
    const last = lastAction.get(action.clientId);
    if (last === undefined || action.date > last) lastAction.set(action.clientId, action.date);
  }
  const groups = new Map<string, LateFee[]>();
  for (const fee of fees) {
    if (fee.state !== 'reclamable') continue;
    const step = scenarioFor(settings, fee.client.code, fee.client.kind).lateFees!;
    if (fee.daysLate < step.days) continue;
    const key = `${fee.client.id}/${fee.invoice.currency}`;
    const list = groups.get(key) ?? [];
    list.push(fee);
    groups.set(key, list);
  }
  const actions: PlannedAction[] = [];
  const warnings: string[] = [];
  for (const list of groups.values()) {
    const { client } = list[0]!;
    const currency = list[0]!.invoice.currency;
    const scenario = scenarioFor(settings, client.code, client.kind);
    const step = scenario.lateFees!;
    const interest = list.reduce((sum, f) => sum + f.penalty.interest, 0);
    const indemnity = list.reduce((sum, f) => sum + f.penalty.indemnity, 0);
    const total = interest + indemnity;
    if (total < settings.threshold || (step.minAmount !== null && total < step.minAmount)) continue;
    if (client.paused && (client.pausedUntil === null || input.asOf <= client.pausedUntil)) continue;
    if (busyClients.has(client.id)) continue;
    const last = lastAction.get(client.id);
    if (last !== undefined && daysBetween(last, input.asOf) < Math.max(1, settings.minIntervalDays)) {
      warnings.push(
        `réclamation des pénalités de retard du client ${client.code} reportée : une action lui a été adressée le ${formatDateFr(last)} (intervalle de ${settings.minIntervalDays} jours).`,
      );
      continue;
    }
    list.sort((a, b) => natural(a.invoice.number, b.invoice.number));
    actions.push({
      client,
      currency,
      step,
      ...channelFor(step, client, settings),
      scenario: scenario.name,
      firstContact: false,
      invoices: list.map((fee) => ({
        invoice: asDunningInvoice(fee.invoice),
        claimed: 0 as Cents,
        daysLate: fee.daysLate,
        credits: [],
        penalty: fee.penalty,
        noticeReceipt: fee.noticeReceipt,
        settledOn: fee.settledOn,
      })),
      credits: [],
      totalClaimed: 0 as Cents,
      totalInterest: interest as Cents,
      totalIndemnity: indemnity as Cents,
    });
  }
  actions.sort((a, b) => natural(a.client.code, b.client.code) || (a.currency < b.currency ? -1 : 1));
  return { actions, warnings };
}

/** A settled invoice as the documents of an action see it: nothing left to pay. */
function asDunningInvoice(invoice: SettledInvoice): DunningInvoice {
  return {
    id: invoice.id,
    number: invoice.number,
    clientId: invoice.clientId,
    creditDate: null,
    dueDate: invoice.dueDate,
    currency: invoice.currency,
    amount: invoice.amount,
    declaredPaid: invoice.amount,
    payments: invoice.settlement,
    freshPayments: [],
    outstanding: 0 as Cents,
    ...UNHELD,
  };
}
