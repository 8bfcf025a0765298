import type { AgedSumRow } from '../../domain/aged-balance.js';
import type { IsoDate } from '../../domain/dates.js';
import { sqliteOf } from './connection.js';
import type { Store } from './open.js';
import { JOINED_OUTSTANDING_SQL, PAYMENTS_BY_INVOICE_CTE } from './report-store.js';

/**
 * The part of the aged balance that the dunning plan does not read: the open invoices due after
 * `dueAfter` (the last due date it reads; credit notes it reads whatever their date), summed per
 * client, currency and dispute state in one aggregate query. Due after the report's date, they
 * are all not yet due. An invoice issued after the report's date is not yet a receivable then.
 */
export function agedSumsFromStore(
  store: Store,
  asOf: IsoDate,
  dueAfter: IsoDate,
  clientId?: number,
): AgedSumRow[] {
  const sqlite = sqliteOf(store);
  if (dueAfter < asOf) throw new Error(`agedSumsFromStore: ${dueAfter} is before ${asOf}`);
  const params: Record<string, unknown> = { asOf, dueAfter };
  if (clientId !== undefined) params.client = clientId;
  // `+i.due_date`: a scan of the table, or of one client's invoices. Through the due-date index,
  // the rows of a large store would be visited in random order.
  return sqlite
    .prepare(
      `WITH ${PAYMENTS_BY_INVOICE_CTE},
       v AS (SELECT i.client_id AS client, i.currency AS cur, i.disputed AS disp, ${JOINED_OUTSTANDING_SQL} AS o
             FROM invoices i LEFT JOIN pay ON pay.invoice_id = i.id
             WHERE i.closed_import_id IS NULL AND (i.amount_cents <> i.paid_cents OR pay.invoice_id IS NOT NULL)
               AND i.issue_date <= @asOf AND +i.due_date > @dueAfter AND i.amount_cents >= 0
               ${clientId === undefined ? '' : 'AND i.client_id = @client'}
             LIMIT -1),
       t AS (SELECT client, cur, disp, sum(o) AS o FROM v WHERE o <> 0 GROUP BY client, cur, disp)
       SELECT t.client, c.code, c.name, t.cur, t.disp, t.o FROM t JOIN clients c ON c.id = t.client`,
    )
    .raw()
    .all(params) as AgedSumRow[];
}
