import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code, never edited once released. When the source of
// an invoice dates its payments (a FEC's lettering), the day of the last one: the report's trend and
// payment delays need it, and an invoice export's « Réglé » column has no date.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `ALTER TABLE invoices ADD COLUMN paid_on TEXT
         CHECK (paid_on IS NULL OR paid_on GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]')`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('ALTER TABLE invoices DROP COLUMN paid_on').execute(db);
}
