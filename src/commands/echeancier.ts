import {
  activePlans,
  alreadyPlanned,
  cancelPlans,
  createPlan,
  type PaymentPlan,
  planCandidates,
  stampOf,
  targetOf,
} from '../adapters/db/follow-up.js';
import { openStore } from '../adapters/db/open.js';
import { colors, renderTable } from '../adapters/terminal.js';
import type { Context } from '../context.js';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import { type Cents, formatEuros } from '../domain/money.js';
import { splitInstalments } from '../domain/payment-plan.js';
import { UsageError, UserError } from '../errors.js';
import { plural, writeJson } from './format.js';

export interface EcheancierOptions {
  readonly echeances?: number;
  readonly debut?: IsoDate;
  readonly intervalleJours?: number;
  readonly motif?: string;
  readonly annuler?: boolean;
  readonly json?: boolean;
}

/**
 * Records a payment plan for an invoice or for all the open invoices of a client. While it is
 * honoured the invoices are not chased; a missed instalment resumes the scenario.
 */
export async function runEcheancier(
  context: Context,
  reference: string,
  options: EcheancierOptions,
): Promise<number> {
  const creating = options.echeances !== undefined || options.debut !== undefined;
  if (creating && options.annuler)
    throw new UsageError('--annuler ne se combine pas avec --echeances ni --debut.');
  if (creating && (options.echeances === undefined || options.debut === undefined)) {
    throw new UsageError(
      'Un échéancier demande --echeances (le nombre) et --debut (la date de la première).',
      [`Exemple : recouvre echeancier ${reference} --echeances 3 --debut 2026-12-05`],
    );
  }
  if (options.echeances !== undefined && (options.echeances < 1 || options.echeances > 60)) {
    throw new UsageError('--echeances : entre 1 et 60 échéances.');
  }
  const store = await openStore(context.dbPath, { create: false });
  const c = colors(context);
  const stamp = stampOf(context);
  const instalmentTable = (plan: Pick<PaymentPlan, 'instalments' | 'currency'>) =>
    `${renderTable(
      context,
      ['Échéance', 'Montant'],
      plan.instalments.map((i) => [formatDateFr(i.dueDate), formatEuros(i.amount, plan.currency)]),
      [1],
    )}\n`;
  try {
    const target = targetOf(store, reference);
    const plans = activePlans(store, target);

    if (options.annuler) {
      if (plans.length === 0) throw new UserError(`Aucun échéancier en cours pour « ${reference} ».`);
      cancelPlans(store, target, plans, stamp);
      if (options.json) writeJson(context, { annules: plans.map(planJson) });
      else
        context.stdout.write(
          `${plural(plans.length, 'échéancier annulé', 'échéanciers annulés')} : les relances reprennent.\n`,
        );
      return 0;
    }

    if (!creating) {
      if (options.json) writeJson(context, { en_cours: plans.map(planJson) });
      else if (plans.length === 0) context.stdout.write(`Aucun échéancier en cours pour « ${reference} ».\n`);
      for (const plan of options.json ? [] : plans) {
        context.stdout.write(
          `${c.bold(`Échéancier du ${formatDateFr(plan.date)}`)} : ${formatEuros(plan.total, plan.currency)} pour ${plan.invoices.join(', ')}${plan.note ? ` (${plan.note})` : ''}\n`,
        );
        context.stdout.write(instalmentTable(plan));
      }
      return 0;
    }

    const invoices = planCandidates(store, target);
    if (invoices.length === 0)
      throw new UserError(`Le client ${reference} n'a aucune facture ouverte : pas d'échéancier à faire.`);
    for (const invoice of invoices) {
      if (invoice.outstanding <= 0)
        throw new UserError(`La facture ${invoice.number} est soldée : pas d'échéancier à faire.`);
    }
    const currencies = new Set(invoices.map((i) => i.currency));
    if (currencies.size > 1) {
      throw new UserError(
        `Le client ${reference} a des factures en plusieurs devises (${[...currencies].join(', ')}).`,
        ['Faites un échéancier par facture : recouvre echeancier <numéro> …'],
      );
    }
    const already = alreadyPlanned(store, invoices);
    if (already.length > 0) {
      throw new UserError(`Déjà sous échéancier : ${already.join(', ')}.`, [
        `Annulez d'abord l'ancien : recouvre echeancier ${reference} --annuler`,
      ]);
    }
    const total = invoices.reduce((sum, i) => sum + i.outstanding, 0) as Cents;
    const instalments = splitInstalments(
      total,
      options.echeances!,
      options.debut!,
      options.intervalleJours ?? null,
    );
    const currency = invoices[0]!.currency;
    const note = options.motif?.trim() || null;
    const id = createPlan(
      store,
      target,
      { date: context.today, total, currency, note, invoices, instalments },
      stamp,
    );
    if (options.json) {
      const numbers = invoices.map((i) => i.number);
      writeJson(context, {
        enregistre: planJson({
          id,
          date: context.today,
          total,
          currency,
          note,
          invoices: numbers,
          instalments,
        }),
      });
      return 0;
    }
    context.stdout.write(
      `Échéancier enregistré : ${formatEuros(total, currency)} en ${plural(instalments.length, 'échéance', 'échéances')} pour ${invoices.map((i) => i.number).join(', ')}.\n`,
    );
    context.stdout.write(instalmentTable({ instalments, currency }));
    context.stdout.write(
      "Tant qu'il est respecté, ces factures ne sont pas relancées ; une échéance manquée relance le scénario.\n",
    );
  } finally {
    await store.close();
  }
  return 0;
}

function planJson(plan: PaymentPlan) {
  return {
    id: plan.id,
    date: plan.date,
    total_centimes: plan.total,
    devise: plan.currency,
    motif: plan.note,
    factures: plan.invoices,
    echeances: plan.instalments.map((i) => ({ date: i.dueDate, montant_centimes: i.amount })),
  };
}
