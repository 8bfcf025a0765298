import type { IsoDate } from '../../domain/dates.js';
import { sqliteOf } from './connection.js';
import type { Stamp } from './follow-up.js';
import type { Store } from './open.js';
import { type ClientRef, type InvoiceRef, writeJournal } from './records.js';

/** What `historique` lists of an invoice or a client, read from the store, unsorted. */
export interface HistoryRows {
  readonly created: { number: string; date: string; recorded_at: string; file_name: string }[];
  readonly journal: {
    date: string;
    kind: string;
    recorded_at: string;
    details: string;
    number: string | null;
  }[];
  readonly payments: {
    date: string;
    amount_cents: number;
    source: string;
    reference: string | null;
    recorded_at: string;
    number: string;
    currency: string;
  }[];
  readonly actions: {
    id: number;
    date: string;
    step: string;
    channel: string;
    status: string;
    origin: string;
    created_at: string;
    note: string | null;
    message_id: string | null;
    document: string | null;
    number: string;
    outstanding_cents: number;
  }[];
}

export function historyRows(store: Store, target: InvoiceRef | ClientRef): HistoryRows {
  const sqlite = sqliteOf(store);
  const byInvoice = target.kind === 'facture';
  const id = target.id;
  return {
    created: sqlite
      .prepare(
        `SELECT i.number, j.date, j.recorded_at, im.file_name FROM invoices i
         JOIN imports im ON im.id = i.created_import_id
         JOIN journal j ON j.import_id = im.id AND j.kind = 'import'
         WHERE ${byInvoice ? 'i.id = ?' : 'i.client_id = ?'}`,
      )
      .all(id) as HistoryRows['created'],
    journal: sqlite
      .prepare(
        `SELECT j.date, j.kind, j.recorded_at, j.details, i.number FROM journal j
         LEFT JOIN invoices i ON i.id = j.invoice_id
         WHERE ${byInvoice ? 'j.invoice_id = ?' : 'j.client_id = ?'}
           AND j.kind NOT IN ('import', 'paiement', 'action_manuelle')`,
      )
      .all(id) as HistoryRows['journal'],
    payments: sqlite
      .prepare(
        `SELECT p.date, p.amount_cents, p.source, p.reference, p.recorded_at, i.number, i.currency FROM payments p
         JOIN invoices i ON i.id = p.invoice_id WHERE ${byInvoice ? 'i.id = ?' : 'i.client_id = ?'}`,
      )
      .all(id) as HistoryRows['payments'],
    actions: sqlite
      .prepare(
        `SELECT a.id, a.date, a.step, a.channel, a.status, a.origin, a.created_at, a.note, a.message_id, a.document,
                i.number, ai.outstanding_cents
         FROM actions a JOIN action_invoices ai ON ai.action_id = a.id JOIN invoices i ON i.id = ai.invoice_id
         WHERE ${byInvoice ? 'ai.invoice_id = ?' : 'a.client_id = ?'}`,
      )
      .all(id) as HistoryRows['actions'],
  };
}

/** The tasks of this step that recouvre listed for the client and that are still to do. */
export function tasksOfStep(store: Store, clientId: number, step: string): number[] {
  return sqliteOf(store)
    .prepare("SELECT id FROM actions WHERE client_id = ? AND step = ? AND status = 'a_faire'")
    .pluck()
    .all(clientId, step) as number[];
}

/** Marks these tasks done, each with its journal entry. */
export function markTasksDone(
  store: Store,
  tasks: readonly number[],
  done: { readonly clientId: number; readonly step: string; readonly note: string | null },
  stamp: Stamp,
): void {
  const sqlite = sqliteOf(store);
  sqlite.transaction(() => {
    for (const id of tasks) {
      sqlite
        .prepare(
          "UPDATE actions SET status = 'fait', completed_at = ?, note = coalesce(?, note) WHERE id = ?",
        )
        .run(stamp.recordedAt, done.note, id);
      writeJournal(sqlite, {
        recordedAt: stamp.recordedAt,
        date: stamp.today,
        kind: 'action_manuelle',
        clientId: done.clientId,
        invoiceId: null,
        details: { action: id, etape: done.step, tache_faite: true, note: done.note },
      });
    }
  })();
}

/** A step done by hand: one action per currency of the invoices it covers, with its journal entry. */
export function recordManualAction(
  store: Store,
  action: {
    readonly target: InvoiceRef | ClientRef;
    readonly clientId: number;
    readonly date: IsoDate;
    readonly step: string;
    readonly channel: string;
    readonly note: string | null;
    readonly invoices: readonly InvoiceRef[];
  },
  stamp: Stamp,
): void {
  const sqlite = sqliteOf(store);
  const currencies = new Set(action.invoices.map((i) => i.currency));
  sqlite.transaction(() => {
    for (const currency of currencies) {
      const actionId = Number(
        sqlite
          .prepare(
            `INSERT INTO actions (date, client_id, currency, step, channel, origin, status, created_at, completed_at, note)
             VALUES (?, ?, ?, ?, ?, 'manuel', 'fait', ?, ?, ?)`,
          )
          .run(
            action.date,
            action.clientId,
            currency,
            action.step,
            action.channel,
            stamp.recordedAt,
            stamp.recordedAt,
            action.note,
          ).lastInsertRowid,
      );
      const cover = sqlite.prepare(
        'INSERT INTO action_invoices (action_id, invoice_id, outstanding_cents) VALUES (?, ?, ?)',
      );
      for (const invoice of action.invoices.filter((i) => i.currency === currency))
        cover.run(actionId, invoice.id, invoice.outstanding);
      writeJournal(sqlite, {
        recordedAt: stamp.recordedAt,
        date: stamp.today,
        kind: 'action_manuelle',
        clientId: action.clientId,
        invoiceId: action.target.kind === 'facture' ? action.target.id : null,
        details: {
          action: actionId,
          etape: action.step,
          canal: action.channel,
          date: action.date,
          factures: action.invoices.map((i) => i.number),
        },
      });
    }
  })();
}

/** The last mise en demeure sent to the target on or before `date`, or null. */
export function lastNotice(
  store: Store,
  target: InvoiceRef | ClientRef,
  date: IsoDate,
): { id: number; date: IsoDate } | null {
  const clientId = target.kind === 'client' ? target.id : target.clientId;
  return (
    (sqliteOf(store)
      .prepare(
        `SELECT a.id, a.date FROM actions a
         WHERE a.client_id = ? AND a.step = 'mise_en_demeure' AND a.status IN ('fait', 'incertain', 'en_cours')
           AND a.date <= ? ${target.kind === 'facture' ? 'AND EXISTS (SELECT 1 FROM action_invoices ai WHERE ai.action_id = a.id AND ai.invoice_id = ?)' : ''}
         ORDER BY a.date DESC, a.id DESC LIMIT 1`,
      )
      .get(...(target.kind === 'facture' ? [clientId, date, target.id] : [clientId, date])) as
      | { id: number; date: IsoDate }
      | undefined) ?? null
  );
}

/** The day a mise en demeure was received, with its journal entry. */
export function recordReceipt(
  store: Store,
  target: InvoiceRef | ClientRef,
  notice: { readonly id: number; readonly date: IsoDate },
  date: IsoDate,
  stamp: Stamp,
): void {
  const sqlite = sqliteOf(store);
  sqlite.transaction(() => {
    sqlite.prepare('UPDATE actions SET received_on = ? WHERE id = ?').run(date, notice.id);
    writeJournal(sqlite, {
      recordedAt: stamp.recordedAt,
      date,
      kind: 'reception_mise_en_demeure',
      clientId: target.kind === 'client' ? target.id : target.clientId,
      invoiceId: target.kind === 'facture' ? target.id : null,
      details: { action: notice.id, envoyee_le: notice.date, recue_le: date },
    });
  })();
}

/** An acknowledgement of debt or a court application on these invoices, each with its entry. */
export function recordInterruptions(
  store: Store,
  interruption: {
    readonly clientId: number;
    readonly invoices: readonly InvoiceRef[];
    readonly date: IsoDate;
    readonly kind: string;
    readonly note: string | null;
  },
  stamp: Stamp,
): void {
  const sqlite = sqliteOf(store);
  sqlite.transaction(() => {
    const insert = sqlite.prepare(
      'INSERT INTO interruptions (invoice_id, date, kind, note, recorded_at) VALUES (?, ?, ?, ?, ?)',
    );
    for (const invoice of interruption.invoices) {
      insert.run(invoice.id, interruption.date, interruption.kind, interruption.note, stamp.recordedAt);
      writeJournal(sqlite, {
        recordedAt: stamp.recordedAt,
        date: interruption.date,
        kind: 'interruption_prescription',
        clientId: interruption.clientId,
        invoiceId: invoice.id,
        details: { evenement: interruption.kind, date: interruption.date, note: interruption.note },
      });
    }
  })();
}
