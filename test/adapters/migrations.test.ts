import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type Migration, Migrator, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { openStore } from '../../src/adapters/db/open.js';

const dir = mkdtempSync(join(tmpdir(), 'recouvre-migrations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store brought up to migration `last` only, as an older recouvre left it. */
async function storeAt(path: string, last: string): Promise<SQLite.Database> {
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  const loaded: Record<string, Migration> = {};
  for (const [name, load] of Object.entries(migrations)) if (name <= last) loaded[name] = await load();
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
  const { error } = await new Migrator({
    db,
    provider: { getMigrations: async () => loaded },
  }).migrateToLatest();
  if (error) throw error;
  return sqlite;
}

const everything = (sqlite: SQLite.Database, table: string) =>
  sqlite.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();

describe('migration 2026-11-30-invoice-number-index', () => {
  it('keeps every row and every rule, with the uniqueness of numbers in a named index', async () => {
    const path = join(dir, 'old.db');
    const old = await storeAt(path, '2026-11-29-line-fingerprints');
    old.exec(`
      INSERT INTO imports (id, started_at, file_name, file_path, sha256, kind, encoding, separator)
        VALUES (1, '2026-10-01T08:00:00Z', 'f.csv', '/f.csv', '${'a'.repeat(64)}', 'factures', 'utf-8', ';');
      INSERT INTO clients (id, code, name) VALUES (1, 'C1', 'Un'), (2, 'C2', 'Deux');
      INSERT INTO invoices (id, number, client_id, issue_date, due_date, amount_cents, paid_cents, created_import_id, line_hash)
        VALUES (1, 'F1', 1, '2026-01-01', '2026-02-01', 10000, 2500, 1, 123456789012);
      INSERT INTO invoices (id, number, client_id, issue_date, due_date, amount_cents, disputed, dispute_reason,
                            paused, paused_until, pause_reason, paid_on)
        VALUES (5, 'F5', 2, '2026-01-05', '2026-02-05', -3000, 1, 'livraison', 1, '2026-12-01', 'accord', '2026-03-01');
      INSERT INTO payments (invoice_id, date, amount_cents, source, recorded_at)
        VALUES (1, '2026-02-10', 1000, 'banque', '2026-02-10T09:00:00Z');
      INSERT INTO journal (recorded_at, date, kind, client_id, invoice_id, import_id)
        VALUES ('2026-10-01T08:00:00Z', '2026-10-01', 'import', 1, 1, 1);
    `);
    const before = {
      invoices: everything(old, 'invoices'),
      payments: everything(old, 'payments'),
      journal: everything(old, 'journal'),
    };
    old.close();

    const store = await openStore(path, { create: false });
    const { sqlite } = store;
    expect(everything(sqlite, 'invoices')).toEqual(before.invoices);
    expect(everything(sqlite, 'payments')).toEqual(before.payments);
    expect(everything(sqlite, 'journal')).toEqual(before.journal);
    const indexes = sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'invoices' ORDER BY name")
      .pluck()
      .all();
    // No constraint index any more: every index of the table can be deferred by a first import.
    expect(indexes).toEqual(['invoices_client', 'invoices_due_date', 'invoices_number']);
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('foreign_key_check')).toEqual([]);
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');

    const add = sqlite.prepare(
      "INSERT INTO invoices (number, client_id, issue_date, due_date, amount_cents) VALUES (?, ?, '2026-01-01', '2026-02-01', 100)",
    );
    expect(() => add.run('F1', 1)).toThrow(/UNIQUE constraint failed: invoices.number/);
    expect(() => add.run('F9', 99)).toThrow(/FOREIGN KEY constraint failed/);
    expect(() => sqlite.prepare("UPDATE invoices SET due_date = '01/02/2026' WHERE id = 1").run()).toThrow(
      /CHECK constraint failed/,
    );
    expect(() => sqlite.prepare('UPDATE invoices SET paid_cents = 20000 WHERE id = 1').run()).toThrow(
      /CHECK constraint failed/,
    );
    // The fingerprint trigger came back with the table.
    sqlite.prepare('UPDATE invoices SET amount_cents = 12000 WHERE id = 1').run();
    expect(sqlite.prepare('SELECT line_hash FROM invoices WHERE id = 1').pluck().get()).toBeNull();
    // The journal is still append-only, and still points at the invoices.
    expect(() => sqlite.prepare('DELETE FROM journal').run()).toThrow(/append-only/);
    expect(() => sqlite.prepare('DELETE FROM invoices WHERE id = 1').run()).toThrow(/FOREIGN KEY/);
    await store.close();
  });
});
