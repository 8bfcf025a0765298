import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code, never edited once released. The fingerprint of
// the export line an invoice was last read from, so that a re-import skips the lines it has
// already read. It only holds while the invoice is exactly what that line says: any other change
// to what an export sets (a FEC, a closing by --liste-complete, a later tool) clears it.

const FROM_EXPORT = [
  'number',
  'client_id',
  'issue_date',
  'due_date',
  'due_date_computed',
  'amount_cents',
  'paid_cents',
  'paid_on',
  'currency',
  'closed_import_id',
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw('ALTER TABLE invoices ADD COLUMN line_hash INTEGER').execute(db);
  await sql
    .raw(
      `CREATE TRIGGER invoices_line_hash_stale AFTER UPDATE OF ${FROM_EXPORT.join(', ')} ON invoices
         WHEN NEW.line_hash IS NOT NULL AND NEW.line_hash IS OLD.line_hash
       BEGIN UPDATE invoices SET line_hash = NULL WHERE id = NEW.id; END`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP TRIGGER invoices_line_hash_stale').execute(db);
  await sql.raw('ALTER TABLE invoices DROP COLUMN line_hash').execute(db);
}
