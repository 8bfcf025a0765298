import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteOf } from '../../src/adapters/db/connection.js';
import { openStore, withRollbackJournal } from '../../src/adapters/db/open.js';

const dir = mkdtempSync(join(tmpdir(), 'recouvre-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The journal mode written in the file, as any other program opening it sees it. */
function modeOnDisk(path: string): string {
  const other = new SQLite(path, { readonly: true });
  try {
    return other.pragma('journal_mode', { simple: true }) as string;
  } finally {
    other.close();
  }
}

describe('withRollbackJournal (a first import)', () => {
  it('writes through a rollback journal when alone, and gives the store its log back, even on error', async () => {
    const store = await openStore(join(dir, 'seul.db'), { create: true });
    const seen = await withRollbackJournal(sqliteOf(store), async () => ({
      mode: sqliteOf(store).pragma('journal_mode', { simple: true }),
      synchronous: sqliteOf(store).pragma('synchronous', { simple: true }),
    }));
    // FULL is 2: a rollback journal must be synced to survive a power cut.
    expect(seen).toEqual({ mode: 'delete', synchronous: 2 });
    expect(sqliteOf(store).pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqliteOf(store).pragma('synchronous', { simple: true })).toBe(1);

    await expect(
      withRollbackJournal(sqliteOf(store), async () => {
        sqliteOf(store).exec("BEGIN; INSERT INTO clients (code, name) VALUES ('C1', 'Client')");
        throw new Error('panne');
      }),
    ).rejects.toThrow('panne');
    expect(sqliteOf(store).inTransaction).toBe(false);
    expect(sqliteOf(store).prepare('SELECT count(*) FROM clients').pluck().get()).toBe(0);
    await store.close();
    expect(modeOnDisk(join(dir, 'seul.db'))).toBe('wal');
  });

  it('keeps what was written when another command is reading as it ends; the next opening puts the log back', async () => {
    const path = join(dir, 'lecteur.db');
    const store = await openStore(path, { create: true });
    const reader = new SQLite(path, { readonly: true });
    const result = await withRollbackJournal(sqliteOf(store), async () => {
      sqliteOf(store).exec("BEGIN; INSERT INTO clients (code, name) VALUES ('C1', 'Client'); COMMIT;");
      // A report opens the store now and is still reading when the import ends.
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM clients').get();
      return 'importé';
    });
    expect(result).toBe('importé');
    expect(sqliteOf(store).pragma('journal_mode', { simple: true })).toBe('delete');
    reader.exec('COMMIT');
    reader.close();
    await store.close();
    const again = await openStore(path, { create: false });
    expect(sqliteOf(again).pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqliteOf(again).prepare('SELECT code FROM clients').pluck().all()).toEqual(['C1']);
    await again.close();
  });

  it('keeps the log, without waiting, while another connection reads the store', async () => {
    const path = join(dir, 'partage.db');
    const store = await openStore(path, { create: true });
    const reader = new SQLite(path, { readonly: true });
    reader.prepare('SELECT count(*) FROM invoices').get();
    const started = performance.now();
    const mode = await withRollbackJournal(sqliteOf(store), async () =>
      sqliteOf(store).pragma('journal_mode', { simple: true }),
    );
    expect(mode).toBe('wal');
    // Its busy timeout would have made it wait 5 s.
    expect(performance.now() - started).toBeLessThan(4000);
    expect(sqliteOf(store).pragma('busy_timeout', { simple: true })).toBe(5000);
    reader.close();
    await store.close();
  });
});
