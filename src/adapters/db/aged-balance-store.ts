import type SQLite from 'better-sqlite3';
import { type AgedBalance, assembleAgedBalance, BUCKETS, type Bucket } from '../../domain/aged-balance.js';
import { addDays, type IsoDate } from '../../domain/dates.js';
import { JOINED_OUTSTANDING_SQL, PAYMENTS_BY_INVOICE_CTE } from './report-store.js';

/**
 * The aged balance in one aggregate query: the store may hold a million invoices, and only
 * totals per client, currency and bucket come back. `agedBalance` in the domain is the reference
 * the tests hold it to. Buckets compare due dates as strings with the bounds computed once. An
 * invoice issued after the report's date is not yet a receivable on that date.
 */
export function agedBalanceFromStore(
  sqlite: SQLite.Database,
  asOf: IsoDate,
  clientId?: number,
): AgedBalance[] {
  const params: Record<string, unknown> = {
    d0: asOf,
    d30: addDays(asOf, -30),
    d60: addDays(asOf, -60),
    d90: addDays(asOf, -90),
  };
  if (clientId !== undefined) params.client = clientId;
  const rows = sqlite
    .prepare(
      `WITH ${PAYMENTS_BY_INVOICE_CTE},
       v AS (SELECT i.client_id AS client, i.currency AS cur, i.disputed AS disp, i.due_date AS due,
                    ${JOINED_OUTSTANDING_SQL} AS o
             FROM invoices i LEFT JOIN pay ON pay.invoice_id = i.id
             WHERE i.closed_import_id IS NULL AND (i.amount_cents <> i.paid_cents OR pay.invoice_id IS NOT NULL)
               AND i.issue_date <= @d0
               ${clientId === undefined ? '' : 'AND i.client_id = @client'}
             LIMIT -1),
       t AS (SELECT client, cur, disp,
                    sum(CASE WHEN due >= @d0 THEN o END) AS b0,
                    sum(CASE WHEN due < @d0 AND due >= @d30 THEN o END) AS b1,
                    sum(CASE WHEN due < @d30 AND due >= @d60 THEN o END) AS b2,
                    sum(CASE WHEN due < @d60 AND due >= @d90 THEN o END) AS b3,
                    sum(CASE WHEN due < @d90 THEN o END) AS b4
             FROM v WHERE o <> 0 GROUP BY client, cur, disp)
       SELECT c.code, c.name, t.cur, t.disp, t.b0, t.b1, t.b2, t.b3, t.b4
       FROM t JOIN clients c ON c.id = t.client`,
    )
    .raw()
    .all(params) as [string, string, string, number, ...(number | null)[]][];
  // Items are made one at a time as they are summed: a large store has a row per client.
  function* items() {
    for (const [code, name, currency, disputed, ...amounts] of rows) {
      for (let k = 0; k < BUCKETS.length; k++) {
        yield {
          code,
          name,
          currency,
          disputed: disputed === 1,
          bucket: BUCKETS[k] as Bucket,
          amount: amounts[k] ?? 0,
        };
      }
    }
  }
  return assembleAgedBalance(items());
}
