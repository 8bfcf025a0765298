import type SQLite from 'better-sqlite3';
import { type AgedBalance, assembleAgedBalance, type Bucket } from '../../domain/aged-balance.js';
import type { IsoDate } from '../../domain/dates.js';
import { OUTSTANDING_SQL } from './balances.js';

/**
 * The aged balance in one aggregate query: the store may hold a million invoices, and only
 * totals per client, currency and bucket come back. `agedBalance` in the domain is the reference
 * the tests hold it to.
 */
export function agedBalanceFromStore(
  sqlite: SQLite.Database,
  asOf: IsoDate,
  clientId?: number,
): AgedBalance[] {
  const rows = sqlite
    .prepare(
      `SELECT c.code, c.name, i.currency, i.disputed,
              CASE WHEN julianday(@asOf) - julianday(i.due_date) <= 0 THEN 'non_echu'
                   WHEN julianday(@asOf) - julianday(i.due_date) <= 30 THEN 'j1_30'
                   WHEN julianday(@asOf) - julianday(i.due_date) <= 60 THEN 'j31_60'
                   WHEN julianday(@asOf) - julianday(i.due_date) <= 90 THEN 'j61_90'
                   ELSE 'plus_90' END AS bucket,
              sum(${OUTSTANDING_SQL}) AS amount
       FROM invoices i JOIN clients c ON c.id = i.client_id
       WHERE i.closed_import_id IS NULL ${clientId === undefined ? '' : 'AND i.client_id = @client'}
       GROUP BY c.id, i.currency, i.disputed, bucket
       HAVING amount <> 0`,
    )
    .raw()
    .all(clientId === undefined ? { asOf } : { asOf, client: clientId }) as [
    string,
    string,
    string,
    number,
    Bucket,
    number,
  ][];
  return assembleAgedBalance(
    rows.map(([code, name, currency, disputed, bucket, amount]) => ({
      code,
      name,
      currency,
      disputed: disputed === 1,
      bucket,
      amount,
    })),
  );
}
