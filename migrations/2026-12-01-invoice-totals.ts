import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code, never edited once released. The report's
// invoice figures, kept up to date as the store changes instead of summed over every invoice on
// each report: `invoice_contributions` says what one invoice adds to the totals of its group,
// `invoice_totals` holds the sums by group, and triggers take an invoice's contribution out
// before anything it depends on changes and put it back after. The sums are additive, so each
// change is accounted for exactly once whatever the order.

/** Payments typed by hand after the last invoice import count on top of the export's « Réglé ». */
const LAST_INVOICE_IMPORT = "coalesce((SELECT max(started_at) FROM imports WHERE kind = 'factures'), '')";
const FRESH = `p.import_id IS NULL AND p.recorded_at > ${LAST_INVOICE_IMPORT}`;

/**
 * What the invoices that `where` selects (over `invoices i`) add to the totals, one row each. The
 * group key: currency (3), disputed (1), professional client (1), credit note (1), issue date
 * (10), due date (10), `|`, where the date of the part only the export declares comes from (`p`
 * and the date the source gives, `u` and the import that last changed the invoice, `c` and the
 * one that created it; empty when there is no such part), `|`, and the import that closed the
 * invoice (empty while it is open). Grouping by invoice computes its payments once per row; the
 * condition stays inside, where SQLite uses it to find the rows.
 */
function contributions(where: string): string {
  return `SELECT id, client_id,
    currency || disputed || professional || (amount_cents < 0) || issue_date || due_date || '|'
      || CASE WHEN declared = 0 THEN ''
              WHEN paid_on IS NOT NULL THEN 'p' || paid_on
              WHEN updated_import_id IS NOT NULL THEN 'u' || updated_import_id
              ELSE 'c' || coalesce(created_import_id, '') END
      || '|' || coalesce(closed_import_id, '') AS k,
    amount_cents AS amount,
    CASE WHEN closed_import_id IS NULL THEN o ELSE 0 END AS outstanding,
    CASE WHEN amount_cents > 0 AND closed_import_id IS NULL AND o > 0 THEN o ELSE 0 END AS owing,
    (amount_cents > 0 AND closed_import_id IS NULL AND o > 0) AS owing_count,
    declared,
    CASE WHEN closed_import_id IS NOT NULL THEN o ELSE 0 END AS closed
  FROM (
    SELECT *,
      CASE WHEN amount_cents >= 0 THEN amount_cents - max(paid_cents, old) ELSE amount_cents - min(paid_cents, old) END
        - fresh AS o,
      CASE WHEN amount_cents >= 0 THEN max(0, paid_cents - old) ELSE min(0, paid_cents - old) END AS declared
    FROM (
      SELECT i.id, i.client_id, i.currency, i.disputed, c.kind = 'professionnel' AS professional,
        i.amount_cents, i.paid_cents, i.paid_on, i.issue_date, i.due_date, i.closed_import_id,
        i.created_import_id, i.updated_import_id,
        coalesce((SELECT sum(p.amount_cents) FROM payments p WHERE p.invoice_id = i.id AND NOT (${FRESH})), 0) AS old,
        coalesce((SELECT sum(p.amount_cents) FROM payments p WHERE p.invoice_id = i.id AND ${FRESH}), 0) AS fresh
      FROM invoices i JOIN clients c ON c.id = i.client_id
      WHERE ${where}
      GROUP BY i.id, i.client_id))`;
}

const SUMS = ['n', 'amount', 'outstanding', 'owing', 'owing_count', 'declared', 'closed'];

/**
 * Adds (sign 1) or takes out (sign -1) the contributions of the invoices that `where` selects,
 * one upsert per invoice.
 */
function account(sign: 1 | -1, where: string): string {
  const s = sign === 1 ? '' : '-';
  return `INSERT INTO invoice_totals (k, ${SUMS.join(', ')})
    SELECT k, ${s}1, ${SUMS.slice(1)
      .map((c) => `${s}${c}`)
      .join(', ')}
    FROM (${contributions(where)}) WHERE true
    ON CONFLICT (k) DO UPDATE SET ${SUMS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')};`;
}

/** What an invoice's contribution reads from its own row. */
const INVOICE_COLUMNS =
  'client_id, issue_date, due_date, amount_cents, paid_cents, paid_on, currency, disputed, closed_import_id, created_import_id, updated_import_id';

/** Invoices whose outstanding amount depends on when the last invoice import started. */
const HAND_TYPED = 'i.id IN (SELECT invoice_id FROM payments WHERE import_id IS NULL)';

/** Name, event and the invoices taken out before it and put back after. */
const TRIGGERS: ReadonlyArray<readonly [string, string, string | null, string | null]> = [
  ['invoices_totals_insert', 'INSERT ON invoices', null, 'i.id = NEW.id'],
  ['invoices_totals_update', `UPDATE OF ${INVOICE_COLUMNS} ON invoices`, 'i.id = OLD.id', 'i.id = NEW.id'],
  ['invoices_totals_delete', 'DELETE ON invoices', 'i.id = OLD.id', null],
  ['payments_totals_insert', 'INSERT ON payments', 'i.id = NEW.invoice_id', 'i.id = NEW.invoice_id'],
  [
    'payments_totals_update',
    'UPDATE ON payments',
    'i.id IN (OLD.invoice_id, NEW.invoice_id)',
    'i.id IN (OLD.invoice_id, NEW.invoice_id)',
  ],
  ['payments_totals_delete', 'DELETE ON payments', 'i.id = OLD.invoice_id', 'i.id = OLD.invoice_id'],
  ['clients_totals_kind', 'UPDATE OF kind ON clients', 'i.client_id = OLD.id', 'i.client_id = NEW.id'],
  ['imports_totals_insert', 'INSERT ON imports', HAND_TYPED, HAND_TYPED],
  ['imports_totals_update', 'UPDATE OF started_at, kind ON imports', HAND_TYPED, HAND_TYPED],
  ['imports_totals_delete', 'DELETE ON imports', HAND_TYPED, HAND_TYPED],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `CREATE TABLE invoice_totals (k TEXT PRIMARY KEY, ${SUMS.map((c) => `${c} INTEGER NOT NULL`).join(', ')})
       WITHOUT ROWID`,
    )
    .execute(db);
  await sql.raw(`CREATE VIEW invoice_contributions AS ${contributions('true')}`).execute(db);
  for (const [name, event, before, after] of TRIGGERS) {
    if (before !== null) {
      await sql
        .raw(`CREATE TRIGGER ${name}_before BEFORE ${event} BEGIN ${account(-1, before)} END`)
        .execute(db);
    }
    if (after !== null) {
      await sql.raw(`CREATE TRIGGER ${name}_after AFTER ${event} BEGIN ${account(1, after)} END`).execute(db);
    }
  }
  await sql.raw(account(1, 'true')).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [name, , before, after] of TRIGGERS) {
    if (before !== null) await sql.raw(`DROP TRIGGER ${name}_before`).execute(db);
    if (after !== null) await sql.raw(`DROP TRIGGER ${name}_after`).execute(db);
  }
  await sql.raw('DROP VIEW invoice_contributions').execute(db);
  await sql.raw('DROP TABLE invoice_totals').execute(db);
}
