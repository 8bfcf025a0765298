import type SQLite from 'better-sqlite3';
import { OUTSTANDING_SQL } from './balances.js';
import { sqliteOf } from './connection.js';
import type { Store } from './open.js';

/** What the documents of a run read about a client, prepared once for the whole run. */
export class DocumentRows {
  private readonly clientRow: SQLite.Statement;
  private readonly invoices: SQLite.Statement;
  private readonly paymentRows: SQLite.Statement;
  private readonly historyRows: SQLite.Statement;

  constructor(store: Store) {
    const sqlite = sqliteOf(store);
    this.clientRow = sqlite.prepare('SELECT code, name, emails, address FROM clients WHERE id = ?');
    this.invoices = sqlite.prepare(
      `SELECT i.number, i.issue_date, i.due_date, i.amount_cents, i.paid_cents, i.currency, ${OUTSTANDING_SQL} AS outstanding
       FROM invoices i WHERE i.client_id = ? AND i.closed_import_id IS NULL AND ${OUTSTANDING_SQL} <> 0
       ORDER BY i.due_date, i.number`,
    );
    this.paymentRows = sqlite.prepare(
      `SELECT i.number, p.date, p.amount_cents, p.source, i.currency FROM payments p JOIN invoices i ON i.id = p.invoice_id
       WHERE i.client_id = ? ORDER BY p.date`,
    );
    this.historyRows = sqlite.prepare(
      `SELECT a.date, a.step, a.channel, a.status, a.message_id, a.document, a.received_on FROM actions a
       WHERE a.client_id = ? AND a.status IN ('fait', 'incertain', 'en_cours', 'a_faire') ORDER BY a.date, a.id`,
    );
  }

  client(id: number): { code: string; name: string; emails: string; address: string | null } {
    return this.clientRow.get(id) as { code: string; name: string; emails: string; address: string | null };
  }

  /** Every open invoice and credit note of the client. */
  statement(clientId: number) {
    return this.invoices.all(clientId) as {
      number: string;
      issue_date: string;
      due_date: string;
      amount_cents: number;
      paid_cents: number;
      currency: string;
      outstanding: number;
    }[];
  }

  payments(clientId: number) {
    return this.paymentRows.all(clientId) as {
      number: string;
      date: string;
      amount_cents: number;
      source: string;
      currency: string;
    }[];
  }

  /** The actions that may have reached the client, oldest first. */
  history(clientId: number) {
    return this.historyRows.all(clientId) as {
      date: string;
      step: string;
      channel: string;
      status: string;
      message_id: string | null;
      document: string | null;
      received_on: string | null;
    }[];
  }
}
