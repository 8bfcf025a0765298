import type { IsoDate } from '../../domain/dates.js';
import { type LateFeeInput, type SettledInvoice, settlementOf } from '../../domain/late-fees.js';
import type { Cents } from '../../domain/money.js';
import type { DatedAmount } from '../../domain/penalties.js';
import { OUTSTANDING_SQL } from './balances.js';
import { sqliteOf, storeOver } from './connection.js';
import { loadClients, loadInterruptions, loadPastActions } from './dunning-store.js';
import type { Store } from './open.js';

/**
 * Invoices paid in full after their due date, for the penalties that became due meanwhile
 * (domain/late-fees.ts). Only an invoice with a dated payment, or a settlement date from the
 * export, after its due date can have been paid late: they are found through the payments and a
 * partial index (migration 2026-12-03-paid-late-index), without reading the others. An invoice
 * closed by a « liste complète » import has no known settlement and is left out.
 */
const SETTLED_LATE_SQL = (oneClient: boolean) => `WITH late(id) AS (
    SELECT id FROM invoices WHERE paid_on > due_date ${oneClient ? 'AND client_id = @client' : ''}
    UNION
    SELECT p.invoice_id FROM payments p JOIN invoices i ON i.id = p.invoice_id
    WHERE p.date > i.due_date ${oneClient ? 'AND i.client_id = @client' : ''})
  SELECT i.id, i.number, i.client_id, i.due_date, i.currency, i.amount_cents, i.paid_on, (i.disputed OR i.disputed_cents > 0),
    (SELECT json_group_array(json_array(p.date, p.amount_cents)) FROM payments p WHERE p.invoice_id = i.id)
  FROM late JOIN invoices i ON i.id = late.id
  WHERE i.amount_cents > 0 AND i.closed_import_id IS NULL AND ${OUTSTANDING_SQL} <= 0`;

type Row = [number, string, number, string, string, number, string | null, number, string];

/** What `lateFees` needs, for one client (its id) or all. */
export function loadLateFeeInput(store: Store, asOf: IsoDate, clientId?: number): LateFeeInput {
  const sqlite = sqliteOf(store);
  const one = clientId !== undefined;
  const rows = sqlite
    .prepare(SETTLED_LATE_SQL(one))
    .raw()
    .all(one ? { client: clientId } : {}) as Row[];
  const settled: SettledInvoice[] = [];
  const clientIds = new Set<number>();
  for (const [id, number, client, dueDate, currency, amount, paidOn, disputed, payments] of rows) {
    const dated = (JSON.parse(payments) as [string, number][]).map(
      ([date, cents]): DatedAmount => ({ date: date as IsoDate, amount: cents as Cents }),
    );
    const settlement = settlementOf(amount as Cents, dated, paidOn as IsoDate | null);
    if (settlement === null) continue;
    clientIds.add(client);
    settled.push({
      id,
      number,
      clientId: client,
      currency,
      amount: amount as Cents,
      dueDate: dueDate as IsoDate,
      disputed: disputed === 1,
      settlement,
    });
  }
  const range = one ? { from: clientId, to: clientId } : undefined;
  return {
    asOf,
    clients: loadClients(sqlite, clientIds, range),
    settled,
    actions: clientIds.size === 0 ? [] : loadPastActions(storeOver(sqlite), range),
    interruptions: clientIds.size === 0 ? new Map() : loadInterruptions(sqlite, range),
  };
}

/** An invoice's due date, and the latest date of what settled it (a payment, the export's), if any. */
export function latestSettlementDate(
  store: Store,
  invoiceId: number,
): { readonly dueDate: IsoDate; readonly lastDate: IsoDate | null } {
  const sqlite = sqliteOf(store);
  const [dueDate, lastDate] = sqlite
    .prepare(
      `SELECT i.due_date, max(coalesce(i.paid_on, ''), coalesce((SELECT max(p.date) FROM payments p WHERE p.invoice_id = i.id), ''))
       FROM invoices i WHERE i.id = ?`,
    )
    .raw()
    .get(invoiceId) as [string, string];
  return { dueDate: dueDate as IsoDate, lastDate: lastDate === '' ? null : (lastDate as IsoDate) };
}
