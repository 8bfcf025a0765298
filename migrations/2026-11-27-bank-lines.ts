import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code, never edited once released. The lines of bank
// statements read by `recouvre rapprocher`: a statement read twice changes nothing, and the lines
// recouvre could not match for sure wait for the user's confirmation.

const DATE = (column: string) => `${column} GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `CREATE TABLE bank_lines (
      id INTEGER PRIMARY KEY,
      key TEXT NOT NULL UNIQUE,
      import_id INTEGER NOT NULL REFERENCES imports (id),
      line INTEGER NOT NULL,
      date TEXT NOT NULL CHECK (${DATE('date')}),
      amount_cents INTEGER NOT NULL CHECK (typeof(amount_cents) = 'integer' AND amount_cents > 0),
      currency TEXT NOT NULL CHECK (length(currency) = 3),
      label TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('rapprochee', 'a_confirmer', 'non_rapprochee')),
      reason TEXT,
      recorded_at TEXT NOT NULL
    )`,
    'CREATE INDEX bank_lines_status ON bank_lines (status)',
    'ALTER TABLE payments ADD COLUMN bank_line_id INTEGER REFERENCES bank_lines (id)',
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('ALTER TABLE payments DROP COLUMN bank_line_id').execute(db);
  await sql.raw('DROP TABLE bank_lines').execute(db);
}
