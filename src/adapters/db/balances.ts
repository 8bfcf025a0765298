/**
 * The outstanding amount of an invoice row `i`, in SQL: the same rule as `outstanding()` in
 * src/domain/invoice-row.ts, kept here once so that every query agrees; the tests cross-check both.
 * Payments from a file, or typed by hand before the last invoice import, may be the money the
 * export's « Réglé » already counts: the larger of the two counts. A payment typed by hand after
 * the last invoice import is newer than any export read, so it comes on top.
 */
const LAST_INVOICE_IMPORT_SQL = "coalesce((SELECT max(started_at) FROM imports WHERE kind = 'factures'), '')";

const FRESH_SQL = `p.import_id IS NULL AND p.recorded_at > ${LAST_INVOICE_IMPORT_SQL}`;

export const PAYMENTS_SUM_SQL = `coalesce((SELECT sum(p.amount_cents) FROM payments p
  WHERE p.invoice_id = i.id AND NOT (${FRESH_SQL})), 0)`;

export const FRESH_PAYMENTS_SUM_SQL = `coalesce((SELECT sum(p.amount_cents) FROM payments p
  WHERE p.invoice_id = i.id AND ${FRESH_SQL}), 0)`;

export const OUTSTANDING_SQL = `(CASE WHEN i.amount_cents >= 0
  THEN i.amount_cents - max(i.paid_cents, ${PAYMENTS_SUM_SQL})
  ELSE i.amount_cents - min(i.paid_cents, ${PAYMENTS_SUM_SQL}) END - ${FRESH_PAYMENTS_SUM_SQL})`;

/** Whether a payment row `p` counts on top of the export's declared paid amount. */
export const PAYMENT_IS_FRESH_SQL = FRESH_SQL;
