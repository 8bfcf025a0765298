import { sql } from 'kysely';
import type { Cents } from '../../domain/money.js';
import { FRESH_PAYMENTS_SUM_SQL, OUTSTANDING_SQL, PAYMENTS_SUM_SQL } from './balances.js';
import { kyselyOf } from './connection.js';
import type { Store } from './open.js';

export interface ListedInvoice {
  readonly number: string;
  readonly code: string;
  readonly name: string;
  readonly issue_date: string;
  readonly due_date: string;
  readonly amount_cents: Cents;
  readonly paid_cents: Cents;
  readonly currency: string;
  readonly disputed: number;
  /** Payments recorded in recouvre, and those recorded since the last import. */
  readonly payments: Cents;
  readonly fresh: number;
}

/**
 * The open invoices (something still due, or a credit note not used up), oldest due first; only
 * those overdue on `lateOn` when given, only one client's when `clientCode` is. Null when that
 * client is unknown.
 */
export async function listOpenInvoices(
  store: Store,
  options: { readonly lateOn?: string | undefined; readonly clientCode?: string | undefined },
): Promise<ListedInvoice[] | null> {
  const outstandingExpression = sql<number>`${sql.raw(OUTSTANDING_SQL)}`;
  const db = await kyselyOf(store);
  let clientId: number | null = null;
  if (options.clientCode) {
    const client = await db
      .selectFrom('clients')
      .select('id')
      .where('code', '=', options.clientCode)
      .executeTakeFirst();
    if (!client) return null;
    clientId = client.id;
  }
  let query = db
    .selectFrom('invoices as i')
    .innerJoin('clients as c', 'c.id', 'i.client_id')
    .select([
      'i.number',
      'c.code',
      'c.name',
      'i.issue_date',
      'i.due_date',
      'i.amount_cents',
      'i.paid_cents',
      'i.currency',
      'i.disputed',
      sql<number>`${sql.raw(PAYMENTS_SUM_SQL)}`.as('payments'),
      sql<number>`${sql.raw(FRESH_PAYMENTS_SUM_SQL)}`.as('fresh'),
      outstandingExpression.as('outstanding'),
    ])
    .where('i.closed_import_id', 'is', null)
    .where(outstandingExpression, '!=', 0)
    .orderBy('i.due_date')
    .orderBy('i.number');
  if (options.lateOn !== undefined)
    query = query.where('i.due_date', '<', options.lateOn).where(outstandingExpression, '>', 0);
  if (clientId !== null) query = query.where('i.client_id', '=', clientId);
  return (await query.execute()) as unknown as ListedInvoice[];
}
