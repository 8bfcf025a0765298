import type SQLite from 'better-sqlite3';
import type { IsoDate } from '../../domain/dates.js';
import type { StatusChange, StatusRow } from '../../domain/lifecycle.js';
import type { Cents } from '../../domain/money.js';
import { OUTSTANDING_SQL } from './balances.js';
import { sqliteOf } from './connection.js';
import { type ImportHeader, recordImport } from './imports.js';
import type { Store } from './open.js';

export interface StatusInvoice {
  readonly id: number;
  readonly clientId: number;
  readonly amount: Cents;
  readonly outstanding: Cents;
  readonly currency: string;
  readonly payments: readonly { readonly date: IsoDate; readonly amount: Cents }[];
}

export interface StatusFileCounts {
  readonly created: number;
  readonly known: number;
  readonly duplicates: number;
  readonly rejected: number;
}

/**
 * The writes of a lifecycle-status file's import, inside the transaction `beginImport` opened: each
 * status once (an invoice, a code, a day), its effect on the invoice, and its journal entry, which
 * `historique` shows.
 */
export class StatusImportStore {
  readonly importId: number;
  private readonly sqlite: SQLite.Database;
  private readonly statements: Record<
    | 'invoice'
    | 'payments'
    | 'known'
    | 'insert'
    | 'dispute'
    | 'partial'
    | 'pause'
    | 'payment'
    | 'withdraw'
    | 'journal',
    SQLite.Statement
  >;

  constructor(
    store: Store,
    header: ImportHeader,
    private readonly today: string,
  ) {
    const sqlite = sqliteOf(store);
    this.sqlite = sqlite;
    this.importId = recordImport(store, 'statuts', header);
    this.statements = {
      invoice: sqlite.prepare(
        `SELECT i.id, i.client_id, i.amount_cents, i.currency, ${OUTSTANDING_SQL} AS outstanding
         FROM invoices i WHERE i.number = ?`,
      ),
      payments: sqlite.prepare(
        "SELECT date, amount_cents AS amount FROM payments WHERE invoice_id = ? AND source <> 'statut'",
      ),
      known: sqlite
        .prepare('SELECT 1 FROM invoice_statuses WHERE invoice_id = ? AND code = ? AND date = ?')
        .pluck(),
      insert: sqlite.prepare(
        `INSERT INTO invoice_statuses (invoice_id, code, date, reason, amount_cents, import_id, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      dispute: sqlite.prepare('UPDATE invoices SET disputed = 1, dispute_reason = ? WHERE id = ?'),
      partial: sqlite.prepare('UPDATE invoices SET disputed_cents = ? WHERE id = ?'),
      pause: sqlite.prepare(
        'UPDATE invoices SET paused = 1, paused_until = ?, pause_reason = ? WHERE id = ?',
      ),
      payment: sqlite.prepare(
        `INSERT INTO payments (invoice_id, date, amount_cents, source, reference, import_id, recorded_at)
         VALUES (?, ?, ?, 'statut', ?, ?, ?)`,
      ),
      withdraw: sqlite.prepare(
        'UPDATE invoices SET disputed = 1, dispute_reason = ?, withdrawn_code = ? WHERE id = ?',
      ),
      journal: sqlite.prepare(
        `INSERT INTO journal (recorded_at, date, kind, client_id, invoice_id, import_id, details)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  invoiceByNumber(number: string): StatusInvoice | undefined {
    const row = this.statements.invoice.get(number) as
      | { id: number; client_id: number; amount_cents: number; currency: string; outstanding: number }
      | undefined;
    if (!row) return undefined;
    return {
      id: row.id,
      clientId: row.client_id,
      amount: row.amount_cents as Cents,
      outstanding: row.outstanding as Cents,
      currency: row.currency,
      payments: this.statements.payments.all(row.id) as { date: IsoDate; amount: Cents }[],
    };
  }

  isKnown(invoiceId: number, row: StatusRow): boolean {
    return this.statements.known.get(invoiceId, row.status.code, row.date) !== undefined;
  }

  /** Records a status and applies its change. */
  apply(
    invoice: StatusInvoice,
    row: StatusRow,
    change: StatusChange,
    number: string,
    recordedAt: string,
  ): void {
    const s = this.statements;
    s.insert.run(invoice.id, row.status.code, row.date, row.reason, row.amount, this.importId, recordedAt);
    let effect = 'historique';
    switch (change.kind) {
      case 'dispute':
        s.dispute.run(change.reason, invoice.id);
        effect = 'litige';
        break;
      case 'partial':
        s.partial.run(change.disputedCents, invoice.id);
        effect = 'litige_partiel';
        break;
      case 'pause':
        s.pause.run(change.until, change.reason, invoice.id);
        effect = 'pause';
        break;
      case 'payment':
        s.payment.run(
          invoice.id,
          row.date,
          change.amount,
          `statut ${row.status.code}`,
          this.importId,
          recordedAt,
        );
        effect = 'reglement';
        break;
      case 'withdraw':
        s.withdraw.run(change.reason, change.code, invoice.id);
        effect = 'retiree';
        break;
      case 'none':
      case 'invalid':
        break;
    }
    s.journal.run(
      recordedAt,
      this.today,
      'statut',
      invoice.clientId,
      invoice.id,
      this.importId,
      JSON.stringify({
        numero: number,
        code: row.status.code,
        libelle: row.status.label,
        date: row.date,
        motif: row.reason,
        montant_centimes: row.amount,
        effet: effect,
        ...(change.kind === 'partial' ? { conteste_centimes: change.disputedCents } : {}),
        ...(change.kind === 'pause' ? { jusqu_au: change.until } : {}),
        ...(change.kind === 'payment' ? { regle_centimes: change.amount } : {}),
        ...(change.kind === 'none' && change.note ? { note: change.note } : {}),
      }),
    );
  }

  /** The import's counts, and its journal entry. */
  finish(counts: StatusFileCounts, recordedAt: string, details: unknown): void {
    this.sqlite
      .prepare('UPDATE imports SET created = ?, unchanged = ?, duplicates = ?, rejected = ? WHERE id = ?')
      .run(counts.created, counts.known, counts.duplicates, counts.rejected, this.importId);
    this.statements.journal.run(
      recordedAt,
      this.today,
      'import',
      null,
      null,
      this.importId,
      JSON.stringify(details),
    );
  }
}

/** A recorded payment, as the 212 « Encaissée » status the platform should receive. */
export interface PaidStatus {
  readonly paymentId: number;
  readonly invoiceId: number;
  readonly clientId: number;
  readonly number: string;
  readonly date: string;
  readonly amount: Cents;
  readonly currency: string;
  /** releve, fichier or manuel: where recouvre learnt of it. */
  readonly source: string;
  readonly reference: string | null;
  /** Already written by an earlier export (only with a `since` date). */
  readonly exported: boolean;
}

/**
 * The payments recouvre recorded that the platform has not been told of yet, or with `since`, every
 * payment dated from that day. A payment that came from a 212 status is the platform's own news.
 */
export function paidStatusesToExport(store: Store, since: string | null): PaidStatus[] {
  const rows = sqliteOf(store)
    .prepare(
      `SELECT p.id, p.invoice_id, i.client_id, i.number, p.date, p.amount_cents, i.currency, p.source,
              p.reference, p.status_export_id IS NOT NULL AS exported
       FROM payments p JOIN invoices i ON i.id = p.invoice_id
       WHERE p.source <> 'statut' AND p.amount_cents > 0
         AND ${since === null ? 'p.status_export_id IS NULL' : 'p.date >= ?'}
       ORDER BY p.date, i.number, p.id`,
    )
    .all(...(since === null ? [] : [since])) as {
    id: number;
    invoice_id: number;
    client_id: number;
    number: string;
    date: string;
    amount_cents: number;
    currency: string;
    source: string;
    reference: string | null;
    exported: number;
  }[];
  return rows.map((r) => ({
    paymentId: r.id,
    invoiceId: r.invoice_id,
    clientId: r.client_id,
    number: r.number,
    date: r.date,
    amount: r.amount_cents as Cents,
    currency: r.currency,
    source: r.source,
    reference: r.reference,
    exported: r.exported === 1,
  }));
}

/**
 * Records an export of 212 statuses inside one transaction: its row, its payments marked, a journal
 * entry per invoice; `write` puts the files on disk before the commit, so that a file that could not be
 * written leaves every payment to the next export.
 */
export function recordPaidStatusExport(
  store: Store,
  paid: readonly PaidStatus[],
  files: { readonly csv: string; readonly json: string },
  stamp: { readonly recordedAt: string; readonly today: string },
  write: () => void,
): number {
  const sqlite = sqliteOf(store);
  return sqlite.transaction(() => {
    const id = Number(
      sqlite
        .prepare('INSERT INTO status_exports (created_at, csv_file, json_file, count) VALUES (?, ?, ?, ?)')
        .run(stamp.recordedAt, files.csv, files.json, paid.length).lastInsertRowid,
    );
    const mark = sqlite.prepare(
      'UPDATE payments SET status_export_id = ? WHERE id = ? AND status_export_id IS NULL',
    );
    const journal = sqlite.prepare(
      `INSERT INTO journal (recorded_at, date, kind, client_id, invoice_id, details)
       VALUES (?, ?, 'statut_transmis', ?, ?, ?)`,
    );
    for (const p of paid) {
      mark.run(id, p.paymentId);
      journal.run(
        stamp.recordedAt,
        stamp.today,
        p.clientId,
        p.invoiceId,
        JSON.stringify({
          numero: p.number,
          date: p.date,
          montant_centimes: p.amount,
          devise: p.currency,
          fichier: files.csv,
        }),
      );
    }
    write();
    return id;
  })();
}
