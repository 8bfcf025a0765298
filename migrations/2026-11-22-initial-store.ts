import { type Kysely, sql } from 'kysely';

// Frozen in time: this migration never imports application code, and is never edited once
// released. A later change to the schema is a new file.

const DATE = (column: string) => `${column} GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    `CREATE TABLE imports (
      id INTEGER PRIMARY KEY,
      started_at TEXT NOT NULL,
      file_name TEXT NOT NULL,
      file_path TEXT NOT NULL,
      sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
      kind TEXT NOT NULL CHECK (kind <> ''),
      encoding TEXT NOT NULL,
      separator TEXT NOT NULL,
      created INTEGER NOT NULL DEFAULT 0,
      updated INTEGER NOT NULL DEFAULT 0,
      unchanged INTEGER NOT NULL DEFAULT 0,
      rejected INTEGER NOT NULL DEFAULT 0,
      skipped INTEGER NOT NULL DEFAULT 0,
      duplicates INTEGER NOT NULL DEFAULT 0,
      closed INTEGER NOT NULL DEFAULT 0,
      clients_created INTEGER NOT NULL DEFAULT 0,
      clients_updated INTEGER NOT NULL DEFAULT 0,
      options TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options))
    )`,
    `CREATE TABLE clients (
      id INTEGER PRIMARY KEY,
      code TEXT NOT NULL UNIQUE CHECK (code <> ''),
      name TEXT NOT NULL,
      emails TEXT NOT NULL DEFAULT '',
      kind TEXT NOT NULL DEFAULT 'professionnel' CHECK (kind IN ('professionnel', 'particulier')),
      address TEXT,
      siren TEXT,
      phone TEXT,
      paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
      paused_until TEXT CHECK (paused_until IS NULL OR ${DATE('paused_until')}),
      pause_reason TEXT,
      created_import_id INTEGER REFERENCES imports (id),
      updated_import_id INTEGER REFERENCES imports (id)
    )`,
    `CREATE TABLE invoices (
      id INTEGER PRIMARY KEY,
      number TEXT NOT NULL UNIQUE CHECK (number <> ''),
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
      source_line INTEGER
    )`,
    'CREATE INDEX invoices_client ON invoices (client_id)',
    'CREATE INDEX invoices_due_date ON invoices (due_date)',
    `CREATE TABLE payments (
      id INTEGER PRIMARY KEY,
      invoice_id INTEGER NOT NULL REFERENCES invoices (id),
      date TEXT NOT NULL CHECK (${DATE('date')}),
      amount_cents INTEGER NOT NULL CHECK (typeof(amount_cents) = 'integer' AND amount_cents <> 0),
      source TEXT NOT NULL CHECK (source <> ''),
      reference TEXT,
      import_id INTEGER REFERENCES imports (id),
      recorded_at TEXT NOT NULL
    )`,
    'CREATE INDEX payments_invoice ON payments (invoice_id)',
    `CREATE TABLE journal (
      id INTEGER PRIMARY KEY,
      recorded_at TEXT NOT NULL,
      date TEXT NOT NULL CHECK (${DATE('date')}),
      kind TEXT NOT NULL CHECK (kind <> ''),
      client_id INTEGER REFERENCES clients (id),
      invoice_id INTEGER REFERENCES invoices (id),
      import_id INTEGER REFERENCES imports (id),
      details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details))
    )`,
    'CREATE INDEX journal_invoice ON journal (invoice_id)',
    'CREATE INDEX journal_client ON journal (client_id)',
    `CREATE TRIGGER journal_append_only_update BEFORE UPDATE ON journal
      BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END`,
    `CREATE TRIGGER journal_append_only_delete BEFORE DELETE ON journal
      BEGIN SELECT RAISE(ABORT, 'journal is append-only'); END`,
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['journal', 'payments', 'invoices', 'clients', 'imports']) {
    await sql.raw(`DROP TABLE ${table}`).execute(db);
  }
}
