import { sql } from 'kysely';

/**
 * The outstanding amount of an invoice row `i`, in SQL: the same rule as `outstanding()` in
 * src/domain/invoice-row.ts (the larger of the declared paid amount and the recorded payments
 * counts), kept here once so that every query agrees. The tests cross-check both.
 */
export const PAYMENTS_SUM_SQL =
  'coalesce((SELECT sum(p.amount_cents) FROM payments p WHERE p.invoice_id = i.id), 0)';

export const OUTSTANDING_SQL = `CASE WHEN i.amount_cents >= 0
  THEN i.amount_cents - max(i.paid_cents, ${PAYMENTS_SUM_SQL})
  ELSE i.amount_cents - min(i.paid_cents, ${PAYMENTS_SUM_SQL}) END`;

export const outstandingExpression = sql<number>`${sql.raw(OUTSTANDING_SQL)}`;
export const paymentsSumExpression = sql<number>`${sql.raw(PAYMENTS_SUM_SQL)}`;
