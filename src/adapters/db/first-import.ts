import { sqliteOf } from './connection.js';
import { type Store, withRollbackJournal } from './open.js';

/**
 * A first import (into a store without invoices) writes every page of the store: its foreign keys
 * are checked once, over every table, before the commit (SQLite's own check, in one pass) rather
 * than row by row, and its pages go through a rollback journal rather than the log
 * (`withRollbackJournal`): about a tenth of a first import each.
 */

/** Whether the store holds no invoice yet. */
export function holdsNoInvoice(store: Store): boolean {
  return sqliteOf(store).prepare('SELECT 1 FROM invoices LIMIT 1').get() === undefined;
}

/**
 * Runs a first import's work, which opens and ends its own transaction, with the foreign keys left
 * to `checkForeignKeys` (the pragma only takes effect outside a transaction).
 */
export async function asFirstImport<T>(store: Store, work: () => Promise<T>): Promise<T> {
  const sqlite = sqliteOf(store);
  sqlite.pragma('foreign_keys = OFF');
  try {
    return await withRollbackJournal(sqlite, work);
  } finally {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    sqlite.pragma('foreign_keys = ON');
  }
}

/**
 * The foreign keys of every table, checked at once: a row pointing nowhere would be a fault of
 * recouvre's, never of the file; nothing is kept then.
 */
export function checkForeignKeys(store: Store): void {
  const broken = sqliteOf(store).pragma('foreign_key_check') as { table: string; rowid: number }[];
  if (broken.length > 0) {
    const [first] = broken;
    throw new Error(
      `incohérence interne : ${broken.length} ligne(s) de « ${first?.table} » renvoient à une ligne absente (première : ${first?.rowid}) ; rien n'a été importé`,
    );
  }
}
