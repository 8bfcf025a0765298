import { openStore } from '../adapters/db/open.js';
import { type InvoiceRef, openInvoicesOf, requireTarget, writeJournal } from '../adapters/db/records.js';
import { colors, renderTable } from '../adapters/terminal.js';
import type { Context } from '../context.js';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import { type Cents, formatEuros } from '../domain/money.js';
import { splitInstalments } from '../domain/payment-plan.js';
import { UsageError, UserError } from '../errors.js';
import { plural } from './format.js';

export interface EcheancierOptions {
  readonly echeances?: number;
  readonly debut?: IsoDate;
  readonly intervalleJours?: number;
  readonly motif?: string;
  readonly annuler?: boolean;
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
  try {
    const { sqlite } = store;
    const target = requireTarget(sqlite, reference);
    const clientId = target.kind === 'client' ? target.id : target.clientId;
    const activePlans = sqlite
      .prepare(
        `SELECT p.id, p.date, p.total_cents, p.currency, p.note FROM payment_plans p WHERE p.cancelled_at IS NULL
         AND p.client_id = ? ${target.kind === 'facture' ? 'AND p.id IN (SELECT plan_id FROM plan_invoices WHERE invoice_id = ?)' : ''}
         ORDER BY p.id`,
      )
      .all(...(target.kind === 'facture' ? [clientId, target.id] : [clientId])) as {
      id: number;
      date: string;
      total_cents: number;
      currency: string;
      note: string | null;
    }[];

    if (options.annuler) {
      if (activePlans.length === 0) throw new UserError(`Aucun échéancier en cours pour « ${reference} ».`);
      sqlite.transaction(() => {
        for (const plan of activePlans) {
          sqlite
            .prepare('UPDATE payment_plans SET cancelled_at = ? WHERE id = ?')
            .run(context.now.toISOString(), plan.id);
          writeJournal(sqlite, {
            recordedAt: context.now.toISOString(),
            date: context.today,
            kind: 'echeancier_annule',
            clientId,
            invoiceId: target.kind === 'facture' ? target.id : null,
            details: { echeancier: plan.id },
          });
        }
      })();
      context.stdout.write(
        `${plural(activePlans.length, 'échéancier annulé', 'échéanciers annulés')} : les relances reprennent.\n`,
      );
      return 0;
    }

    if (!creating) {
      if (activePlans.length === 0) {
        context.stdout.write(`Aucun échéancier en cours pour « ${reference} ».\n`);
        return 0;
      }
      for (const plan of activePlans) {
        const instalments = sqlite
          .prepare('SELECT due_date, amount_cents FROM plan_instalments WHERE plan_id = ? ORDER BY due_date')
          .all(plan.id) as { due_date: string; amount_cents: number }[];
        const numbers = sqlite
          .prepare(
            'SELECT i.number FROM plan_invoices pi JOIN invoices i ON i.id = pi.invoice_id WHERE pi.plan_id = ? ORDER BY i.number',
          )
          .pluck()
          .all(plan.id) as string[];
        context.stdout.write(
          `${c.bold(`Échéancier du ${formatDateFr(plan.date as IsoDate)}`)} : ${formatEuros(plan.total_cents, plan.currency)} pour ${numbers.join(', ')}${plan.note ? ` (${plan.note})` : ''}\n`,
        );
        context.stdout.write(
          `${renderTable(
            context,
            ['Échéance', 'Montant'],
            instalments.map((i) => [
              formatDateFr(i.due_date as IsoDate),
              formatEuros(i.amount_cents, plan.currency),
            ]),
            [1],
          )}\n`,
        );
      }
      return 0;
    }

    const invoices: InvoiceRef[] =
      target.kind === 'client' ? openInvoicesOf(sqlite, target.id).filter((i) => !i.disputed) : [target];
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
    const inPlan = sqlite
      .prepare(
        `SELECT i.number FROM plan_invoices pi JOIN payment_plans p ON p.id = pi.plan_id JOIN invoices i ON i.id = pi.invoice_id
         WHERE p.cancelled_at IS NULL AND pi.invoice_id = ?`,
      )
      .pluck();
    const already = invoices
      .map((i) => inPlan.get(i.id) as string | undefined)
      .filter((n) => n !== undefined);
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
    sqlite.transaction(() => {
      const planId = Number(
        sqlite
          .prepare(
            `INSERT INTO payment_plans (client_id, currency, created_at, date, total_cents, note) VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(
            clientId,
            currency,
            context.now.toISOString(),
            context.today,
            total,
            options.motif?.trim() || null,
          ).lastInsertRowid,
      );
      const addInvoice = sqlite.prepare(
        'INSERT INTO plan_invoices (plan_id, invoice_id, outstanding_at_start_cents) VALUES (?, ?, ?)',
      );
      for (const invoice of invoices) addInvoice.run(planId, invoice.id, invoice.outstanding);
      const addInstalment = sqlite.prepare(
        'INSERT INTO plan_instalments (plan_id, due_date, amount_cents) VALUES (?, ?, ?)',
      );
      for (const i of instalments) addInstalment.run(planId, i.dueDate, i.amount);
      writeJournal(sqlite, {
        recordedAt: context.now.toISOString(),
        date: context.today,
        kind: 'echeancier',
        clientId,
        invoiceId: target.kind === 'facture' ? target.id : null,
        details: {
          echeancier: planId,
          factures: invoices.map((i) => i.number),
          total_centimes: total,
          echeances: instalments.map((i) => ({ date: i.dueDate, montant_centimes: i.amount })),
        },
      });
    })();
    context.stdout.write(
      `Échéancier enregistré : ${formatEuros(total, currency)} en ${plural(instalments.length, 'échéance', 'échéances')} pour ${invoices.map((i) => i.number).join(', ')}.\n`,
    );
    context.stdout.write(
      `${renderTable(
        context,
        ['Échéance', 'Montant'],
        instalments.map((i) => [formatDateFr(i.dueDate), formatEuros(i.amount, currency)]),
        [1],
      )}\n`,
    );
    context.stdout.write(
      "Tant qu'il est respecté, ces factures ne sont pas relancées ; une échéance manquée relance le scénario.\n",
    );
  } finally {
    await store.close();
  }
  return 0;
}
