import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code, never edited once released. The lifecycle
// statuses of e-invoices (AFNOR XP Z12-012 codes 200 to 228) exchanged through the platforms: each
// status once, the part of an invoice its client contests (206 « Approuvée partiellement »), the
// status that took an invoice out of dunning (213 « Rejetée », 220 « Annulée »), and which recorded
// payments were already written as 212 « Encaissée » for the platform.

const DATE = (column: string) => `${column} GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `CREATE TABLE invoice_statuses (
      id INTEGER PRIMARY KEY,
      invoice_id INTEGER NOT NULL REFERENCES invoices (id),
      code INTEGER NOT NULL CHECK (code BETWEEN 200 AND 299),
      date TEXT NOT NULL CHECK (${DATE('date')}),
      reason TEXT,
      amount_cents INTEGER,
      import_id INTEGER REFERENCES imports (id),
      recorded_at TEXT NOT NULL,
      UNIQUE (invoice_id, code, date)
    )`,
    'ALTER TABLE invoices ADD COLUMN disputed_cents INTEGER NOT NULL DEFAULT 0 CHECK (disputed_cents >= 0)',
    'ALTER TABLE invoices ADD COLUMN withdrawn_code INTEGER',
    `CREATE TABLE status_exports (
      id INTEGER PRIMARY KEY,
      created_at TEXT NOT NULL,
      csv_file TEXT NOT NULL,
      json_file TEXT NOT NULL,
      count INTEGER NOT NULL
    )`,
    'ALTER TABLE payments ADD COLUMN status_export_id INTEGER REFERENCES status_exports (id)',
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of [
    'ALTER TABLE payments DROP COLUMN status_export_id',
    'DROP TABLE status_exports',
    'ALTER TABLE invoices DROP COLUMN withdrawn_code',
    'ALTER TABLE invoices DROP COLUMN disputed_cents',
    'DROP TABLE invoice_statuses',
  ])
    await sql.raw(statement).execute(db);
}
