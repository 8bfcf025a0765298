import { on } from 'node:events';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import type { IsoDate } from '../../domain/dates.js';
import type { Cents } from '../../domain/money.js';
import type { DelaySums, InvoiceGroup, Period, Prescription, Settlement } from '../../domain/report.js';
import type { ActivityCount, OpenTask, WithdrawnInvoice } from '../../domain/report-model.js';
import { PAYMENT_IS_FRESH_SQL } from './balances.js';
import { sqliteOf } from './connection.js';
import type { InvoiceBatch } from './dunning-store.js';
import { TOTALS_SUMS } from './invoice-totals.js';
import type { Store } from './open.js';

/**
 * The report's figures in a few aggregate queries: a store may hold a million invoices, and what
 * comes back is grouped by dates (a few thousand rows), never one row per invoice.
 */

/** Payments summed once per invoice, with the same "fresh" rule as OUTSTANDING_SQL. */
export const PAYMENTS_BY_INVOICE_CTE = `pay AS MATERIALIZED (
  SELECT p.invoice_id,
         sum(CASE WHEN ${PAYMENT_IS_FRESH_SQL} THEN 0 ELSE p.amount_cents END) AS old,
         sum(CASE WHEN ${PAYMENT_IS_FRESH_SQL} THEN p.amount_cents ELSE 0 END) AS fresh,
         max(p.date) AS last
  FROM payments p GROUP BY p.invoice_id)`;

/** The outstanding amount of invoice `i` joined to `pay`: OUTSTANDING_SQL without subqueries. */
export const JOINED_OUTSTANDING_SQL = `(CASE WHEN i.amount_cents >= 0
  THEN i.amount_cents - max(i.paid_cents, coalesce(pay.old, 0))
  ELSE i.amount_cents - min(i.paid_cents, coalesce(pay.old, 0)) END - coalesce(pay.fresh, 0))`;

/** The business date of each import (the day recouvre was told it was), from its journal entry. */
const IMPORT_DATES_CTE = `imp AS MATERIALIZED (
  SELECT m.id, coalesce((SELECT max(j.date) FROM journal j WHERE j.import_id = m.id AND j.kind = 'import'),
                        substr(m.started_at, 1, 10)) AS d
  FROM imports m)`;

/** The part of the paid amount that only the export declares (no dated payment behind it). */
const DECLARED_ONLY_SQL = `(CASE WHEN i.amount_cents >= 0 THEN max(0, i.paid_cents - coalesce(pay.old, 0))
  ELSE min(0, i.paid_cents - coalesce(pay.old, 0)) END)`;

/**
 * Its date: the one the source gives (a FEC's lettering), else the import that last changed the
 * invoice, or, when it was already paid the first time recouvre saw it, its due date (the
 * import's, if earlier; never before the issue date), an estimate.
 */
const DECLARED_DATE_ESTIMATED_SQL = '(i.paid_on IS NULL AND i.updated_import_id IS NULL)';

const DECLARED_DATE_SQL = `coalesce(i.paid_on, CASE WHEN i.updated_import_id IS NOT NULL
    THEN (SELECT d FROM imp WHERE imp.id = i.updated_import_id)
    ELSE max(i.issue_date, min(i.due_date, coalesce((SELECT d FROM imp WHERE imp.id = i.created_import_id), i.due_date)))
  END, i.due_date)`;

const CLOSED_DATE_SQL = 'coalesce((SELECT d FROM imp WHERE imp.id = i.closed_import_id), i.due_date)';

/** `DECLARED_DATE_SQL` for a group, from the source its key names (`invoice_contributions`). */
function declaredDate(
  source: string,
  issueDate: IsoDate,
  dueDate: IsoDate,
  importDates: ReadonlyMap<number, IsoDate>,
): { date: IsoDate; estimated: boolean } {
  const rest = source.slice(1);
  if (source[0] === 'p') return { date: rest as IsoDate, estimated: false };
  if (source[0] === 'u') return { date: importDates.get(Number(rest)) ?? dueDate, estimated: false };
  const created = (rest === '' ? undefined : importDates.get(Number(rest))) ?? dueDate;
  const capped = created < dueDate ? created : dueDate;
  return { date: capped > issueDate ? capped : issueDate, estimated: true };
}

/**
 * The page cache of a connection that only scans (16 MB by default in better-sqlite3): the report
 * reads each page once, and a small cache keeps two connections' worth of memory out of its peak
 * (about 40 MB on a million invoices) at no measurable cost in time.
 */
export const SCAN_CACHE = 'cache_size = -2048';

/** Sets the connection up for the report's scans (`SCAN_CACHE`). */
export function prepareForScans(store: Store): void {
  sqliteOf(store).pragma(SCAN_CACHE);
}

export interface ReportData {
  readonly groups: InvoiceGroup[];
  readonly settlements: Settlement[];
  readonly delays: Map<string, DelaySums>;
}

type GroupTuple = [
  string, // key: see `invoice_contributions` (migration 2026-12-01-invoice-totals)
  number, // count
  number, // amount
  number, // outstanding
  number, // owing
  number, // owing count
  number, // declared-only part
  number, // closed part
];

/**
 * Invoices grouped by currency, dispute, client kind and dates, the settlements the export alone
 * declares (with their dates), and the payment delays of the invoices settled in the period.
 * The store keeps the groups' sums up to date as it changes (`invoice_totals`); one client's are
 * summed from its invoices' contributions.
 */
export function reportData(sqlite: SQLite.Database, period: Period, clientId?: number): ReportData {
  const clientClause = clientId === undefined ? '' : 'AND i.client_id = @client';
  const rows = (
    clientId === undefined
      ? sqlite
          .prepare(`SELECT k, ${TOTALS_SUMS.join(', ')} FROM invoice_totals WHERE n <> 0`)
          .raw()
          .all()
      : sqlite
          .prepare(
            `SELECT k, count(*), ${TOTALS_SUMS.slice(1)
              .map((c) => `sum(${c})`)
              .join(', ')}
             FROM invoice_contributions WHERE client_id = ? GROUP BY k`,
          )
          .raw()
          .all(clientId)
  ) as GroupTuple[];
  const importDates = new Map(
    sqlite.prepare(`WITH ${IMPORT_DATES_CTE} SELECT id, d FROM imp`).raw().all() as [number, IsoDate][],
  );

  // Groups are merged across the settlement keys: one per currency, dispute, kind and dates.
  const groups = new Map<string, { -readonly [K in keyof InvoiceGroup]: InvoiceGroup[K] }>();
  const settlements: Settlement[] = [];
  for (const r of rows) {
    const k = r[0];
    const currency = k.slice(0, 3);
    const disputed = k[3] === '1';
    const professional = k[4] === '1';
    const creditNote = k[5] === '1';
    const issueDate = k.slice(6, 16) as IsoDate;
    const dueDate = k.slice(16, 26) as IsoDate;
    const bar = k.indexOf('|', 27);
    const declaredSource = k.slice(27, bar);
    const closedBy = k.slice(bar + 1);
    const key = k.slice(0, 26);
    let group = groups.get(key);
    if (!group) {
      group = {
        currency,
        disputed,
        professional,
        creditNote,
        issueDate,
        dueDate,
        count: 0,
        amount: 0 as Cents,
        outstanding: 0 as Cents,
        owing: 0 as Cents,
        owingCount: 0,
      };
      groups.set(key, group);
    }
    group.count += r[1];
    group.amount = (group.amount + r[2]) as Cents;
    group.outstanding = (group.outstanding + r[3]) as Cents;
    group.owing = (group.owing + r[4]) as Cents;
    group.owingCount += r[5];
    const base = { currency, disputed, issueDate, dueDate };
    if (declaredSource !== '' && r[6]) {
      settlements.push({
        ...base,
        ...declaredDate(declaredSource, issueDate, dueDate, importDates),
        amount: r[6] as Cents,
      });
    }
    if (closedBy !== '' && r[7]) {
      const date = importDates.get(Number(closedBy)) ?? dueDate;
      settlements.push({ ...base, date, amount: r[7] as Cents, estimated: false });
    }
  }

  const payments = sqlite
    .prepare(
      `SELECT i.currency, i.disputed, i.issue_date, i.due_date, p.date, sum(p.amount_cents)
       FROM payments p JOIN invoices i ON i.id = p.invoice_id
       WHERE 1 ${clientClause}
       GROUP BY i.currency, i.disputed, i.issue_date, i.due_date, p.date`,
    )
    .raw()
    .all(clientId === undefined ? {} : { client: clientId }) as [
    string,
    number,
    IsoDate,
    IsoDate,
    IsoDate,
    number,
  ][];
  for (const [currency, disputed, issueDate, dueDate, date, amount] of payments) {
    if (amount === 0) continue;
    settlements.push({
      currency,
      disputed: disputed === 1,
      issueDate,
      dueDate,
      date,
      amount: amount as Cents,
      estimated: false,
    });
  }
  return { groups: [...groups.values()], settlements, delays: paymentDelays(sqlite, period, clientId) };
}

/**
 * Payment delays of the invoices fully settled in the period whose last payment has a known date:
 * a dated payment, the date the source gives, an import that showed the invoice paid, or the
 * import that closed it. Only the
 * invoices touched in the period are looked at closely.
 */
function paymentDelays(sqlite: SQLite.Database, period: Period, clientId?: number): Map<string, DelaySums> {
  const params: Record<string, unknown> = { from: period.from, to: period.to };
  if (clientId !== undefined) params.client = clientId;
  const rows = sqlite
    .prepare(
      `WITH ${PAYMENTS_BY_INVOICE_CTE}, ${IMPORT_DATES_CTE},
       recent AS MATERIALIZED (SELECT id FROM imp WHERE d BETWEEN @from AND @to),
       settled AS (
         SELECT i.currency AS cur, i.issue_date AS iss, i.due_date AS due,
                max(coalesce(pay.last, ''),
                    CASE WHEN ${DECLARED_ONLY_SQL} <> 0 THEN ${DECLARED_DATE_SQL} ELSE '' END,
                    CASE WHEN i.closed_import_id IS NOT NULL THEN ${CLOSED_DATE_SQL} ELSE '' END) AS final
         FROM invoices i LEFT JOIN pay ON pay.invoice_id = i.id
         WHERE i.amount_cents > 0
           AND (pay.last BETWEEN @from AND @to OR i.paid_on BETWEEN @from AND @to
                OR i.updated_import_id IN recent OR i.closed_import_id IN recent)
           AND (i.closed_import_id IS NOT NULL OR ${JOINED_OUTSTANDING_SQL} = 0)
           AND NOT (${DECLARED_ONLY_SQL} <> 0 AND ${DECLARED_DATE_ESTIMATED_SQL})
           ${clientId === undefined ? '' : 'AND i.client_id = @client'})
       SELECT cur, count(*), sum(julianday(final) - julianday(due)), sum(julianday(final) - julianday(iss)),
              sum(max(0, julianday(final) - julianday(due)))
       FROM settled WHERE final BETWEEN @from AND @to GROUP BY cur`,
    )
    .raw()
    .all(params) as [string, number, number, number, number][];
  return new Map(
    rows.map(([currency, count, daysAfterDue, daysAfterIssue, daysLate]) => [
      currency,
      { count, daysAfterDue, daysAfterIssue, daysLate },
    ]),
  );
}

/** Open invoices old enough to be near prescription (due before the 2-year horizon). */
export function prescriptionCandidates(store: Store, dueBefore: IsoDate, clientId?: number): Prescription[] {
  const sqlite = sqliteOf(store);
  const rows = sqlite
    .prepare(
      `WITH ${PAYMENTS_BY_INVOICE_CTE}
       SELECT i.number, c.code, c.name, c.kind = 'professionnel', i.due_date, ${JOINED_OUTSTANDING_SQL}, i.currency,
         (SELECT max(x.date) FROM interruptions x WHERE x.invoice_id = i.id)
       FROM invoices i JOIN clients c ON c.id = i.client_id LEFT JOIN pay ON pay.invoice_id = i.id
       WHERE i.due_date <= @dueBefore AND i.closed_import_id IS NULL AND i.amount_cents > 0
         ${clientId === undefined ? '' : 'AND i.client_id = @client'}`,
    )
    .raw()
    .all(clientId === undefined ? { dueBefore } : { dueBefore, client: clientId }) as [
    string,
    string,
    string,
    number,
    IsoDate,
    number,
    string,
    IsoDate | null,
  ][];
  return rows.map(
    ([number, clientCode, clientName, professional, dueDate, outstanding, currency, interruptedOn]) => ({
      number,
      clientCode,
      clientName,
      professional: professional === 1,
      dueDate,
      interruptedOn,
      outstanding: outstanding as Cents,
      currency,
    }),
  );
}

/** Open invoices a lifecycle status withdrew from dunning (213 « Rejetée », 220 « Annulée »). */
export function withdrawnInvoices(store: Store, clientId?: number): WithdrawnInvoice[] {
  const rows = sqliteOf(store)
    .prepare(
      `WITH ${PAYMENTS_BY_INVOICE_CTE}
       SELECT i.number, c.code, c.name, ${JOINED_OUTSTANDING_SQL}, i.currency, i.withdrawn_code, i.dispute_reason
       FROM invoices i JOIN clients c ON c.id = i.client_id LEFT JOIN pay ON pay.invoice_id = i.id
       WHERE i.withdrawn_code IS NOT NULL AND i.closed_import_id IS NULL AND ${JOINED_OUTSTANDING_SQL} > 0
         ${clientId === undefined ? '' : 'AND i.client_id = @client'}
       ORDER BY i.due_date, i.number`,
    )
    .raw()
    .all(clientId === undefined ? {} : { client: clientId }) as [
    string,
    string,
    string,
    number,
    string,
    number,
    string | null,
  ][];
  return rows.map(([number, clientCode, clientName, outstanding, currency, code, reason]) => ({
    number,
    clientCode,
    clientName,
    outstanding,
    currency,
    code,
    reason,
  }));
}

/**
 * Reminders of the period by step, channel and status, with what they claimed (for a claim of
 * the penalties of invoices paid late: those penalties).
 */
export function activityOfPeriod(store: Store, period: Period, clientId?: number): ActivityCount[] {
  const sqlite = sqliteOf(store);
  const rows = sqlite
    .prepare(
      `SELECT a.currency, a.step, a.channel, a.status, count(*), count(DISTINCT a.client_id),
              coalesce(sum((SELECT sum(CASE WHEN a.step = 'penalites'
                THEN coalesce(ai.penalties_cents, 0) + coalesce(ai.indemnity_cents, 0) ELSE ai.outstanding_cents END)
              FROM action_invoices ai WHERE ai.action_id = a.id)), 0)
       FROM actions a
       WHERE a.date BETWEEN @from AND @to AND a.status <> 'a_faire'
         ${clientId === undefined ? '' : 'AND a.client_id = @client'}
       GROUP BY a.currency, a.step, a.channel, a.status
       ORDER BY a.currency <> 'EUR', a.currency, a.step, a.channel, a.status`,
    )
    .raw()
    .all(
      clientId === undefined
        ? { from: period.from, to: period.to }
        : { from: period.from, to: period.to, client: clientId },
    ) as [string, string, string, string, number, number, number][];
  return rows.map(([currency, step, channel, status, count, clients, amount]) => ({
    currency,
    step,
    channel,
    status,
    count,
    clients,
    amount,
  }));
}

/** Tasks left to people: calls, litigation files, and actions whose outcome is uncertain. */
export function openTasks(store: Store, clientId?: number): OpenTask[] {
  const sqlite = sqliteOf(store);
  const rows = sqlite
    .prepare(
      `SELECT a.date, c.code, c.name, a.step, a.channel, a.status,
              coalesce((SELECT sum(ai.outstanding_cents) FROM action_invoices ai WHERE ai.action_id = a.id), 0),
              a.currency, coalesce(a.note, a.error)
       FROM actions a JOIN clients c ON c.id = a.client_id
       WHERE a.status IN ('a_faire', 'incertain', 'en_cours')
         ${clientId === undefined ? '' : 'AND a.client_id = @client'}
       ORDER BY a.date, c.code`,
    )
    .raw()
    .all(clientId === undefined ? {} : { client: clientId }) as [
    IsoDate,
    string,
    string,
    string,
    string,
    string,
    number,
    string,
    string | null,
  ][];
  return rows.map(([date, clientCode, clientName, step, channel, status, amount, currency, note]) => ({
    date,
    clientCode,
    clientName,
    step,
    channel,
    status,
    amount,
    currency,
    note,
  }));
}

/** Open invoices of private clients with a mise en demeure sent: legal interest runs for them. */
export function noticedPrivateInvoices(
  store: Store,
  clientId?: number,
): { dueDate: IsoDate; notice: IsoDate; outstanding: Cents; currency: string }[] {
  const sqlite = sqliteOf(store);
  const rows = sqlite
    .prepare(
      `WITH ${PAYMENTS_BY_INVOICE_CTE}
       SELECT i.due_date, min(a.date), ${JOINED_OUTSTANDING_SQL} AS o, i.currency
       FROM action_invoices ai JOIN actions a ON a.id = ai.action_id
       JOIN invoices i ON i.id = ai.invoice_id JOIN clients c ON c.id = i.client_id
       LEFT JOIN pay ON pay.invoice_id = i.id
       WHERE a.step = 'mise_en_demeure' AND a.status = 'fait' AND c.kind = 'particulier'
         AND i.closed_import_id IS NULL AND i.disputed = 0
         ${clientId === undefined ? '' : 'AND i.client_id = @client'}
       GROUP BY i.id HAVING o > 0`,
    )
    .raw()
    .all(clientId === undefined ? {} : { client: clientId }) as [IsoDate, IsoDate, number, string][];
  return rows.map(([dueDate, notice, outstanding, currency]) => ({
    dueDate,
    notice,
    outstanding: outstanding as Cents,
    currency,
  }));
}

/** What the report worker computes (`report-worker.ts`). */
export interface ReportJob {
  readonly period: Period;
  readonly clientId?: number | undefined;
  /**
   * Read the plan's open invoices first, by batches of this many clients, as of `asOf` and due up
   * to `dueUntil` (`openInvoiceBatches`).
   */
  readonly batchClients?: number | undefined;
  readonly asOf: IsoDate;
  readonly dueUntil: IsoDate;
}

/**
 * Batches of open invoices the worker sends at once, for the main thread to plan while it groups
 * the invoices; then how far ahead of the plan it may read. Batches waiting take memory (a batch
 * of 250 clients of the benchmark is a string of 120 kB).
 */
export const FIRST_BATCHES = 64;
export const BATCHES_AHEAD = 16;

export type ReportMessage =
  | { readonly kind: 'batch'; readonly batch: InvoiceBatch }
  | { readonly kind: 'batches-done' }
  | { readonly kind: 'done'; readonly data: ReportData }
  | { readonly kind: 'failed'; readonly message: string; readonly code?: string | undefined };

export interface ReportWorker {
  /** The plan's batches of open invoices, as the worker reads them (when `batchClients` is given). */
  readonly batches: AsyncIterable<InvoiceBatch>;
  readonly result: Promise<ReportData>;
  /** Stops the worker (the report failed on this side). */
  stop(): Promise<number>;
}

/** The worker's error on this side, with its code (SQLITE_BUSY gets its own message in French). */
function workerError(failure: { message: string; code?: string | undefined }): Error {
  return Object.assign(new Error(failure.message), failure.code === undefined ? {} : { code: failure.code });
}

/**
 * The report's reading on another thread with its own read-only connection (WAL lets several
 * read at once): first the open invoices the main thread plans, handed over batch by batch, then
 * the grouped invoices while the plan goes on.
 */
export function inReportWorker(path: string, job: ReportJob): ReportWorker {
  // Batches the plan has taken: the worker reads no further than BATCHES_AHEAD beyond.
  const consumed = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL('./report-worker.js', import.meta.url), {
    workerData: { path, job, consumed },
    // A small young generation keeps the garbage of its rows small: the batches are strings,
    // the grouped invoices a few thousand rows.
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
  });
  // Listening from the start: no batch is missed, whenever the plan begins to read them.
  const messages = job.batchClients === undefined ? null : on(worker, 'message');
  const result = new Promise<ReportData>((resolve, reject) => {
    worker.on('message', (message: ReportMessage) => {
      if (message.kind === 'done') resolve(message.data);
      else if (message.kind === 'failed') reject(workerError(message));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`le calcul du rapport s’est arrêté (code ${code})`));
    });
  });
  result.catch(() => {});
  async function* batches(): AsyncGenerator<InvoiceBatch> {
    if (messages === null) return;
    for await (const [message] of messages as AsyncIterableIterator<[ReportMessage]>) {
      if (message.kind === 'batch') {
        yield message.batch;
        Atomics.add(consumed, 0, 1);
        Atomics.notify(consumed, 0);
      } else if (message.kind === 'batches-done') return;
      else if (message.kind === 'failed') throw workerError(message);
    }
  }
  return { batches: batches(), result, stop: () => worker.terminate() };
}

export type { ActivityCount, OpenTask } from '../../domain/report-model.js';
