import type SQLite from 'better-sqlite3';
import type { IsoDate } from '../../domain/dates.js';
import type { BankLine, OpenInvoice } from '../../domain/matching.js';
import type { Cents } from '../../domain/money.js';
import { OUTSTANDING_SQL } from './balances.js';
import { sqliteOf } from './connection.js';
import type { Store } from './open.js';

/** Open invoices (something still due), with their client's name, for the matching. */
export function openInvoicesForMatching(store: Store): OpenInvoice[] {
  return (
    sqliteOf(store)
      .prepare(
        `SELECT i.id, i.number, i.client_id, c.name, i.due_date, i.currency, ${OUTSTANDING_SQL} AS outstanding
         FROM invoices i JOIN clients c ON c.id = i.client_id
         WHERE i.closed_import_id IS NULL AND i.amount_cents > 0 AND ${OUTSTANDING_SQL} > 0`,
      )
      .raw()
      .all() as [number, string, number, string, string, string, number][]
  ).map(([id, number, clientId, clientName, dueDate, currency, outstanding]) => ({
    id,
    number,
    clientId,
    clientName,
    dueDate: dueDate as IsoDate,
    currency,
    outstanding: outstanding as Cents,
  }));
}

export type BankLineStatus = 'rapprochee' | 'a_confirmer' | 'non_rapprochee';

export interface Allocation {
  readonly invoice: Pick<OpenInvoice, 'id'>;
  readonly amount: Cents;
}

/**
 * The writes of a statement's lines and of the payments they make. Statements are prepared once
 * per command: each prepare of the payment insert also compiles the store's triggers on payments.
 */
export class BankLineWriter {
  private readonly seen: SQLite.Statement;
  private readonly line: SQLite.Statement;
  private readonly payment: SQLite.Statement;

  constructor(store: Store) {
    const sqlite = sqliteOf(store);
    this.seen = sqlite.prepare('SELECT 1 FROM bank_lines WHERE key = ?').pluck();
    this.line = sqlite.prepare(
      `INSERT INTO bank_lines (key, import_id, line, date, amount_cents, currency, label, status, reason, recorded_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.payment = sqlite.prepare(
      `INSERT INTO payments (invoice_id, date, amount_cents, source, reference, import_id, recorded_at, bank_line_id)
       VALUES (?, ?, ?, 'releve', ?, ?, ?, ?)`,
    );
  }

  /** Whether a line with this key was read before (this statement, or an overlapping one). */
  isKnown(key: string): boolean {
    return this.seen.get(key) !== undefined;
  }

  addLine(
    line: BankLine,
    importId: number,
    fileLine: number,
    status: BankLineStatus,
    reason: string | null,
    recordedAt: string,
  ): number {
    return Number(
      this.line.run(
        line.key,
        importId,
        fileLine,
        line.date,
        line.amount,
        line.currency,
        line.label,
        status,
        reason,
        recordedAt,
      ).lastInsertRowid,
    );
  }

  /** The payments a line makes, one per invoice it pays. */
  addPayments(
    lineId: number,
    importId: number | null,
    line: Pick<BankLine, 'date' | 'label'>,
    allocations: readonly Allocation[],
    recordedAt: string,
  ): void {
    for (const a of allocations)
      this.payment.run(
        a.invoice.id,
        line.date,
        a.amount,
        line.label.slice(0, 140),
        importId,
        recordedAt,
        lineId,
      );
  }
}

export interface StoredBankLine {
  readonly id: number;
  readonly import_id: number | null;
  readonly date: string;
  readonly amount_cents: number;
  readonly currency: string;
  readonly label: string;
  readonly status: string;
  readonly reason: string | null;
}

export function bankLine(store: Store, id: number): StoredBankLine | null {
  return (
    (sqliteOf(store)
      .prepare(
        'SELECT id, import_id, date, amount_cents, currency, label, status, reason FROM bank_lines WHERE id = ?',
      )
      .get(id) as StoredBankLine | undefined) ?? null
  );
}

export function markConfirmed(store: Store, id: number): void {
  sqliteOf(store)
    .prepare("UPDATE bank_lines SET status = 'rapprochee', reason = 'confirmée' WHERE id = ?")
    .run(id);
}

/** Lines still waiting for the user. */
export function waitingLines(store: Store): StoredBankLine[] {
  return sqliteOf(store)
    .prepare(
      `SELECT id, import_id, date, amount_cents, currency, label, status, reason FROM bank_lines
       WHERE status <> 'rapprochee' ORDER BY date, id`,
    )
    .all() as StoredBankLine[];
}
