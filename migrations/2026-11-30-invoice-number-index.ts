import { type Kysely, sql } from 'kysely';

// Frozen in time: never imports application code, never edited once released. The uniqueness of
// invoice numbers moves from the column's UNIQUE constraint (an index SQLite never lets go of) to
// a named unique index, `invoices_number`, that a first import into an empty store may drop and
// build again at the end, in one sort, as it already does for the other indexes of the table: kept
// up line by line, it took a sixth of a first import's time. Every row and every other rule stay.
//
// SQLite cannot drop a column constraint: the table is rebuilt, the documented way (a new table,
// the rows copied, the old one dropped, the new one renamed), in one transaction with foreign keys
// off, then checked.

const DATE = (column: string) => `${column} GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'`;

const COLUMNS = [
  'id',
  'number',
  'client_id',
  'issue_date',
  'due_date',
  'due_date_computed',
  'amount_cents',
  'paid_cents',
  'currency',
  'disputed',
  'dispute_reason',
  'closed_import_id',
  'created_import_id',
  'updated_import_id',
  'source_line',
  'paused',
  'paused_until',
  'pause_reason',
  'paid_on',
  'line_hash',
].join(', ');

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

function table(name: string, numberConstraint: string): string {
  return `CREATE TABLE ${name} (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL ${numberConstraint}CHECK (number <> ''),
    client_id INTEGER NOT NULL REFERENCES clients (id),
    issue_date TEXT NOT NULL CHECK (${DATE('issue_date')}),
    due_date TEXT NOT NULL CHECK (${DATE('due_date')}),
    due_date_computed INTEGER NOT NULL DEFAULT 0 CHECK (due_date_computed IN (0, 1)),
    amount_cents INTEGER NOT NULL CHECK (typeof(amount_cents) = 'integer'),
    paid_cents INTEGER NOT NULL DEFAULT 0 CHECK (
      typeof(paid_cents) = 'integer' AND (
        (amount_cents >= 0 AND paid_cents BETWEEN 0 AND amount_cents) OR
        (amount_cents < 0 AND paid_cents BETWEEN amount_cents AND 0))),
    currency TEXT NOT NULL DEFAULT 'EUR' CHECK (length(currency) = 3 AND currency = upper(currency)),
    disputed INTEGER NOT NULL DEFAULT 0 CHECK (disputed IN (0, 1)),
    dispute_reason TEXT,
    closed_import_id INTEGER REFERENCES imports (id),
    created_import_id INTEGER REFERENCES imports (id),
    updated_import_id INTEGER REFERENCES imports (id),
    source_line INTEGER,
    paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    paused_until TEXT CHECK (paused_until IS NULL OR ${DATE('paused_until')}),
    pause_reason TEXT,
    paid_on TEXT CHECK (paid_on IS NULL OR ${DATE('paid_on')}),
    line_hash INTEGER
  )`;
}

async function rebuild(db: Kysely<unknown>, numberConstraint: string, indexes: readonly string[]) {
  const run = (statement: string) => sql.raw(statement).execute(db);
  // Only outside a transaction does this pragma take effect.
  await run('PRAGMA foreign_keys = OFF');
  try {
    await run('BEGIN IMMEDIATE');
    try {
      await run(table('invoices_rebuilt', numberConstraint));
      await run(`INSERT INTO invoices_rebuilt (${COLUMNS}) SELECT ${COLUMNS} FROM invoices`);
      await run('DROP TABLE invoices');
      await run('ALTER TABLE invoices_rebuilt RENAME TO invoices');
      for (const index of indexes) await run(index);
      await run('CREATE INDEX invoices_client ON invoices (client_id)');
      await run('CREATE INDEX invoices_due_date ON invoices (due_date)');
      await run(
        `CREATE TRIGGER invoices_line_hash_stale AFTER UPDATE OF ${FROM_EXPORT.join(', ')} ON invoices
           WHEN NEW.line_hash IS NOT NULL AND NEW.line_hash IS OLD.line_hash
         BEGIN UPDATE invoices SET line_hash = NULL WHERE id = NEW.id; END`,
      );
      const broken = await sql.raw('PRAGMA foreign_key_check').execute(db);
      if (broken.rows.length > 0) throw new Error(`${broken.rows.length} foreign keys broken by the rebuild`);
      await run('COMMIT');
    } catch (error) {
      await run('ROLLBACK');
      throw error;
    }
  } finally {
    await run('PRAGMA foreign_keys = ON');
  }
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, '', ['CREATE UNIQUE INDEX invoices_number ON invoices (number)']);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, 'UNIQUE ', []);
}
