import { type Kysely, sql } from 'kysely';

// Frozen in time: this migration never imports application code, and is never edited once
// released. It adds what the dunning engine needs: invoice-level pauses, the actions taken (by
// `recouvre relancer` or recorded by hand), and payment plans with their instalments.

const DATE = (column: string) => `${column} GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'`;

export async function up(db: Kysely<unknown>): Promise<void> {
  const statements = [
    'ALTER TABLE invoices ADD COLUMN paused INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1))',
    `ALTER TABLE invoices ADD COLUMN paused_until TEXT CHECK (paused_until IS NULL OR ${DATE('paused_until')})`,
    'ALTER TABLE invoices ADD COLUMN pause_reason TEXT',
    // One dunning action to one client in one currency, covering one or more invoices. Its status
    // moves from `en_cours` (recorded before sending) to `fait`, `echec` or `incertain`; tasks for
    // the user (calls, litigation) stay `a_faire` until marked done.
    `CREATE TABLE actions (
      id INTEGER PRIMARY KEY,
      date TEXT NOT NULL CHECK (${DATE('date')}),
      client_id INTEGER NOT NULL REFERENCES clients (id),
      currency TEXT NOT NULL CHECK (length(currency) = 3),
      step TEXT NOT NULL CHECK (step <> ''),
      channel TEXT NOT NULL CHECK (channel IN ('email', 'courrier', 'appel', 'tache')),
      origin TEXT NOT NULL CHECK (origin IN ('relancer', 'manuel')),
      status TEXT NOT NULL CHECK (status IN ('en_cours', 'fait', 'echec', 'incertain', 'a_faire')),
      created_at TEXT NOT NULL,
      completed_at TEXT,
      message_id TEXT,
      document TEXT,
      note TEXT,
      error TEXT
    )`,
    'CREATE INDEX actions_client_date ON actions (client_id, date)',
    `CREATE TABLE action_invoices (
      action_id INTEGER NOT NULL REFERENCES actions (id),
      invoice_id INTEGER NOT NULL REFERENCES invoices (id),
      outstanding_cents INTEGER NOT NULL CHECK (typeof(outstanding_cents) = 'integer'),
      penalties_cents INTEGER NOT NULL DEFAULT 0 CHECK (typeof(penalties_cents) = 'integer'),
      indemnity_cents INTEGER NOT NULL DEFAULT 0 CHECK (typeof(indemnity_cents) = 'integer'),
      PRIMARY KEY (action_id, invoice_id)
    ) WITHOUT ROWID`,
    'CREATE INDEX action_invoices_invoice ON action_invoices (invoice_id)',
    // A payment plan agreed with a client: what was outstanding on each covered invoice when it
    // was agreed, and the instalments. It is honoured while the money paid since then covers the
    // instalments already due.
    `CREATE TABLE payment_plans (
      id INTEGER PRIMARY KEY,
      client_id INTEGER NOT NULL REFERENCES clients (id),
      currency TEXT NOT NULL CHECK (length(currency) = 3),
      created_at TEXT NOT NULL,
      date TEXT NOT NULL CHECK (${DATE('date')}),
      total_cents INTEGER NOT NULL CHECK (typeof(total_cents) = 'integer' AND total_cents > 0),
      note TEXT,
      cancelled_at TEXT
    )`,
    `CREATE TABLE plan_invoices (
      plan_id INTEGER NOT NULL REFERENCES payment_plans (id),
      invoice_id INTEGER NOT NULL REFERENCES invoices (id),
      outstanding_at_start_cents INTEGER NOT NULL CHECK (outstanding_at_start_cents > 0),
      PRIMARY KEY (plan_id, invoice_id)
    ) WITHOUT ROWID`,
    'CREATE INDEX plan_invoices_invoice ON plan_invoices (invoice_id)',
    `CREATE TABLE plan_instalments (
      plan_id INTEGER NOT NULL REFERENCES payment_plans (id),
      due_date TEXT NOT NULL CHECK (${DATE('due_date')}),
      amount_cents INTEGER NOT NULL CHECK (typeof(amount_cents) = 'integer' AND amount_cents > 0),
      PRIMARY KEY (plan_id, due_date)
    ) WITHOUT ROWID`,
    'CREATE INDEX payments_recorded ON payments (recorded_at)',
  ];
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['plan_instalments', 'plan_invoices', 'payment_plans', 'action_invoices', 'actions']) {
    await sql.raw(`DROP TABLE ${table}`).execute(db);
  }
  await sql.raw('DROP INDEX payments_recorded').execute(db);
  for (const column of ['pause_reason', 'paused_until', 'paused']) {
    await sql.raw(`ALTER TABLE invoices DROP COLUMN ${column}`).execute(db);
  }
}
