import type SQLite from 'better-sqlite3';
import type { IsoDate } from '../../domain/dates.js';
import { sqliteOf } from './connection.js';
import type { Store } from './open.js';
import { type JournalEntry, writeJournal } from './records.js';

/**
 * The actions of `relancer`, as the run records them: each is written as pending (and committed)
 * before anything leaves, then completed; one left pending by a run that stopped is reported as
 * uncertain by the next, never done again on its own.
 */

/** The one date a query gives, or null. */
function latest(store: Store, query: string): IsoDate | null {
  return (sqliteOf(store).prepare(query).pluck().get() as IsoDate | null) ?? null;
}

/** The business date of the last import of invoices (or payments), or null. */
export function lastImportDate(store: Store): IsoDate | null {
  return latest(store, "SELECT max(date) FROM journal WHERE kind = 'import'");
}

/** The date of the last real run, or null. */
export function lastRunDate(store: Store): IsoDate | null {
  return latest(store, "SELECT max(date) FROM actions WHERE origin = 'relancer'");
}

export interface UnfinishedAction {
  readonly id: number;
  readonly code: string;
  readonly step: string;
  readonly date: string;
}

/** Actions left pending or uncertain by a run that stopped half-way. */
export function unfinishedActions(store: Store): UnfinishedAction[] {
  return sqliteOf(store)
    .prepare(
      `SELECT a.id, c.code, a.step, a.date FROM actions a JOIN clients c ON c.id = a.client_id
       WHERE a.status IN ('en_cours', 'incertain') ORDER BY a.id`,
    )
    .all() as UnfinishedAction[];
}

/** Marks them uncertain (they may have reached the client), or failed when the user asks to resend. */
export function settleUnfinished(store: Store, actions: readonly UnfinishedAction[], resend: boolean): void {
  const sqlite = sqliteOf(store);
  const mark = sqlite.prepare('UPDATE actions SET status = ?, error = ? WHERE id = ?');
  sqlite.transaction(() => {
    for (const a of actions) {
      if (resend) mark.run('echec', 'renvoi demandé (--renvoyer-incertains)', a.id);
      else mark.run('incertain', 'interrompue entre l’enregistrement et la fin de l’envoi', a.id);
    }
  })();
}

export interface NewAction {
  readonly date: IsoDate;
  readonly clientId: number;
  readonly currency: string;
  readonly step: string;
  readonly channel: string;
  readonly createdAt: string;
  readonly messageId: string | null;
  readonly document: string | null;
  readonly invoices: readonly {
    readonly invoiceId: number;
    readonly claimed: number;
    readonly interest: number;
    readonly indemnity: number;
  }[];
}

/** The writes of a run's actions, prepared once for the run. */
export class ActionRecorder {
  private readonly sqlite: SQLite.Database;
  private readonly insert: SQLite.Statement;
  private readonly cover: SQLite.Statement;
  private readonly complete: SQLite.Statement;

  constructor(store: Store) {
    const sqlite = sqliteOf(store);
    this.sqlite = sqlite;
    this.insert = sqlite.prepare(
      `INSERT INTO actions (date, client_id, currency, step, channel, origin, status, created_at, message_id, document)
       VALUES (?, ?, ?, ?, ?, 'relancer', 'en_cours', ?, ?, ?)`,
    );
    this.cover = sqlite.prepare(
      `INSERT INTO action_invoices (action_id, invoice_id, outstanding_cents, penalties_cents, indemnity_cents)
       VALUES (?, ?, ?, ?, ?)`,
    );
    this.complete = sqlite.prepare('UPDATE actions SET status = ?, completed_at = ?, error = ? WHERE id = ?');
  }

  /** Records the action as pending, with the invoices it covers, and commits: its id. */
  begin(action: NewAction): number {
    return this.sqlite.transaction(() => {
      const id = Number(
        this.insert.run(
          action.date,
          action.clientId,
          action.currency,
          action.step,
          action.channel,
          action.createdAt,
          action.messageId,
          action.document,
        ).lastInsertRowid,
      );
      for (const c of action.invoices) this.cover.run(id, c.invoiceId, c.claimed, c.interest, c.indemnity);
      return id;
    })();
  }

  /** Completes the action with its status, and its journal entry, together. */
  finish(id: number, status: string, error: string | null, completedAt: string, journal: JournalEntry): void {
    this.sqlite.transaction(() => {
      this.complete.run(status, completedAt, error, id);
      writeJournal(this.sqlite, journal);
    })();
  }

  /** Marks the action failed, alone (when the journal cannot be written either, nothing more). */
  fail(id: number, error: string, completedAt: string): void {
    this.complete.run('echec', completedAt, error, id);
  }
}

/** Tasks left to do by hand (calls, letters to send by hand), oldest first. */
export function tasksToDo(
  store: Store,
): { code: string; step: string; date: string; document: string | null }[] {
  return sqliteOf(store)
    .prepare(
      `SELECT c.code, a.step, a.date, a.document FROM actions a JOIN clients c ON c.id = a.client_id
       WHERE a.status = 'a_faire' ORDER BY a.date, c.code`,
    )
    .all() as { code: string; step: string; date: string; document: string | null }[];
}
