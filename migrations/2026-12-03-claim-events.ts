import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code, never edited once released. What the law makes
// count in a claim beyond the reminders themselves: the day a mise en demeure was received (the
// legal interest against a private client runs from it), and the events that interrupt the
// prescription of an invoice (an acknowledgement of the debt, a court application).

const DATE = (column: string) => `${column} GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `ALTER TABLE actions ADD COLUMN received_on TEXT CHECK (received_on IS NULL OR ${DATE('received_on')})`,
    `CREATE TABLE interruptions (
      id INTEGER PRIMARY KEY,
      invoice_id INTEGER NOT NULL REFERENCES invoices (id),
      date TEXT NOT NULL CHECK (${DATE('date')}),
      kind TEXT NOT NULL CHECK (kind IN ('reconnaissance_dette', 'demande_en_justice')),
      note TEXT,
      recorded_at TEXT NOT NULL
    )`,
    'CREATE INDEX interruptions_invoice ON interruptions (invoice_id, date)',
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP TABLE interruptions').execute(db);
  await sql.raw('ALTER TABLE actions DROP COLUMN received_on').execute(db);
}
