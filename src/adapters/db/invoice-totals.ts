import type SQLite from 'better-sqlite3';
import type { InvoiceRow } from '../../domain/invoice-row.js';

/**
 * The report's invoice sums by group, kept up to date by the store itself (migration
 * 2026-12-01-invoice-totals): the view `invoice_contributions` says what each invoice adds to
 * its group, and triggers take it out and put it back around every change. Only a first import
 * into an empty store does the sums itself, as it builds its indexes once at the end.
 */

/** The sums of a group, in the table's column order after its key. */
export const TOTALS_SUMS = [
  'n',
  'amount',
  'outstanding',
  'owing',
  'owing_count',
  'declared',
  'closed',
] as const;

/** The triggers a first import drops and recreates at its end (`BulkTotals`). */
const BULK_DROPPED = [
  'invoices_totals_insert_after',
  'clients_totals_kind_before',
  'clients_totals_kind_after',
];

/**
 * The totals of a first import into an empty store, summed here rather than by a trigger per
 * line (about 6 µs each). With no invoice stored before, none has a payment, a dispute or a
 * closing yet, so a new invoice's contribution is plain; and a client's kind can only change at
 * its first line in the file, before any invoice of it is written, which is why the triggers on
 * a client's kind can wait too. Dropped inside the import's transaction, the triggers come back
 * with a rollback.
 */
export class BulkTotals {
  /**
   * Sums by due date, then issue date, then the rest of the key: a number for the usual case
   * (euros, no date from the source), else the rest as text. Building the whole key as one string
   * for each of a million lines cost 0.4 s.
   */
  private readonly groups = new Map<string, Map<string, Map<number | string, number[]>>>();
  /** Each group's key in `invoice_totals`, built once when the group is first met. */
  private readonly keys = new Map<number[], string>();
  private readonly triggers: string[];

  constructor(
    private readonly sqlite: SQLite.Database,
    private readonly importId: number,
  ) {
    const placeholders = BULK_DROPPED.map(() => '?').join(', ');
    this.triggers = sqlite
      .prepare(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN (${placeholders})`)
      .pluck()
      .all(...BULK_DROPPED) as string[];
    for (const name of BULK_DROPPED) sqlite.exec(`DROP TRIGGER IF EXISTS ${name}`);
  }

  /** What `invoice_contributions` would say of this new invoice. */
  add(row: InvoiceRow, professional: boolean): void {
    // Nothing stored before: no payment, dispute or closing; the whole « Réglé » is declared.
    const declared = row.paid;
    const flags = (professional ? 4 : 0) + (row.amount < 0 ? 2 : 0) + (declared === 0 ? 0 : 1);
    const paidOn = declared !== 0 && row.paidOn ? row.paidOn : '';
    const rest = row.currency === 'EUR' && paidOn === '' ? flags : `${row.currency}${flags}${paidOn}`;
    let byIssue = this.groups.get(row.dueDate);
    if (byIssue === undefined) {
      byIssue = new Map();
      this.groups.set(row.dueDate, byIssue);
    }
    let byRest = byIssue.get(row.issueDate);
    if (byRest === undefined) {
      byRest = new Map();
      byIssue.set(row.issueDate, byRest);
    }
    const outstanding = row.amount - row.paid;
    const owing = row.amount > 0 && outstanding > 0;
    const sums = byRest.get(rest);
    if (sums === undefined) {
      const created = [1, row.amount, outstanding, owing ? outstanding : 0, owing ? 1 : 0, declared, 0];
      const source = declared === 0 ? '' : paidOn !== '' ? `p${paidOn}` : `c${this.importId}`;
      const kind = `${professional ? 1 : 0}${row.amount < 0 ? 1 : 0}`;
      byRest.set(rest, created);
      this.keys.set(created, `${row.currency}0${kind}${row.issueDate}${row.dueDate}|${source}|`);
      return;
    }
    sums[0] = (sums[0] as number) + 1;
    sums[1] = (sums[1] as number) + row.amount;
    sums[2] = (sums[2] as number) + outstanding;
    if (owing) {
      sums[3] = (sums[3] as number) + outstanding;
      sums[4] = (sums[4] as number) + 1;
    }
    sums[5] = (sums[5] as number) + declared;
  }

  /** Puts the triggers back and adds the sums to the store's. */
  finish(): void {
    for (const sql of this.triggers.splice(0)) this.sqlite.exec(sql);
    const upsert = this.sqlite.prepare(
      `INSERT INTO invoice_totals (k, ${TOTALS_SUMS.join(', ')}) VALUES (?, ${TOTALS_SUMS.map(() => '?').join(', ')})
       ON CONFLICT (k) DO UPDATE SET ${TOTALS_SUMS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}`,
    );
    for (const [sums, key] of this.keys) upsert.run(key, ...sums);
    this.groups.clear();
    this.keys.clear();
  }
}

/** Groups every invoice has left: their sums are all back to zero. */
export function dropEmptyTotals(sqlite: SQLite.Database): void {
  sqlite.exec('DELETE FROM invoice_totals WHERE n = 0');
}
