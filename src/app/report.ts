import type { Config } from '../adapters/config.js';
import { lastImportDate } from '../adapters/db/action-store.js';
import { agedSumsFromStore } from '../adapters/db/aged-balance-store.js';
import type { InvoiceBatch } from '../adapters/db/dunning-store.js';
import { loadLateFeeInput } from '../adapters/db/late-fees-store.js';
import type { Store } from '../adapters/db/open.js';
import { clientById } from '../adapters/db/records.js';
import {
  activityOfPeriod,
  inReportWorker,
  noticedPrivateInvoices,
  openTasks,
  prepareForScans,
  prescriptionCandidates,
  withdrawnInvoices,
} from '../adapters/db/report-store.js';
import { AgedBalanceSums, emptyBuckets } from '../domain/aged-balance.js';
import { addDays, type IsoDate } from '../domain/dates.js';
import { type DunningClient, type DunningRules, natural } from '../domain/dunning.js';
import { type LateFee, lateFees } from '../domain/late-fees.js';
import type { Cents } from '../domain/money.js';
import { computePenalties, type PenaltyOptions, RECOVERY_INDEMNITY } from '../domain/penalties.js';
import { type Progress, SILENT } from '../domain/progress.js';
import {
  type DsoMethod,
  delays,
  dso,
  type InvoiceGroup,
  periodEnding,
  prescriptionHorizon,
  prescriptionWarnings,
  ratio,
  recovery,
  SalesIndex,
  type Settlement,
  trend,
  trendDates,
} from '../domain/report.js';
import {
  type CurrencyReport,
  type LateFeeSummary,
  PLAN_DAYS,
  type PlannedItem,
  type Report,
  TREND_MONTHS,
} from '../domain/report-model.js';
import { STEP_CODES, type StepCode } from '../domain/scenario.js';
import { computeDunningPlans, dueUntil } from './dunning-plan.js';

export interface ReportRequest {
  readonly asOf: IsoDate;
  readonly periodDays: number;
  readonly dsoMethod: DsoMethod;
  readonly clientId?: number | undefined;
}

export async function buildReport(
  store: Store,
  rules: DunningRules & { config: Config },
  request: ReportRequest,
  progress: Progress = SILENT,
): Promise<Report> {
  try {
    return await reportOf(store, rules, request, progress);
  } finally {
    progress.stop();
  }
}

async function reportOf(
  store: Store,
  rules: DunningRules & { config: Config },
  request: ReportRequest,
  progress: Progress,
): Promise<Report> {
  const { asOf, dsoMethod, clientId } = request;
  const period = periodEnding(asOf, request.periodDays);
  prepareForScans(store);
  // Another thread reads the open invoices the week's plan needs (due a few days ahead at most)
  // and hands them over batch by batch, then groups the invoices for the indicators. Meanwhile
  // this one sums the invoices due later into the aged balance, then plans, summing what it
  // plans into the same balance.
  const until = dueUntil(rules, asOf, PLAN_DAYS);
  const batchClients = clientId === undefined ? PLAN_BATCH_CLIENTS : undefined;
  const worker = inReportWorker(store.path, { period, asOf, dueUntil: until, clientId, batchClients });
  let week: Awaited<ReturnType<typeof weekAhead>>;
  try {
    const aged = new AgedBalanceSums(asOf);
    for (const row of agedSumsFromStore(store, asOf, until, clientId)) aged.addRow(row);
    progress.phase('Balance âgée et relances à venir (factures)');
    week = await weekAhead(store, rules, asOf, { clientId, batches: worker.batches, aged, progress });
  } catch (error) {
    await worker.stop();
    throw error;
  }
  const { planned, planWarnings } = week;
  const balances = week.aged.balance();
  progress.phase('Indicateurs');
  const data = await worker.result;
  const warnings = new Set<string>();

  const currencies = new Set<string>([
    ...balances.map((b) => b.currency),
    ...data.groups.map((g) => g.currency),
  ]);
  // An empty store still gets a report (zeros, no NaN) in the company's currency.
  if (currencies.size === 0) currencies.add(rules.config.import.devise);
  const ordered = [...currencies].sort((a, b) => (a === 'EUR' ? -1 : b === 'EUR' ? 1 : a < b ? -1 : 1));
  const noticed = noticedPrivateInvoices(store, clientId);
  const cache: NonNullable<PenaltyOptions['cache']> = new Map();

  const reports = ordered.map((currency): CurrencyReport => {
    const aged = balances.find((b) => b.currency === currency) ?? {
      currency,
      totals: emptyBuckets(),
      disputed: 0,
      clients: [],
    };
    const groups = data.groups.filter((g) => g.currency === currency);
    const settlements = data.settlements.filter((s) => s.currency === currency);
    const overdue = aged.totals.total - aged.totals.non_echu;
    const receivables = aged.totals.total + aged.disputed;
    const sales = new SalesIndex(groups);
    // Counted like the aged balance: invoices issued by the report's date.
    const disputedInvoices = groups.reduce(
      (n, g) => n + (g.disputed && g.issueDate <= asOf ? g.owingCount : 0),
      0,
    );
    const penalties = claimablePenalties(groups, asOf, rules, cache, warnings);
    for (const n of noticed) {
      if (n.currency !== currency) continue;
      const p = computePenalties(
        {
          amount: n.outstanding,
          declaredPaid: 0 as Cents,
          payments: [],
          extraCredits: [],
          dueDate: n.dueDate,
          clientKind: 'particulier',
          formalNoticeDate: n.notice,
        },
        rules.penalties,
        rules.rates,
        asOf,
        { detail: false, cache },
      );
      penalties.interest += p.interest;
    }
    if (currency !== 'EUR') penalties.indemnity = 0;
    return {
      currency,
      aged,
      overdue,
      receivables,
      dso: dso(dsoMethod, receivables, period, sales),
      delays: delays(
        data.delays.get(currency) ?? { count: 0, daysAfterDue: 0, daysAfterIssue: 0, daysLate: 0 },
      ),
      recovery: recovery(groups, period),
      disputes: {
        amount: aged.disputed,
        invoices: disputedInvoices,
        rate: ratio(aged.disputed, receivables),
      },
      penalties,
      trend: trend(
        groups,
        settlements,
        trendDates(asOf, TREND_MONTHS),
        { overdue, receivables },
        dsoMethod,
        period.days,
        sales,
      ),
      estimatedSettlements: estimated(settlements),
    };
  });

  for (const w of planWarnings) warnings.add(w);

  const client = clientId === undefined ? null : clientById(store, clientId);
  return {
    asOf,
    period,
    dsoMethod,
    client,
    currencies: reports,
    activity: {
      // In the order of the scenario: rappel before relance before mise en demeure.
      sent: activityOfPeriod(store, period, clientId).sort(
        (a, b) =>
          (a.currency === b.currency
            ? 0
            : a.currency === 'EUR'
              ? -1
              : b.currency === 'EUR'
                ? 1
                : a.currency < b.currency
                  ? -1
                  : 1) || STEP_CODES.indexOf(a.step as StepCode) - STEP_CODES.indexOf(b.step as StepCode),
      ),
      planned,
      tasks: openTasks(store, clientId),
      prescription: prescriptionWarnings(
        prescriptionCandidates(store, prescriptionHorizon(asOf), clientId),
        asOf,
      ),
      lateFees: lateFeeSummary(lateFees(loadLateFeeInput(store, asOf, clientId), rules, { detail: false })),
      withdrawn: withdrawnInvoices(store, clientId),
    },
    lastImport: lastImportDate(store),
    warnings: [...warnings],
  };
}

/** The claimable penalties of invoices paid late, by client and currency, largest first. */
function lateFeeSummary(fees: readonly LateFee[]): LateFeeSummary[] {
  const byClient = new Map<
    string,
    LateFeeSummary & { invoices: number; interest: number; indemnity: number }
  >();
  for (const fee of fees) {
    if (fee.state !== 'reclamable') continue;
    const key = `${fee.client.id}/${fee.invoice.currency}`;
    let row = byClient.get(key);
    if (!row) {
      row = {
        clientCode: fee.client.code,
        clientName: fee.client.name,
        currency: fee.invoice.currency,
        invoices: 0,
        interest: 0,
        indemnity: 0,
      };
      byClient.set(key, row);
    }
    row.invoices++;
    row.interest += fee.penalty.interest;
    row.indemnity += fee.penalty.indemnity;
  }
  return [...byClient.values()].sort(
    (a, b) => b.interest + b.indemnity - (a.interest + a.indemnity) || (a.clientCode < b.clientCode ? -1 : 1),
  );
}

/** Clients planned at once: each batch is read, planned and summed up, then let go. */
const PLAN_BATCH_CLIENTS = 250;

/**
 * What comes in the next 7 days: the dunning engine's own plan (today's actions, then the
 * invoices whose next step falls in the week), client batch by client batch, since the plan of
 * one client never depends on another's. The open invoices it reads are summed into the aged
 * balance on the way (all but those due after what it reads: `agedSumsFromStore`). The batches
 * may come from another thread (`inReportWorker`); they are read here otherwise.
 */
export async function weekAhead(
  store: Store,
  rules: DunningRules,
  asOf: IsoDate,
  options: {
    readonly clientId?: number | undefined;
    readonly batches?: AsyncIterable<InvoiceBatch> | undefined;
    readonly batchClients?: number;
    /** Where to sum the open invoices read (a new aged balance if absent). */
    readonly aged?: AgedBalanceSums;
    /** Told the count of invoices planned so far. */
    readonly progress?: Progress;
  } = {},
): Promise<{ planned: PlannedItem[]; planWarnings: Set<string>; aged: AgedBalanceSums }> {
  const until = addDays(asOf, PLAN_DAYS);
  const planned: PlannedItem[] = [];
  const planWarnings = new Set<string>();
  const aged = options.aged ?? new AgedBalanceSums(asOf);
  const plans = computeDunningPlans(store, rules, asOf, {
    clientId: options.clientId,
    batches: options.batches,
    batchClients: options.batchClients ?? PLAN_BATCH_CLIENTS,
    horizonDays: PLAN_DAYS,
    // The week's list is sorted below, the engine's lists need not be.
    priced: false,
    sorted: false,
  });
  let read = 0;
  for await (const { input, plan } of plans) {
    read += input.invoices.length;
    options.progress?.update(read);
    for (const i of input.invoices) {
      if (i.issuedLater) continue;
      aged.add(
        i.clientId,
        input.clients.get(i.clientId) as DunningClient,
        i.currency,
        i.disputed,
        i.dueDate,
        i.outstanding,
      );
    }
    for (const w of plan.warnings) planWarnings.add(w);
    for (const a of plan.actions) {
      planned.push({
        date: asOf,
        clientCode: a.client.code,
        clientName: a.client.name,
        step: a.step.code,
        channel: a.channel,
        amount: a.totalClaimed,
        currency: a.currency,
      });
    }
    for (const w of plan.waiting) {
      if (w.date > until) continue;
      planned.push({
        date: w.date,
        clientCode: w.client.code,
        clientName: w.client.name,
        step: w.step,
        channel: null,
        amount: w.invoice.outstanding,
        currency: w.invoice.currency,
      });
    }
  }
  // Ties in the order of clients, so that the list does not depend on the batches.
  planned.sort(
    (a, b) =>
      (a.date < b.date ? -1 : a.date > b.date ? 1 : b.amount - a.amount) ||
      natural(a.clientCode, b.clientCode) ||
      STEP_CODES.indexOf(a.step as StepCode) - STEP_CODES.indexOf(b.step as StepCode) ||
      (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0),
  );
  return { planned, planWarnings, aged };
}

/**
 * Penalties a mise en demeure could claim today from professional clients: interest on what is
 * still due on each late invoice since the day after its due date, and €40 per invoice. Interest is
 * linear in the balance, so invoices sharing a due date are priced together; it is rounded per due
 * date rather than per invoice, a few cents from the sum of `recouvre penalites` over the invoices.
 */
function claimablePenalties(
  groups: readonly InvoiceGroup[],
  asOf: IsoDate,
  rules: DunningRules,
  cache: NonNullable<PenaltyOptions['cache']>,
  warnings: Set<string>,
): { interest: number; indemnity: number; invoices: number } {
  const byDue = new Map<IsoDate, { owing: number; count: number }>();
  for (const g of groups) {
    if (!g.professional || g.disputed || g.dueDate >= asOf || g.owing <= 0) continue;
    const entry = byDue.get(g.dueDate) ?? { owing: 0, count: 0 };
    entry.owing += g.owing;
    entry.count += g.owingCount;
    byDue.set(g.dueDate, entry);
  }
  let interest = 0;
  let invoices = 0;
  for (const [dueDate, { owing, count }] of byDue) {
    const p = computePenalties(
      {
        amount: owing as Cents,
        declaredPaid: 0 as Cents,
        payments: [],
        extraCredits: [],
        dueDate,
        clientKind: 'professionnel',
        formalNoticeDate: null,
      },
      rules.penalties,
      rules.rates,
      asOf,
      { detail: false, cache },
    );
    for (const w of p.warnings) warnings.add(w);
    interest += p.interest;
    invoices += count;
  }
  return { interest, indemnity: invoices * RECOVERY_INDEMNITY, invoices };
}

function estimated(settlements: readonly Settlement[]): number {
  let total = 0;
  for (const s of settlements) if (s.estimated) total += s.amount;
  return total;
}
