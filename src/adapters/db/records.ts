import type SQLite from 'better-sqlite3';
import type { IsoDate } from '../../domain/dates.js';
import type { Cents } from '../../domain/money.js';
import { UserError } from '../../errors.js';
import { OUTSTANDING_SQL } from './balances.js';
import { sqliteOf } from './connection.js';
import type { Store } from './open.js';

/**
 * Small reads and writes of the commands that keep the state right (litige, pause, paiement,
 * echeancier, historique). Every write goes with a journal entry, in one transaction.
 */

export interface InvoiceRef {
  readonly kind: 'facture';
  readonly id: number;
  readonly number: string;
  readonly clientId: number;
  readonly clientCode: string;
  readonly currency: string;
  readonly issueDate: IsoDate;
  readonly dueDate: IsoDate;
  readonly disputed: boolean;
  readonly outstanding: Cents;
}

export interface ClientRef {
  readonly kind: 'client';
  readonly id: number;
  readonly code: string;
  readonly name: string;
}

export function findInvoice(sqlite: SQLite.Database, number: string): InvoiceRef | null {
  const row = sqlite
    .prepare(
      `SELECT i.id, i.number, i.client_id, c.code, i.currency, i.issue_date, i.due_date, i.disputed,
              ${OUTSTANDING_SQL} AS outstanding
       FROM invoices i JOIN clients c ON c.id = i.client_id WHERE i.number = ?`,
    )
    .get(number) as
    | {
        id: number;
        number: string;
        client_id: number;
        code: string;
        currency: string;
        issue_date: string;
        due_date: string;
        disputed: number;
        outstanding: number;
      }
    | undefined;
  if (!row) return null;
  return {
    kind: 'facture',
    id: row.id,
    number: row.number,
    clientId: row.client_id,
    clientCode: row.code,
    currency: row.currency,
    issueDate: row.issue_date as IsoDate,
    dueDate: row.due_date as IsoDate,
    disputed: row.disputed === 1,
    outstanding: row.outstanding as Cents,
  };
}

export function findClient(sqlite: SQLite.Database, code: string): ClientRef | null {
  const row = sqlite.prepare('SELECT id, code, name FROM clients WHERE code = ?').get(code) as
    | { id: number; code: string; name: string }
    | undefined;
  return row ? { kind: 'client', ...row } : null;
}

export function requireInvoice(sqlite: SQLite.Database, number: string): InvoiceRef {
  const invoice = findInvoice(sqlite, number);
  if (!invoice) {
    throw new UserError(`Facture « ${number} » inconnue : vérifiez son numéro.`, [
      'La liste des factures ouvertes : recouvre factures',
    ]);
  }
  return invoice;
}

/**
 * An invoice number or a client code. Should one text be both, `client:C001` or `facture:C001`
 * says which.
 */
export function requireTarget(sqlite: SQLite.Database, reference: string): InvoiceRef | ClientRef {
  const prefix = /^(client|facture):(.+)$/.exec(reference);
  const ref = prefix ? prefix[2]! : reference;
  const invoice = prefix?.[1] === 'client' ? null : findInvoice(sqlite, ref);
  const client = prefix?.[1] === 'facture' ? null : findClient(sqlite, ref);
  if (invoice && client) {
    throw new UserError(`« ${ref} » est à la fois un numéro de facture et un code client.`, [
      `Précisez : « facture:${ref} » pour la facture, « client:${ref} » pour le client.`,
    ]);
  }
  const found = invoice ?? client;
  if (!found) {
    throw new UserError(`« ${ref} » n'est ni un numéro de facture ni un code client connus.`, [
      'La liste des factures ouvertes et de leurs clients : recouvre factures',
    ]);
  }
  return found;
}

/** Open invoices of a client (something still due), oldest due first. */
export function openInvoicesOf(sqlite: SQLite.Database, clientId: number): InvoiceRef[] {
  const numbers = sqlite
    .prepare(
      `SELECT i.number FROM invoices i WHERE i.client_id = ? AND i.closed_import_id IS NULL
       AND ${OUTSTANDING_SQL} > 0 ORDER BY i.due_date, i.number`,
    )
    .pluck()
    .all(clientId) as string[];
  return numbers.map((n) => findInvoice(sqlite, n)!);
}

export interface JournalEntry {
  readonly recordedAt: string;
  readonly date: IsoDate;
  readonly kind: string;
  readonly clientId: number | null;
  readonly invoiceId: number | null;
  readonly details: unknown;
}

export function writeJournal(sqlite: SQLite.Database, entry: JournalEntry): void {
  sqlite
    .prepare(
      `INSERT INTO journal (recorded_at, date, kind, client_id, invoice_id, details) VALUES (?, ?, ?, ?, ?, ?)`,
    )
    .run(
      entry.recordedAt,
      entry.date,
      entry.kind,
      entry.clientId,
      entry.invoiceId,
      JSON.stringify(entry.details),
    );
}

/** The id of a client by its code, or null. */
export function clientIdOf(store: Store, code: string): number | null {
  return findClient(sqliteOf(store), code)?.id ?? null;
}

/** A client's code and name by its id, or null. */
export function clientById(store: Store, id: number): { code: string; name: string } | null {
  return (
    (sqliteOf(store).prepare('SELECT code, name FROM clients WHERE id = ?').get(id) as
      | { code: string; name: string }
      | undefined) ?? null
  );
}

/** An invoice by its number with its client's code, name and kind, or null. */
export function invoiceWithClient(
  store: Store,
  number: string,
): { id: number; client_id: number; code: string; name: string; kind: string } | null {
  return (
    (sqliteOf(store)
      .prepare(
        `SELECT i.id, i.client_id, c.code, c.name, c.kind FROM invoices i JOIN clients c ON c.id = i.client_id
         WHERE i.number = ?`,
      )
      .get(number) as
      | { id: number; client_id: number; code: string; name: string; kind: string }
      | undefined) ?? null
  );
}

/** A journal entry, for the modules that hold the store's handle rather than its connection. */
export function recordJournal(store: Store, entry: JournalEntry): void {
  writeJournal(sqliteOf(store), entry);
}

/** Open invoices of a client, for the modules that hold the store's handle. */
export function openInvoicesOfClient(store: Store, clientId: number): InvoiceRef[] {
  return openInvoicesOf(sqliteOf(store), clientId);
}
