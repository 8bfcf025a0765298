import type SQLite from 'better-sqlite3';
import { addDays, type IsoDate } from '../../domain/dates.js';
import {
  EXPORT_STATUS_CODES,
  type ExportStatus,
  type InvoiceRow,
  suspiciousAmountChange,
} from '../../domain/invoice-row.js';
import { lifecycleStatus } from '../../domain/lifecycle.js';
import { type Fingerprint, Hash64Table } from '../line-fingerprint.js';
import { OUTSTANDING_SQL } from './balances.js';
import { sqliteOf } from './connection.js';
import { type ImportHeader, recordImport } from './imports.js';
import { BulkTotals, dropEmptyTotals } from './invoice-totals.js';
import type { Store } from './open.js';

/**
 * The write side of an invoice import, on raw prepared statements: an export may hold a million
 * lines, and kysely's per-query compilation would cost more than the writes themselves. Every
 * method runs inside the transaction the caller opened, so a failed import leaves nothing behind.
 */

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  skipped: number;
  duplicates: number;
  /** Total lines of the export (sums of the lines above), left out. */
  totalLines: number;
  closed: number;
  clientsCreated: number;
  clientsUpdated: number;
  /** Invoices the export's status says contested (`InvoiceRow.exportStatus`), newly marked disputed. */
  disputedByStatus: number;
  /** Invoices newly paused by a « Suspendue » or « Paiement transmis » status. */
  pausedByStatus: number;
  /** Invoices newly withdrawn from dunning by a « Rejetée » or « Annulée » status. */
  withdrawnByStatus: number;
}

export type InvoiceOutcome =
  | { readonly kind: 'created' | 'updated' | 'unchanged' | 'duplicate' }
  | { readonly kind: 'conflict'; readonly firstLine: number; readonly differences: readonly string[] }
  /** The new amount looks like a broken export (`suspiciousAmountChange`): nothing is written. */
  | { readonly kind: 'suspect'; readonly reason: string };

interface StoredInvoice {
  id: number;
  client_id: number;
  issue_date: string;
  due_date: string;
  due_date_computed: number;
  amount_cents: number;
  paid_cents: number;
  paid_on: string | null;
  currency: string;
  closed_import_id: number | null;
  hash_hi: number | null;
  hash_lo: number | null;
}

/** What the reader knows of a line besides its row. */
export interface LineMark {
  /** The line's fingerprint, kept with the invoice so that a re-import can skip it. */
  readonly fingerprint: Fingerprint;
  /** Its invoice number may have appeared earlier in the file: it must be looked up. */
  readonly repeat: boolean;
  /**
   * The value stored with the same fingerprint (invoice id × 2 + computed due date), or -1: the
   * invoice is what the line says, only its client needs the line.
   */
  readonly stored: number;
  /**
   * The fingerprint of the line's client code: the writer finds the clients it has met by it, in
   * a table of numbers, faster than by their code in a `Map` (a fresh string on each line).
   */
  readonly clientKey: Fingerprint;
}

/**
 * The line where each invoice was first seen in this file, by invoice id, and whether this import
 * created or changed it: (line + 1) × 2, plus 1 once written; 0 when not seen.
 */
class SeenInvoices {
  private lines = new Int32Array(1024);

  has(id: number): boolean {
    return id < this.lines.length && this.lines[id] !== 0;
  }

  lineOf(id: number): number {
    return ((this.lines[id] as number) >>> 1) - 1;
  }

  wasWritten(id: number): boolean {
    return ((this.lines[id] as number) & 1) === 1;
  }

  mark(id: number, line: number): void {
    if (id >= this.lines.length) {
      let length = this.lines.length;
      while (length <= id) length *= 2;
      const grown = new Int32Array(length);
      grown.set(this.lines);
      this.lines = grown;
    }
    if (this.lines[id] === 0) this.lines[id] = (line + 1) * 2;
  }

  /** After `mark`. */
  markWritten(id: number): void {
    this.lines[id] = (this.lines[id] as number) | 1;
  }
}

interface StoredClient {
  id: number;
  name: string;
  emails: string;
  kind: string;
  address: string | null;
  siren: string | null;
  phone: string | null;
}

/**
 * A stored invoice as the import reads it (raw row, in `storedInvoice`'s order): the fingerprint
 * comes back as its two 32-bit lanes.
 */
const STORED_SELECT = `SELECT id, client_id, issue_date, due_date, due_date_computed, amount_cents,
  paid_cents, paid_on, currency, closed_import_id, line_hash >> 32, line_hash & 4294967295
  FROM invoices WHERE number = ?`;

type StoredTuple = [
  number,
  number,
  string,
  string,
  number,
  number,
  number,
  string | null,
  string,
  number | null,
  number | null,
  number | null,
];

/** The fingerprint from its two lanes (SQL parameters `hi`, `lo`): NULL when they are. */
const HASH_SQL = '((? << 32) | (? & 4294967295))';

const INVOICE_INSERT = `INSERT INTO invoices (number, client_id, issue_date, due_date, due_date_computed, amount_cents,
  paid_cents, paid_on, currency, created_import_id, source_line, line_hash) VALUES`;
const INVOICE_VALUES = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${HASH_SQL})`;
/** Parameters of one row of `INVOICE_VALUES`. */
const INVOICE_PARAMETERS = 13;

/**
 * The new invoices of a first import, inserted `ROWS` at a time by one statement: each call into
 * SQLite costs about as much as the row it writes, and a million rows one by one took a second
 * more of the writing thread. Ids are known before the rows are written: SQLite gives each new
 * row of a table the largest id plus one, and every invoice insert of the import goes through
 * here, in order (`flush` before anything reads the table).
 */
class InvoiceInserts {
  static readonly ROWS = 32;

  private readonly many;

  private readonly one;

  /** The parameters of the rows queued, `INVOICE_PARAMETERS` each, in one reused array. */
  private readonly pending = new Array<unknown>(InvoiceInserts.ROWS * INVOICE_PARAMETERS);

  private queued = 0;

  private nextId: number;

  constructor(sqlite: SQLite.Database) {
    const rows = Array<string>(InvoiceInserts.ROWS).fill(INVOICE_VALUES).join(', ');
    this.many = sqlite.prepare(`${INVOICE_INSERT} ${rows}`);
    this.one = sqlite.prepare(`${INVOICE_INSERT} ${INVOICE_VALUES}`);
    this.nextId = sqlite.prepare('SELECT coalesce(max(id), 0) + 1 FROM invoices').pluck().get() as number;
  }

  /** Queues a new invoice and returns the id it will have. */
  add(row: InvoiceRow, clientId: number, importId: number, line: number, hash: Fingerprint | null): number {
    const id = this.nextId++;
    parameters(this.pending, this.queued * INVOICE_PARAMETERS, row, clientId, importId, line, hash);
    if (++this.queued === InvoiceInserts.ROWS) {
      // Spread, not the array: better-sqlite3 reads an array's elements one by one through V8's
      // property lookup, and arguments directly (0.27 s less for a million rows, 13 parameters each).
      this.written(this.many.run(...this.pending).lastInsertRowid, id);
      this.queued = 0;
    }
    return id;
  }

  /** Writes a new invoice at once, after those queued, and returns its id. */
  insert(
    row: InvoiceRow,
    clientId: number,
    importId: number,
    line: number,
    hash: Fingerprint | null,
  ): number {
    this.flush();
    const id = this.nextId++;
    const values = new Array<unknown>(INVOICE_PARAMETERS);
    parameters(values, 0, row, clientId, importId, line, hash);
    this.written(this.one.run(values).lastInsertRowid, id);
    return id;
  }

  /** Writes the invoices still queued: before anything reads the table. */
  flush(): void {
    let id = this.nextId - this.queued;
    for (let k = 0; k < this.queued; k++) {
      const at = k * INVOICE_PARAMETERS;
      this.written(this.one.run(this.pending.slice(at, at + INVOICE_PARAMETERS)).lastInsertRowid, id++);
    }
    this.queued = 0;
  }

  private written(lastId: number | bigint, expected: number): void {
    if (Number(lastId) !== expected) {
      throw new Error(
        `incohérence interne : facture enregistrée sous le n° ${lastId} au lieu de ${expected}`,
      );
    }
  }
}

/** The parameters of `INVOICE_VALUES` for a new invoice, written into `into` from `at`. */
function parameters(
  into: unknown[],
  at: number,
  row: InvoiceRow,
  clientId: number,
  importId: number,
  line: number,
  hash: Fingerprint | null,
): void {
  into[at] = row.number;
  into[at + 1] = clientId;
  into[at + 2] = row.issueDate;
  into[at + 3] = row.dueDate;
  into[at + 4] = row.dueDateComputed ? 1 : 0;
  into[at + 5] = row.amount;
  into[at + 6] = row.paid;
  into[at + 7] = row.paidOn ?? null;
  into[at + 8] = row.currency;
  into[at + 9] = importId;
  into[at + 10] = line;
  into[at + 11] = hash === null ? null : hash.hi;
  into[at + 12] = hash === null ? null : hash.lo;
}

type ClientField = 'name' | 'emails' | 'kind' | 'address' | 'siren' | 'phone';

/** Invoice fields compared between the file and the store, with the French name used in history. */
const INVOICE_FIELDS: ReadonlyArray<readonly [keyof StoredInvoice, string]> = [
  ['client_id', 'client'],
  ['issue_date', 'date'],
  ['due_date', 'echeance'],
  ['amount_cents', 'montant_centimes'],
  ['paid_cents', 'regle_centimes'],
  ['paid_on', 'date_reglement'],
  ['currency', 'devise'],
];

export class InvoiceImportStore {
  readonly importId: number;
  private readonly clients = new Map<string, StoredClient>();
  private readonly statements;

  private readonly sqlite: SQLite.Database;

  private clientBySiren: SQLite.Statement | null = null;

  constructor(
    store: Store,
    header: ImportHeader,
    private readonly businessDate: string,
    /** Write an amount change even when it looks like a broken export (`--accepter-modifications`). */
    private readonly acceptAmountChanges = false,
    /** How long a « Paiement transmis » status pauses an invoice, waiting for the bank. */
    private readonly paymentWaitDays = 10,
  ) {
    this.sqlite = sqliteOf(store);
    const { sqlite } = this;
    sqlite.exec(`DROP TABLE IF EXISTS temp.rejected_numbers;
      CREATE TEMP TABLE rejected_numbers (number TEXT PRIMARY KEY) WITHOUT ROWID;`);
    this.importId = recordImport(store, 'factures', header);
    this.statements = {
      rejected: sqlite.prepare('INSERT OR IGNORE INTO temp.rejected_numbers (number) VALUES (?)'),
      // Raw rows (arrays): building an object per looked-up invoice costs more than the lookup.
      invoice: sqlite.prepare(STORED_SELECT).raw(),
      updateInvoice: sqlite.prepare(
        `UPDATE invoices SET client_id = ?, issue_date = ?, due_date = ?, due_date_computed = ?,
           amount_cents = ?, paid_cents = ?, paid_on = ?, currency = ?, closed_import_id = NULL, updated_import_id = ?,
           source_line = ?, line_hash = ${HASH_SQL}
         WHERE id = ?`,
      ),
      // The fingerprint of a line read again, unchanged, under other options: not a change.
      refreshHash: sqlite.prepare(`UPDATE invoices SET line_hash = ${HASH_SQL} WHERE id = ?`),
      insertClient: sqlite.prepare(
        `INSERT INTO clients (code, name, emails, kind, address, siren, phone, created_import_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateClient: sqlite.prepare(
        `UPDATE clients SET name = ?, emails = ?, kind = ?, address = ?, siren = ?, phone = ?,
           updated_import_id = ? WHERE id = ?`,
      ),
      journal: sqlite.prepare(
        `INSERT INTO journal (recorded_at, date, kind, client_id, invoice_id, import_id, details)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
    this.inserts = new InvoiceInserts(sqlite);
    this.startedAt = header.startedAt;
    // Into an empty store every invoice is new: no need to look each one up.
    this.emptyAtStart = sqlite.prepare('SELECT 1 FROM invoices LIMIT 1').get() === undefined;
    // And its secondary indexes are built once at the end, faster than kept up line by line
    // (a fifth of a first import's time); inside the transaction, a rollback restores them.
    if (this.emptyAtStart) {
      this.deferredIndexes = sqlite
        .prepare(
          "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'invoices' AND sql IS NOT NULL",
        )
        .all() as { name: string; sql: string }[];
      for (const index of this.deferredIndexes) sqlite.exec(`DROP INDEX "${index.name}"`);
      this.bulkTotals = new BulkTotals(sqlite, this.importId);
    }
  }

  /** The report's totals of a first import, summed as it goes (`BulkTotals`). */
  private readonly bulkTotals: BulkTotals | null = null;

  private deferredIndexes: { name: string; sql: string }[] = [];

  /**
   * The stored clients, read at once the first time one is needed: one query for all of them
   * costs less than one per client met in a large file.
   */
  private storedClients: Map<string, StoredClient> | null = null;

  private storedClient(code: string): StoredClient | undefined {
    if (this.storedClients === null) {
      this.storedClients = new Map();
      const rows = this.sqlite
        .prepare('SELECT code, id, name, emails, kind, address, siren, phone FROM clients')
        .raw()
        .iterate() as IterableIterator<
        [string, number, string, string, string, string | null, string | null, string | null]
      >;
      for (const [code, id, name, emails, kind, address, siren, phone] of rows) {
        this.storedClients.set(code, { id, name, emails, kind, address, siren, phone });
      }
    }
    return this.storedClients.get(code);
  }

  private readonly seen = new SeenInvoices();

  private readonly emptyAtStart: boolean;

  private readonly inserts: InvoiceInserts;

  private readonly startedAt: string;

  readonly counts: ImportCounts = {
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    totalLines: 0,
    skipped: 0,
    duplicates: 0,
    closed: 0,
    clientsCreated: 0,
    clientsUpdated: 0,
    disputedByStatus: 0,
    pausedByStatus: 0,
    withdrawnByStatus: 0,
  };

  private journal(kind: string, clientId: number | null, invoiceId: number | null, details: unknown): void {
    this.statements.journal.run(
      this.startedAt,
      this.businessDate,
      kind,
      clientId,
      invoiceId,
      this.importId,
      JSON.stringify(details),
    );
  }

  /** The clients met in this file, by the fingerprint of their code (`LineMark.clientKey`). */
  private readonly clientKeys = new Hash64Table(1 << 12);

  private readonly keyedClients: StoredClient[] = [];

  /** Their codes: two codes with one fingerprint are told apart, and the second found by code. */
  private readonly keyedCodes: string[] = [];

  /** A client met earlier in this file, by its code's fingerprint when the line comes with it. */
  private metClient(code: string, key: Fingerprint | undefined): StoredClient | undefined {
    if (key === undefined) return this.clients.get(code);
    const at = this.clientKeys.get(key);
    if (at >= 0 && this.keyedCodes[at] === code) return this.keyedClients[at];
    const met = this.clients.get(code);
    if (met !== undefined && at < 0) this.keyClient(code, met, key);
    return met;
  }

  private keyClient(code: string, client: StoredClient, key: Fingerprint | undefined): void {
    if (key === undefined || !this.clientKeys.add(key, this.keyedClients.length)) return;
    this.keyedClients.push(client);
    this.keyedCodes.push(code);
  }

  /** Creates the client on first sight, or completes and updates it from the file. */
  private client(row: InvoiceRow, key?: Fingerprint): StoredClient {
    const known = this.metClient(row.clientCode, key);
    // The usual case, a client already met in this file with nothing new to fill in: no allocation.
    if (
      known &&
      !(row.emails && !known.emails) &&
      !(row.address && !known.address) &&
      !(row.siren && !known.siren) &&
      !(row.phone && !known.phone)
    ) {
      return known;
    }
    const incoming: Partial<Record<ClientField, string | null>> = {
      name: row.clientName,
      emails: row.emails || null,
      kind: row.clientKind,
      address: row.address,
      siren: row.siren,
      phone: row.phone,
    };
    if (known) {
      // Later lines of the same client only fill in what earlier lines left empty.
      const filled = (Object.keys(incoming) as ClientField[]).filter(
        (f) => f !== 'name' && f !== 'kind' && incoming[f] && !known[f],
      );
      if (filled.length > 0) this.updateClient(known, incoming, filled, false);
      return known;
    }
    const stored = this.storedClient(row.clientCode);
    if (!stored) {
      const client: StoredClient = {
        id: 0,
        name: row.clientName,
        emails: row.emails,
        kind: row.clientKind ?? 'professionnel',
        address: row.address,
        siren: row.siren,
        phone: row.phone,
      };
      client.id = Number(
        this.statements.insertClient.run(
          row.clientCode,
          client.name,
          client.emails,
          client.kind,
          client.address,
          client.siren,
          client.phone,
          this.importId,
        ).lastInsertRowid,
      );
      this.clients.set(row.clientCode, client);
      this.keyClient(row.clientCode, client, key);
      this.counts.clientsCreated++;
      return client;
    }
    this.clients.set(row.clientCode, stored);
    this.keyClient(row.clientCode, stored, key);
    const changed = (Object.keys(incoming) as ClientField[]).filter(
      (f) => incoming[f] !== null && incoming[f] !== undefined && incoming[f] !== stored[f],
    );
    if (changed.length > 0) this.updateClient(stored, incoming, changed, true);
    return stored;
  }

  private updateClient(
    client: StoredClient,
    incoming: Partial<Record<ClientField, string | null>>,
    fields: readonly ClientField[],
    count: boolean,
  ): void {
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const field of fields) {
      before[field] = client[field];
      after[field] = incoming[field];
      (client as unknown as Record<string, unknown>)[field] = incoming[field];
    }
    this.statements.updateClient.run(
      client.name,
      client.emails,
      client.kind,
      client.address,
      client.siren,
      client.phone,
      this.importId,
      client.id,
    );
    if (count) this.counts.clientsUpdated++;
    this.journal('client_modifie', client.id, null, { avant: before, apres: after });
  }

  /** Records that a line of the file was rejected, so that --liste-complete never closes it. */
  rejectNumber(number: string): void {
    this.statements.rejected.run(number);
  }

  /**
   * The fingerprints of the lines the stored invoices were read from, each with its invoice's id
   * (times 2, plus 1 when its due date was computed), in shared memory for the reading thread;
   * null on an empty store.
   */
  lineFingerprints(): Hash64Table | null {
    if (this.emptyAtStart) return null;
    const top = this.sqlite.prepare('SELECT max(id) FROM invoices').pluck().get() as number;
    const table = new Hash64Table(top, true);
    // Three JSON arrays built by SQLite read faster than rows, by slices to keep memory low.
    const slice = this.sqlite
      .prepare(
        `SELECT json_group_array(id * 2 + due_date_computed), json_group_array(line_hash >> 32),
                json_group_array(line_hash & 4294967295)
         FROM invoices WHERE id BETWEEN ? AND ? AND line_hash IS NOT NULL`,
      )
      .raw();
    const SLICE = 1 << 17;
    for (let from = 0; from <= top; from += SLICE) {
      const [values, his, los] = (slice.get(from, from + SLICE - 1) as [string, string, string]).map(
        (json) => JSON.parse(json) as number[],
      ) as [number[], number[], number[]];
      for (let at = 0; at < values.length; at++) {
        table.put(his[at] as number, (los[at] as number) | 0, values[at] as number);
      }
    }
    return table;
  }

  /**
   * A line whose fingerprint is the one stored with an invoice (`stored`, the value
   * `lineFingerprints` keeps with it): the line says what the invoice
   * was before this import, nothing to write. Met again after an earlier line of the file left the
   * invoice as it was, it is a duplicate; after a line that changed it, a conflict, which only
   * reading the line in full can describe.
   */
  unchangedLine(stored: number, line: number): 'unchanged' | 'duplicate' | 'conflict' {
    const id = stored >>> 1;
    if (!this.seen.has(id)) {
      this.seen.mark(id, line);
      return 'unchanged';
    }
    return this.seen.wasWritten(id) ? 'conflict' : 'duplicate';
  }

  /**
   * The code of a client already known by this SIREN (or a SIRET of it), so that an e-invoice's
   * buyer joins the client an export created rather than making a second one.
   */
  clientCodeBySiren(siren: string): string | null {
    this.clientBySiren ??= this.sqlite.prepare(
      "SELECT code FROM clients WHERE substr(replace(siren, ' ', ''), 1, 9) = ? ORDER BY id LIMIT 1",
    );
    return (this.clientBySiren.pluck().get(siren) as string | undefined) ?? null;
  }

  /**
   * `mark` comes from the reader of an export; without it (a FEC) every invoice is looked up and
   * no fingerprint is kept.
   */
  upsertInvoice(row: InvoiceRow, line: number, mark?: LineMark): InvoiceOutcome {
    const repeat = mark?.repeat ?? true;
    if (mark !== undefined && mark.stored >= 0 && !this.seen.has(mark.stored >>> 1)) {
      // What the full comparison below would find, without reading the invoice.
      this.client(row, mark.clientKey);
      this.seen.mark(mark.stored >>> 1, line);
      this.disputeByStatus(mark.stored >>> 1, row, line);
      return { kind: 'unchanged' };
    }
    // A new number into an empty store waits in the queue; anything else reads the table.
    const queued = this.emptyAtStart && !repeat;
    if (!queued) this.inserts.flush();
    const stored = queued ? undefined : this.storedInvoice(row.number);
    if (stored && this.seen.has(stored.id)) {
      // The same number appeared earlier in this very file: identical lines (one per item, as some
      // software exports) are one invoice; different figures are a conflict the user must settle.
      const clientId = this.metClient(row.clientCode, mark?.clientKey)?.id ?? -1;
      const differences = this.differences(stored, row, clientId);
      if (differences.length === 0) return { kind: 'duplicate' };
      return {
        kind: 'conflict',
        firstLine: this.seen.lineOf(stored.id),
        differences: differences.map(([, name]) => name),
      };
    }
    const client = this.client(row, mark?.clientKey);
    const clientId = client.id;
    if (!stored) {
      const hash = mark ? mark.fingerprint : null;
      const id = queued
        ? this.inserts.add(row, clientId, this.importId, line, hash)
        : this.inserts.insert(row, clientId, this.importId, line, hash);
      this.bulkTotals?.add(row, client.kind === 'professionnel');
      this.seen.mark(id, line);
      this.seen.markWritten(id);
      this.disputeByStatus(id, row, line);
      return { kind: 'created' };
    }
    const hi = mark ? mark.fingerprint.hi : null;
    const lo = mark ? mark.fingerprint.lo : null;
    this.seen.mark(stored.id, line);
    if (!this.acceptAmountChanges) {
      const reason = suspiciousAmountChange(
        { amount: stored.amount_cents, paid: stored.paid_cents },
        { amount: row.amount, paid: row.paid },
        stored.currency,
      );
      if (reason !== null) return { kind: 'suspect', reason };
    }
    const differences = this.differences(stored, row, clientId);
    if (differences.length === 0 && stored.closed_import_id === null) {
      if (hi !== null && (stored.hash_hi !== hi || stored.hash_lo !== lo)) {
        this.statements.refreshHash.run(hi, lo, stored.id);
      }
      this.disputeByStatus(stored.id, row, line);
      return { kind: 'unchanged' };
    }
    this.statements.updateInvoice.run(
      clientId,
      row.issueDate,
      row.dueDate,
      row.dueDateComputed ? 1 : 0,
      row.amount,
      row.paid,
      row.paidOn ?? null,
      row.currency,
      this.importId,
      line,
      hi,
      lo,
      stored.id,
    );
    this.seen.markWritten(stored.id);
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const [field, name] of differences) {
      before[name] = stored[field];
      after[name] = field === 'client_id' ? clientId : rowValue(row, field);
    }
    if (stored.closed_import_id !== null) {
      before.soldee_par_absence = true;
      after.soldee_par_absence = false;
    }
    this.journal('facture_modifiee', clientId, stored.id, {
      numero: row.number,
      ligne: line,
      avant: before,
      apres: after,
    });
    this.disputeByStatus(stored.id, row, line);
    return { kind: 'updated' };
  }

  /** Invoices whose line carries a status that acts (`EXPORT_STATUSES`): applied in `finish`. */
  private readonly statusChanges: { id: number; status: ExportStatus; number: string; line: number }[] = [];

  private disputeByStatus(id: number, row: InvoiceRow, line: number): void {
    if (row.exportStatus) this.statusChanges.push({ id, status: row.exportStatus, number: row.number, line });
  }

  /** A line « Annulée » of an invoice recouvre has: withdrawn from dunning in `finish`. */
  cancelledInExport(number: string, line: number): void {
    const stored = this.storedInvoice(number);
    if (stored) this.statusChanges.push({ id: stored.id, status: 'Annulée', number, line });
  }

  /**
   * Applies the statuses an export's lines carry, each once: never over a dispute or a pause already
   * there (its reason stays), never again after a hand lifted it (`litige --lever`, `pause --reprendre`).
   * Run after the first import's totals are written, so that their triggers count the change.
   */
  private applyStatusDisputes(): void {
    if (this.statusChanges.length === 0) return;
    const unlifted = `NOT EXISTS (SELECT 1 FROM journal WHERE invoice_id = invoices.id AND kind = 'litige_leve')`;
    const dispute = this.sqlite.prepare(
      `UPDATE invoices SET disputed = 1, dispute_reason = ? WHERE id = ? AND disputed = 0 AND ${unlifted}
       RETURNING client_id`,
    );
    const withdraw = this.sqlite.prepare(
      `UPDATE invoices SET disputed = 1, dispute_reason = ?, withdrawn_code = ?
       WHERE id = ? AND withdrawn_code IS NULL AND ${unlifted} RETURNING client_id`,
    );
    // Once: a pause this status already made (and perhaps a hand lifted) is not made again.
    const pause = this.sqlite.prepare(
      `UPDATE invoices SET paused = 1, paused_until = ?, pause_reason = ? WHERE id = ? AND paused = 0
         AND NOT EXISTS (SELECT 1 FROM journal WHERE invoice_id = invoices.id AND kind = 'pause'
                           AND json_extract(details, '$.statut') = ?)
       RETURNING client_id`,
    );
    for (const { id, status, number, line } of this.statusChanges.splice(0)) {
      const lifecycle = lifecycleStatus(EXPORT_STATUS_CODES[status])!;
      const reason = `statut « ${status} » dans l'export`;
      switch (lifecycle.effect) {
        case 'litige':
        case 'partiel': {
          const motif =
            lifecycle.effect === 'partiel'
              ? `${reason} (sans montant accepté : toute la facture est tenue pour contestée)`
              : reason;
          const marked = dispute.get(motif, id) as { client_id: number } | undefined;
          if (marked === undefined) continue;
          this.counts.disputedByStatus++;
          this.journal('litige', marked.client_id, id, { numero: number, motif, ligne: line });
          break;
        }
        case 'retiree': {
          const motif = `${reason} : retirée du recouvrement`;
          const marked = withdraw.get(motif, lifecycle.code, id) as { client_id: number } | undefined;
          if (marked === undefined) continue;
          this.counts.withdrawnByStatus++;
          this.journal('litige', marked.client_id, id, { numero: number, motif, ligne: line });
          break;
        }
        case 'pause':
        case 'paiement_transmis': {
          const until =
            lifecycle.effect === 'pause' ? null : addDays(this.businessDate as IsoDate, this.paymentWaitDays);
          const marked = pause.get(until, reason, id, status) as { client_id: number } | undefined;
          if (marked === undefined) continue;
          this.counts.pausedByStatus++;
          this.journal('pause', marked.client_id, id, {
            numero: number,
            motif: reason,
            statut: status,
            jusqu_au: until,
            ligne: line,
          });
          break;
        }
        case 'encaissee':
        case 'aucun':
          break;
      }
    }
  }

  private storedInvoice(number: string): StoredInvoice | undefined {
    const raw = this.statements.invoice.get(number) as StoredTuple | undefined;
    if (!raw) return undefined;
    return {
      id: raw[0],
      client_id: raw[1],
      issue_date: raw[2],
      due_date: raw[3],
      due_date_computed: raw[4],
      amount_cents: raw[5],
      paid_cents: raw[6],
      paid_on: raw[7],
      currency: raw[8],
      closed_import_id: raw[9],
      hash_hi: raw[10],
      hash_lo: raw[11] === null ? null : raw[11] | 0,
    };
  }

  private differences(stored: StoredInvoice, row: InvoiceRow, clientId: number) {
    return INVOICE_FIELDS.filter(([field]) =>
      field === 'client_id' ? stored.client_id !== clientId : stored[field] !== rowValue(row, field),
    );
  }

  /**
   * With --liste-complete: every open invoice the file does not list is taken as settled. Marked,
   * not deleted, and journaled; a later import that lists it again reopens it.
   */
  closeAbsent(): number {
    this.inserts.flush();
    const absent = (
      this.sqlite
        .prepare(
          `SELECT i.id, i.number, i.client_id FROM invoices i
           WHERE i.closed_import_id IS NULL AND i.amount_cents > 0 AND (${OUTSTANDING_SQL}) > 0
             AND NOT EXISTS (SELECT 1 FROM temp.rejected_numbers r WHERE r.number = i.number)`,
        )
        .all() as { id: number; number: string; client_id: number }[]
    ).filter((invoice) => !this.seen.has(invoice.id));
    const close = this.sqlite.prepare('UPDATE invoices SET closed_import_id = ? WHERE id = ?');
    for (const invoice of absent) {
      close.run(this.importId, invoice.id);
      this.journal('facture_soldee_absente', invoice.client_id, invoice.id, { numero: invoice.number });
    }
    this.counts.closed = absent.length;
    return absent.length;
  }

  /** Writes the counts on the import and its journal entry. */
  finish(details: Record<string, unknown>): void {
    this.inserts.flush();
    for (const index of this.deferredIndexes.splice(0)) this.sqlite.exec(index.sql);
    this.bulkTotals?.finish();
    this.applyStatusDisputes();
    dropEmptyTotals(this.sqlite);
    const c = this.counts;
    this.sqlite
      .prepare(
        `UPDATE imports SET created = ?, updated = ?, unchanged = ?, rejected = ?, skipped = ?, duplicates = ?,
           closed = ?, clients_created = ?, clients_updated = ? WHERE id = ?`,
      )
      .run(
        c.created,
        c.updated,
        c.unchanged,
        c.rejected,
        c.skipped,
        c.duplicates,
        c.closed,
        c.clientsCreated,
        c.clientsUpdated,
        this.importId,
      );
    this.journal('import', null, null, details);
  }
}

function rowValue(row: InvoiceRow, field: keyof StoredInvoice): unknown {
  switch (field) {
    case 'issue_date':
      return row.issueDate;
    case 'due_date':
      return row.dueDate;
    case 'amount_cents':
      return row.amount;
    case 'paid_cents':
      return row.paid;
    case 'paid_on':
      return row.paidOn ?? null;
    case 'currency':
      return row.currency;
    default:
      return undefined;
  }
}

/** Whether the invoice of a value kept by `lineFingerprints` had its due date computed. */
export function storedDueDateComputed(stored: number): boolean {
  return (stored & 1) === 1;
}
