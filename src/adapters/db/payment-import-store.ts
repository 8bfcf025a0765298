import type SQLite from 'better-sqlite3';
import type { Cents } from '../../domain/money.js';
import { OUTSTANDING_SQL } from './balances.js';
import { sqliteOf } from './connection.js';
import { type ImportHeader, recordImport } from './imports.js';
import type { Store } from './open.js';

export interface PaymentFileCounts {
  readonly created: number;
  readonly known: number;
  readonly duplicates: number;
  readonly rejected: number;
}

/**
 * The writes of a payment file's import, inside the transaction `beginImport` opened: the import
 * recorded first, then each payment, then the counts and the journal entry.
 */
export class PaymentImportStore {
  readonly importId: number;
  private readonly sqlite: SQLite.Database;
  private readonly invoice: SQLite.Statement;
  private readonly known: SQLite.Statement;
  private readonly insert: SQLite.Statement;
  private readonly balance: SQLite.Statement;

  constructor(store: Store, header: ImportHeader) {
    const sqlite = sqliteOf(store);
    this.sqlite = sqlite;
    this.importId = recordImport(store, 'paiements', header);
    this.invoice = sqlite.prepare('SELECT id, currency, amount_cents FROM invoices WHERE number = ?');
    this.known = sqlite
      .prepare(
        `SELECT 1 FROM payments WHERE invoice_id = ? AND date = ? AND amount_cents = ? AND coalesce(reference, '') = ?`,
      )
      .pluck();
    this.insert = sqlite.prepare(
      `INSERT INTO payments (invoice_id, date, amount_cents, source, reference, import_id, recorded_at)
       VALUES (?, ?, ?, 'fichier', ?, ?, ?)`,
    );
    this.balance = sqlite.prepare(
      `SELECT i.number, i.currency, i.amount_cents, ${OUTSTANDING_SQL} AS outstanding FROM invoices i WHERE i.id = ?`,
    );
  }

  invoiceByNumber(number: string): { id: number; currency: string; amount_cents: number } | undefined {
    return this.invoice.get(number) as { id: number; currency: string; amount_cents: number } | undefined;
  }

  /** Whether this payment (invoice, date, amount, reference) is already in the store. */
  isKnown(invoiceId: number, date: string, amount: Cents, reference: string): boolean {
    return this.known.get(invoiceId, date, amount, reference) !== undefined;
  }

  add(invoiceId: number, date: string, amount: Cents, reference: string | null, recordedAt: string): void {
    this.insert.run(invoiceId, date, amount, reference, this.importId, recordedAt);
  }

  balanceOf(invoiceId: number): {
    number: string;
    currency: string;
    amount_cents: number;
    outstanding: number;
  } {
    return this.balance.get(invoiceId) as {
      number: string;
      currency: string;
      amount_cents: number;
      outstanding: number;
    };
  }

  /** The import's counts, and its journal entry. */
  finish(counts: PaymentFileCounts, recordedAt: string, today: string, details: unknown): void {
    this.sqlite
      .prepare('UPDATE imports SET created = ?, unchanged = ?, duplicates = ?, rejected = ? WHERE id = ?')
      .run(counts.created, counts.known, counts.duplicates, counts.rejected, this.importId);
    this.sqlite
      .prepare(
        `INSERT INTO journal (recorded_at, date, kind, import_id, details) VALUES (?, ?, 'import', ?, ?)`,
      )
      .run(recordedAt, today, this.importId, JSON.stringify(details));
  }
}
