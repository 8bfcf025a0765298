import type { Instant, IsoDate } from '../../domain/dates.js';
import type { Cents } from '../../domain/money.js';
import type { Instalment } from '../../domain/payment-plan.js';
import { sqliteOf } from './connection.js';
import type { Store } from './open.js';
import {
  type ClientRef,
  type InvoiceRef,
  openInvoicesOf,
  requireInvoice,
  requireTarget,
  writeJournal,
} from './records.js';

/**
 * The writes of the follow-up commands (litige, pause, paiement, echeancier): each runs in one
 * transaction with its journal entry, and a check given by the caller runs inside it, on the rows
 * as they are, so nothing is written when the check refuses.
 */

/** When a change is recorded: the instant for the journal, the business day it belongs to. */
export interface Stamp {
  readonly recordedAt: string;
  readonly today: IsoDate;
}

export function stampOf(clock: Instant): Stamp {
  return { recordedAt: clock.now.toISOString(), today: clock.today };
}

export function setDispute(
  store: Store,
  number: string,
  reason: string | null,
  stamp: Stamp,
  check: (invoice: InvoiceRef) => void,
): InvoiceRef {
  const sqlite = sqliteOf(store);
  return sqlite.transaction(() => {
    const invoice = requireInvoice(sqlite, number);
    check(invoice);
    sqlite
      .prepare('UPDATE invoices SET disputed = ?, dispute_reason = ? WHERE id = ?')
      .run(reason === null ? 0 : 1, reason, invoice.id);
    writeJournal(sqlite, {
      recordedAt: stamp.recordedAt,
      date: stamp.today,
      kind: reason === null ? 'litige_leve' : 'litige',
      clientId: invoice.clientId,
      invoiceId: invoice.id,
      details: reason === null ? { numero: invoice.number } : { numero: invoice.number, motif: reason },
    });
    return invoice;
  })();
}

/** Pauses (`pause` given) or resumes (`null`) the reminders of a client or of an invoice. */
export function setPause(
  store: Store,
  reference: string,
  pause: { readonly until: IsoDate | null; readonly reason: string | null } | null,
  stamp: Stamp,
): InvoiceRef | ClientRef {
  const sqlite = sqliteOf(store);
  return sqlite.transaction(() => {
    const target = requireTarget(sqlite, reference);
    const table = target.kind === 'client' ? 'clients' : 'invoices';
    sqlite
      .prepare(`UPDATE ${table} SET paused = ?, paused_until = ?, pause_reason = ? WHERE id = ?`)
      .run(pause ? 1 : 0, pause?.until ?? null, pause?.reason ?? null, target.id);
    writeJournal(sqlite, {
      recordedAt: stamp.recordedAt,
      date: stamp.today,
      kind: pause ? 'pause' : 'reprise',
      clientId: target.kind === 'client' ? target.id : target.clientId,
      invoiceId: target.kind === 'client' ? null : target.id,
      details: pause ? { jusqu_au: pause.until, motif: pause.reason } : {},
    });
    return target;
  })();
}

export interface ManualPayment {
  readonly date: IsoDate;
  readonly cents: Cents;
  readonly reference: string | null;
}

/** Records a payment typed by the user; returns the invoice as it was and what is left due. */
export function recordPayment(
  store: Store,
  number: string,
  payment: ManualPayment,
  stamp: Stamp,
  check: (invoice: InvoiceRef) => void,
): { readonly invoice: InvoiceRef; readonly left: Cents } {
  const sqlite = sqliteOf(store);
  return sqlite.transaction(() => {
    const invoice = requireInvoice(sqlite, number);
    check(invoice);
    sqlite
      .prepare(
        `INSERT INTO payments (invoice_id, date, amount_cents, source, reference, recorded_at)
         VALUES (?, ?, ?, 'manuel', ?, ?)`,
      )
      .run(invoice.id, payment.date, payment.cents, payment.reference, stamp.recordedAt);
    writeJournal(sqlite, {
      recordedAt: stamp.recordedAt,
      date: stamp.today,
      kind: 'paiement',
      clientId: invoice.clientId,
      invoiceId: invoice.id,
      details: {
        numero: invoice.number,
        date: payment.date,
        montant_centimes: payment.cents,
        reference: payment.reference,
      },
    });
    return { invoice, left: requireInvoice(sqlite, number).outstanding };
  })();
}

export interface PaymentPlan {
  readonly id: number;
  readonly date: IsoDate;
  readonly total: Cents;
  readonly currency: string;
  readonly note: string | null;
  readonly invoices: readonly string[];
  readonly instalments: readonly Instalment[];
}

/** The plans in force for a client, or for the one invoice named. */
export function activePlans(store: Store, target: InvoiceRef | ClientRef): PaymentPlan[] {
  const sqlite = sqliteOf(store);
  const clientId = target.kind === 'client' ? target.id : target.clientId;
  const rows = sqlite
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
  const instalments = sqlite.prepare(
    'SELECT due_date, amount_cents FROM plan_instalments WHERE plan_id = ? ORDER BY due_date',
  );
  const numbers = sqlite
    .prepare(
      'SELECT i.number FROM plan_invoices pi JOIN invoices i ON i.id = pi.invoice_id WHERE pi.plan_id = ? ORDER BY i.number',
    )
    .pluck();
  return rows.map((row) => ({
    id: row.id,
    date: row.date as IsoDate,
    total: row.total_cents as Cents,
    currency: row.currency,
    note: row.note,
    invoices: numbers.all(row.id) as string[],
    instalments: (instalments.all(row.id) as { due_date: string; amount_cents: number }[]).map((i) => ({
      dueDate: i.due_date as IsoDate,
      amount: i.amount_cents as Cents,
    })),
  }));
}

export function cancelPlans(
  store: Store,
  target: InvoiceRef | ClientRef,
  plans: readonly PaymentPlan[],
  stamp: Stamp,
): void {
  const sqlite = sqliteOf(store);
  const clientId = target.kind === 'client' ? target.id : target.clientId;
  sqlite.transaction(() => {
    for (const plan of plans) {
      sqlite.prepare('UPDATE payment_plans SET cancelled_at = ? WHERE id = ?').run(stamp.recordedAt, plan.id);
      writeJournal(sqlite, {
        recordedAt: stamp.recordedAt,
        date: stamp.today,
        kind: 'echeancier_annule',
        clientId,
        invoiceId: target.kind === 'facture' ? target.id : null,
        details: { echeancier: plan.id },
      });
    }
  })();
}

/** The invoices a new plan for this target would cover: the one invoice, or the client's open ones. */
export function planCandidates(store: Store, target: InvoiceRef | ClientRef): InvoiceRef[] {
  return target.kind === 'client'
    ? openInvoicesOf(sqliteOf(store), target.id).filter((i) => !i.disputed)
    : [target];
}

/** Which of these invoices are already under a plan in force. */
export function alreadyPlanned(store: Store, invoices: readonly InvoiceRef[]): string[] {
  const inPlan = sqliteOf(store)
    .prepare(
      `SELECT i.number FROM plan_invoices pi JOIN payment_plans p ON p.id = pi.plan_id JOIN invoices i ON i.id = pi.invoice_id
       WHERE p.cancelled_at IS NULL AND pi.invoice_id = ?`,
    )
    .pluck();
  return invoices.map((i) => inPlan.get(i.id) as string | undefined).filter((n) => n !== undefined);
}

export function createPlan(
  store: Store,
  target: InvoiceRef | ClientRef,
  plan: Omit<PaymentPlan, 'id' | 'invoices'> & { readonly invoices: readonly InvoiceRef[] },
  stamp: Stamp,
): number {
  const sqlite = sqliteOf(store);
  const clientId = target.kind === 'client' ? target.id : target.clientId;
  return sqlite.transaction(() => {
    const planId = Number(
      sqlite
        .prepare(
          `INSERT INTO payment_plans (client_id, currency, created_at, date, total_cents, note) VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(clientId, plan.currency, stamp.recordedAt, plan.date, plan.total, plan.note).lastInsertRowid,
    );
    const addInvoice = sqlite.prepare(
      'INSERT INTO plan_invoices (plan_id, invoice_id, outstanding_at_start_cents) VALUES (?, ?, ?)',
    );
    for (const invoice of plan.invoices) addInvoice.run(planId, invoice.id, invoice.outstanding);
    const addInstalment = sqlite.prepare(
      'INSERT INTO plan_instalments (plan_id, due_date, amount_cents) VALUES (?, ?, ?)',
    );
    for (const i of plan.instalments) addInstalment.run(planId, i.dueDate, i.amount);
    writeJournal(sqlite, {
      recordedAt: stamp.recordedAt,
      date: stamp.today,
      kind: 'echeancier',
      clientId,
      invoiceId: target.kind === 'facture' ? target.id : null,
      details: {
        echeancier: planId,
        factures: plan.invoices.map((i) => i.number),
        total_centimes: plan.total,
        echeances: plan.instalments.map((i) => ({ date: i.dueDate, montant_centimes: i.amount })),
      },
    });
    return planId;
  })();
}

/** An invoice number or a client code, as `requireTarget` reads it. */
export function targetOf(store: Store, reference: string): InvoiceRef | ClientRef {
  return requireTarget(sqliteOf(store), reference);
}
