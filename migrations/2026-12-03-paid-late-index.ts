import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code, never edited once released. The invoices whose
// settlement date from an export (a FEC's lettering) falls after their due date: the penalties
// of invoices paid late are looked for among them (and among those with a late dated payment),
// without reading every invoice of a large store.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw('CREATE INDEX invoices_paid_late ON invoices (client_id) WHERE paid_on > due_date')
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP INDEX invoices_paid_late').execute(db);
}
