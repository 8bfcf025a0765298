import { type Config, dunningSettings, loadConfig, penaltyTerms } from '../adapters/config.js';
import {
  batchInput,
  type InvoiceBatch,
  loadDunningInput,
  openInvoiceBatches,
} from '../adapters/db/dunning-store.js';
import { loadLateFeeInput } from '../adapters/db/late-fees-store.js';
import type { Store } from '../adapters/db/open.js';
import { clientIdOf } from '../adapters/db/records.js';
import { frenchHolidays } from '../adapters/holidays.js';
import { loadRateTables } from '../adapters/rate-tables.js';
import type { Context } from '../context.js';
import { addDays, type IsoDate } from '../domain/dates.js';
import { type DunningInput, type DunningPlan, type DunningRules, planDunning } from '../domain/dunning.js';
import { planLateFees } from '../domain/late-fees.js';
import type { Progress } from '../domain/progress.js';
import { UserError } from '../errors.js';

/** The rules of the dunning engine for this company: configuration, rate tables, holidays. */
export async function loadDunningRules(
  context: Context,
  force: boolean,
): Promise<DunningRules & { config: Config }> {
  const config = await loadConfig(context.configPath, false);
  const settings = dunningSettings(config);
  return {
    config,
    settings,
    penalties: penaltyTerms(config),
    rates: loadRateTables(config.taux),
    holidays: frenchHolidays({ alsaceMoselle: settings.alsaceMoselle }),
    force,
  };
}

/** The id of a client by its code, or a French error saying how to find the code. */
export function clientIdByCode(store: Store, code: string): number {
  const id = clientIdOf(store, code);
  if (id === null) {
    throw new UserError(
      `Client « ${code} » inconnu : vérifiez son code (colonne « Code client » de l'export).`,
      ['La liste des clients et de leurs factures : recouvre factures'],
    );
  }
  return id;
}

/**
 * The plan of a day: the one code path of `relancer --dry-run` and of the real run, so that what
 * the dry run shows is exactly what a real run on that day does.
 */
export function computeDunningPlan(
  store: Store,
  rules: DunningRules,
  asOf: IsoDate,
  options: {
    readonly clientId?: number | undefined;
    /** Also load the invoices whose first step falls within this many days (the report's week ahead). */
    readonly horizonDays?: number;
    /** Compute the penalties of each covered invoice (the report does without). */
    readonly priced?: boolean;
    /** Told how far the reading of the invoices is. */
    readonly progress?: Progress;
  } = {},
): DunningPlan {
  const { progress } = options;
  progress?.phase('Lecture des factures de la base');
  const input = loadDunningInput(store, asOf, {
    clientId: options.clientId,
    dueUntil: dueUntil(rules, asOf, options.horizonDays ?? 0),
    onSlice: progress ? (done, total) => progress.update(done, total) : undefined,
  });
  progress?.phase('Calcul du plan de relance');
  const plan = planDunning(input, rules, { priced: options.priced ?? true });
  if (plan.nonBusinessDay !== null || !rules.settings.scenarios.some((s) => s.lateFees !== null)) return plan;
  // The claims of the penalties of invoices paid late, for the clients no other action goes to today.
  const fees = planLateFees(
    loadLateFeeInput(store, asOf, options.clientId),
    rules,
    new Set(plan.actions.map((a) => a.client.id)),
  );
  return {
    ...plan,
    actions: [...plan.actions, ...fees.actions],
    warnings: [...plan.warnings, ...fees.warnings],
  };
}

/**
 * The same plan for one client, or for every client batch by batch of client ids (see
 * `openInvoiceBatches`): each batch's plan is yielded with the input it was made from, to be
 * summed up and let go. The batches may be read by another thread, up to `dueUntil(rules, asOf,
 * horizonDays)` by `batchClients`; they are read here otherwise.
 */
export async function* computeDunningPlans(
  store: Store,
  rules: DunningRules,
  asOf: IsoDate,
  options: {
    readonly clientId?: number | undefined;
    readonly batches?: AsyncIterable<InvoiceBatch> | Iterable<InvoiceBatch> | undefined;
    readonly batchClients: number;
    readonly horizonDays: number;
    /** What the engine leaves out (`planDunning`). */
    readonly priced: boolean;
    readonly sorted: boolean;
  },
): AsyncGenerator<{ input: DunningInput; plan: DunningPlan }> {
  const until = dueUntil(rules, asOf, options.horizonDays);
  const { priced, sorted } = options;
  const plan = (input: DunningInput) => ({ input, plan: planDunning(input, rules, { priced, sorted }) });
  if (options.clientId !== undefined) {
    yield plan(loadDunningInput(store, asOf, { clientId: options.clientId, dueUntil: until }));
    return;
  }
  const batches = options.batches ?? openInvoiceBatches(store, asOf, until, options.batchClients);
  for await (const batch of batches) yield plan(batchInput(store, asOf, batch));
}

/**
 * The last due date the plan reads (credit notes apart, read whatever their date): courtesy
 * notices look ahead of it by the earliest one, and a horizon further.
 */
export function dueUntil(rules: DunningRules, asOf: IsoDate, horizonDays: number): IsoDate {
  const lead = Math.max(0, ...rules.settings.scenarios.flatMap((s) => s.steps.map((step) => -step.days)));
  return addDays(asOf, lead + horizonDays);
}
