import type SQLite from 'better-sqlite3';
import type { IsoDate } from '../../domain/dates.js';
import type {
  DunningClient,
  DunningInput,
  DunningInvoice,
  PastAction,
  PaymentPlan,
} from '../../domain/dunning.js';
import { type ClientKind, outstanding } from '../../domain/invoice-row.js';
import type { Cents } from '../../domain/money.js';
import type { DatedAmount } from '../../domain/penalties.js';
import { PAYMENT_IS_FRESH_SQL } from './balances.js';
import { sqliteOf, storeOver } from './connection.js';
import type { Store } from './open.js';

/**
 * Reads what the dunning engine needs in a handful of bulk queries (a store may hold a million
 * invoices): open invoices with their dated payments, clients, the actions already taken, and
 * the payment plans in force. Outstanding amounts are computed here with the domain's rule.
 */

/** Statuses of an action that make its step count as done: it may have reached the client. */
export const TAKEN_STATUSES = ['en_cours', 'fait', 'incertain', 'a_faire'] as const;

export interface DunningFilter {
  /** Only this client (its id). */
  readonly clientId?: number | undefined;
  /** Invoices falling due up to this day are needed (courtesy notices look ahead). */
  readonly dueUntil: IsoDate;
  /** Told how far the reading of the whole store is (invoice ids read, and the highest). */
  readonly onSlice?: ((done: number, total: number) => void) | undefined;
}

/** Client ids from `from` to `to`, both included. */
export interface ClientIdRange {
  readonly from: number;
  readonly to: number;
}

function rangeOf(filter: { clientId?: number | undefined }): ClientIdRange | undefined {
  return filter.clientId !== undefined ? { from: filter.clientId, to: filter.clientId } : undefined;
}

/** The SQL condition and parameters that keep a range of clients (none: every client). */
function clientCondition(column: string, range: ClientIdRange | undefined) {
  return range === undefined
    ? { sql: '', params: {} }
    : {
        sql: `${column} BETWEEN @clientFrom AND @clientTo`,
        params: { clientFrom: range.from, clientTo: range.to },
      };
}

/**
 * Statements prepared once per connection: the plan runs the same few queries for each batch of
 * clients, and preparing one compiles it anew.
 */
const statements = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

function prepared(sqlite: SQLite.Database, sql: string): SQLite.Statement {
  let cache = statements.get(sqlite);
  if (!cache) {
    cache = new Map();
    statements.set(sqlite, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = sqlite.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

type InvoiceTuple = [
  number, // id
  string, // number
  number, // client_id
  string, // due_date
  string, // currency
  number, // amount_cents
  number, // paid_cents
  number, // flags: 1 disputed, 2 paused, 4 issued after the day of the run, 8 partly disputed
  string | null, // issue date of a credit note
  Reasons | string | null, // when flagged: why (a JSON text when read row by row)
];

/**
 * Why an invoice is disputed or paused: dispute reason, paused until, pause reason, the part its
 * client contests, the lifecycle status that withdrew it.
 */
type Reasons = [string | null, string | null, string | null, number, number | null];

type PaymentTuple = [number, string, number, number];

type ClientTuple = [number, string, string, ClientKind, string, number, string | null, string | null, number];

/** What the engine reads of each open invoice (an `InvoiceTuple`). */
const INVOICE_COLUMNS = `i.id, i.number, i.client_id, i.due_date, i.currency, i.amount_cents, i.paid_cents,
  i.disputed + 2 * i.paused + 4 * (i.issue_date > @asOf) + 8 * (i.disputed_cents > 0),
  CASE WHEN i.amount_cents < 0 THEN i.issue_date END,
  CASE WHEN i.disputed = 1 OR i.paused = 1 OR i.disputed_cents > 0
    THEN json_array(i.dispute_reason, i.paused_until, i.pause_reason, i.disputed_cents, i.withdrawn_code) END`;

/**
 * The open invoices the engine needs. Invoices the export says are settled and that have no
 * payment recorded are skipped in SQL: on a large store most invoices are paid, and reading them
 * would cost more than the rest.
 */
const OPEN_INVOICES_WHERE = `i.closed_import_id IS NULL
  AND (i.paid_cents <> i.amount_cents OR EXISTS (SELECT 1 FROM payments p WHERE p.invoice_id = i.id))
  AND (i.due_date <= @dueUntil OR i.amount_cents < 0)`;

export function loadDunningInput(store: Store, asOf: IsoDate, filter: DunningFilter): DunningInput {
  const sqlite = sqliteOf(store);
  const range = rangeOf(filter);
  const invoiceClients = clientCondition('i.client_id', range);
  const clientClause = invoiceClients.sql ? `AND ${invoiceClients.sql}` : '';
  // A million rows held at once would take hundreds of megabytes. The whole store is read by
  // slices of ids, each as one JSON array that SQLite builds and V8 parses faster than
  // better-sqlite3 hands over rows; one client's invoices row by row.
  const rows = invoiceRows<InvoiceTuple>(
    sqlite,
    INVOICE_COLUMNS,
    `${OPEN_INVOICES_WHERE} ${clientClause}`,
    { asOf, dueUntil: filter.dueUntil, ...invoiceClients.params },
    range === undefined,
    filter.onSlice,
  );
  return assembleInput(sqlite, asOf, range, {
    invoices: rows,
    payments: prepared(sqlite, paymentsSql(range !== undefined))
      .raw()
      .all(invoiceClients.params) as PaymentTuple[],
    clients: prepared(sqlite, clientsSql(range !== undefined))
      .raw()
      .all(invoiceClients.params) as ClientTuple[],
  });
}

/** The payments of a range of clients' invoices (`@clientFrom` to `@clientTo`) or all, oldest first. */
function paymentsSql(ranged: boolean): string {
  return `SELECT p.invoice_id AS invoice_id, p.date AS date, p.amount_cents AS amount, (${PAYMENT_IS_FRESH_SQL}) AS fresh
    FROM payments p ${ranged ? 'JOIN invoices i ON i.id = p.invoice_id WHERE i.client_id BETWEEN @clientFrom AND @clientTo' : ''}
    ORDER BY p.date`;
}

const HAS_ADDRESS = "(trim(coalesce(address, '')) <> '') AS has_address";

/** A range of clients (`@clientFrom` to `@clientTo`), or all. */
function clientsSql(ranged: boolean): string {
  return `SELECT id, code, name, kind, emails, paused, paused_until, pause_reason, ${HAS_ADDRESS} FROM clients
    ${ranged ? 'WHERE id BETWEEN @clientFrom AND @clientTo' : ''}`;
}

/**
 * The open invoices of a range of client ids, their payments and the clients, each as a JSON
 * array of rows (`openInvoiceBatches`).
 */
export interface InvoiceBatch {
  readonly from: number;
  readonly to: number;
  readonly invoices: string;
  readonly payments: string;
  readonly clients: string;
}

/**
 * The open invoices the engine needs for every client, batch by batch of `batchClients`
 * consecutive client ids (the plan of one client never depends on another's): a large store is
 * planned with the memory of one batch. They are read in one pass over the table, sorted by
 * batch, each batch handed over as one JSON array, which may cross to another thread as it is,
 * with its payments and clients; reading each batch through the client index would visit the
 * table in random order, twice as slow on a million invoices. Batches without any open invoice
 * are not yielded.
 */
export function* openInvoiceBatches(
  store: Store,
  asOf: IsoDate,
  dueUntil: IsoDate,
  batchClients: number,
): Generator<InvoiceBatch> {
  const sqlite = sqliteOf(store);
  const batches = sqlite
    .prepare(
      `SELECT (i.client_id - 1) / CAST(@batch AS INTEGER) AS b, json_group_array(json_array(${INVOICE_COLUMNS}))
       FROM invoices i WHERE ${OPEN_INVOICES_WHERE} GROUP BY b ORDER BY b`,
    )
    .raw()
    .iterate({ asOf, dueUntil, batch: batchClients }) as IterableIterator<[number, string]>;
  // The same rows as the queries of `loadDunningInput`, as JSON arrays.
  const payments = sqlite.prepare(
    `SELECT json_group_array(json_array(invoice_id, date, amount, fresh)) FROM (${paymentsSql(true)})`,
  );
  const clients = sqlite.prepare(
    `SELECT json_group_array(json_array(id, code, name, kind, emails, paused, paused_until, pause_reason, has_address))
     FROM (${clientsSql(true)})`,
  );
  for (const [b, invoices] of batches) {
    const params = { clientFrom: b * batchClients + 1, clientTo: (b + 1) * batchClients };
    yield {
      from: params.clientFrom,
      to: params.clientTo,
      invoices,
      payments: payments.pluck().get(params) as string,
      clients: clients.pluck().get(params) as string,
    };
  }
}

/** The engine's input for a batch of `openInvoiceBatches`, read on the same day `asOf`. */
export function batchInput(store: Store, asOf: IsoDate, batch: InvoiceBatch): DunningInput {
  const sqlite = sqliteOf(store);
  return assembleInput(sqlite, asOf, batch, {
    invoices: JSON.parse(batch.invoices) as InvoiceTuple[],
    payments: JSON.parse(batch.payments) as PaymentTuple[],
    clients: JSON.parse(batch.clients) as ClientTuple[],
  });
}

/**
 * The engine's input from the open invoices of a range of clients (all: `undefined`), with their
 * payments and clients; past actions and payment plans are read here. Why an invoice is disputed
 * or paused comes with its row, for the few that are: a query of its own would visit every
 * invoice of the range through the client index.
 */
function assembleInput(
  sqlite: SQLite.Database,
  asOf: IsoDate,
  range: ClientIdRange | undefined,
  read: {
    readonly invoices: Iterable<InvoiceTuple>;
    readonly payments: readonly PaymentTuple[];
    readonly clients: readonly ClientTuple[];
  },
): DunningInput {
  // Payments first (usually few), so that invoices can be streamed and priced as they come.
  const payments = new Map<number, { covered: DatedAmount[]; fresh: DatedAmount[] }>();
  for (const [invoiceId, date, amount, fresh] of read.payments) {
    let entry = payments.get(invoiceId);
    if (!entry) {
      entry = { covered: [], fresh: [] };
      payments.set(invoiceId, entry);
    }
    (fresh === 1 ? entry.fresh : entry.covered).push({ date: date as IsoDate, amount: amount as Cents });
  }

  const invoices: DunningInvoice[] = [];
  const clientIds = new Set<number>();
  // Dates and currencies repeat across invoices: one string each instead of one per row.
  const strings = new Map<string, string>();
  const intern = <T extends string>(text: string): T => {
    const known = strings.get(text);
    if (known !== undefined) return known as T;
    strings.set(text, text);
    return text as T;
  };
  for (const [
    id,
    number,
    clientId,
    dueDate,
    currency,
    amount,
    paid,
    flags,
    creditDate,
    why,
  ] of read.invoices) {
    const own = payments.get(id);
    const covered = own?.covered ?? NONE;
    const fresh = own?.fresh ?? NONE;
    const reasons = typeof why === 'string' ? (JSON.parse(why) as Reasons) : why;
    // A part its client contests (206) is never chased: the engine sees the accepted part only,
    // so that what is claimed, the penalties and the letter's lines all agree.
    const contested = (flags & 8) !== 0 ? ((reasons?.[3] ?? 0) as Cents) : (0 as Cents);
    const whole = outstanding(amount as Cents, paid as Cents, sum(covered), sum(fresh));
    const due = contested === 0 ? whole : (Math.max(0, whole - contested) as Cents);
    if (due === 0) continue;
    clientIds.add(clientId);
    invoices.push({
      id,
      number,
      clientId,
      creditDate: creditDate as IsoDate | null,
      dueDate: intern(dueDate),
      currency: intern(currency),
      amount: (amount - contested) as Cents,
      declaredPaid: paid as Cents,
      payments: covered,
      freshPayments: fresh,
      outstanding: due,
      disputed: (flags & 1) !== 0,
      issuedLater: (flags & 4) !== 0,
      disputeReason: reasons?.[0] ?? null,
      paused: (flags & 2) !== 0,
      pausedUntil: (reasons?.[1] ?? null) as IsoDate | null,
      pauseReason: reasons?.[2] ?? null,
      disputedPart: contested,
      withdrawn: reasons?.[4] ?? null,
    });
  }

  const clients = new Map<number, DunningClient>();
  for (const tuple of read.clients) if (clientIds.has(tuple[0])) clients.set(tuple[0], clientOf(tuple));

  return {
    asOf,
    clients,
    invoices,
    actions: loadPastActions(storeOver(sqlite), range),
    plans: loadPlans(sqlite, range),
    interruptions: loadInterruptions(sqlite, range),
  };
}

function clientOf([
  id,
  code,
  name,
  kind,
  emails,
  paused,
  pausedUntil,
  pauseReason,
  hasAddress,
]: ClientTuple): DunningClient {
  return {
    id,
    code,
    name,
    kind,
    hasEmail: emails.trim() !== '',
    hasAddress: hasAddress === 1,
    paused: paused === 1,
    pausedUntil: pausedUntil as IsoDate | null,
    pauseReason,
  };
}

/** The clients of these ids, as the engine sees them. */
export function loadClients(
  sqlite: SQLite.Database,
  ids: ReadonlySet<number>,
  clients?: ClientIdRange,
): Map<number, DunningClient> {
  const result = new Map<number, DunningClient>();
  if (ids.size === 0) return result;
  const condition = clientCondition('id', clients);
  for (const tuple of prepared(sqlite, clientsSql(clients !== undefined))
    .raw()
    .all(condition.params) as ClientTuple[])
    if (ids.has(tuple[0])) result.set(tuple[0], clientOf(tuple));
  return result;
}

/** The last event that interrupted each invoice's prescription (few rows: read whole). */
export function loadInterruptions(sqlite: SQLite.Database, clients?: ClientIdRange): Map<number, IsoDate> {
  const condition = clientCondition('i.client_id', clients);
  const rows = prepared(
    sqlite,
    `SELECT x.invoice_id, max(x.date) FROM interruptions x
       ${condition.sql ? `JOIN invoices i ON i.id = x.invoice_id WHERE ${condition.sql}` : ''}
       GROUP BY x.invoice_id`,
  )
    .raw()
    .all(condition.params) as [number, string][];
  return new Map(rows.map(([id, date]) => [id, date as IsoDate]));
}

const ID_SLICE = 1 << 16;

/**
 * The rows of `SELECT columns FROM invoices i WHERE where`, as tuples: by slices of `ID_SLICE`
 * invoice ids in JSON when `sliced`, else streamed row by row (less garbage for small reads).
 */
function* invoiceRows<T>(
  sqlite: SQLite.Database,
  columns: string,
  where: string,
  params: Record<string, unknown>,
  sliced: boolean,
  onSlice?: (done: number, total: number) => void,
): Generator<T> {
  if (!sliced) {
    yield* sqlite
      .prepare(`SELECT ${columns} FROM invoices i WHERE ${where}`)
      .raw()
      .iterate(params) as Iterable<T>;
    return;
  }
  const select = (more: string) =>
    sqlite
      .prepare(`SELECT json_group_array(json_array(${columns})) FROM invoices i WHERE ${where} ${more}`)
      .pluck();
  const top = (sqlite.prepare('SELECT max(id) FROM invoices').pluck().get() as number | null) ?? 0;
  const slice = select('AND i.id BETWEEN @sliceFrom AND @sliceTo');
  for (let from = 0; from <= top; from += ID_SLICE) {
    const json = slice.get({ ...params, sliceFrom: from, sliceTo: from + ID_SLICE - 1 }) as string;
    onSlice?.(Math.min(from + ID_SLICE, top), top);
    yield* JSON.parse(json) as T[];
  }
}

/** Shared by every invoice without payments: a store may hold hundreds of thousands. */
const NONE: readonly DatedAmount[] = Object.freeze([]);

function sum(amounts: readonly DatedAmount[]): Cents {
  let total = 0;
  for (const a of amounts) total += a.amount;
  return total as Cents;
}

/** Every action that may have reached a client, with the invoices it covered. */
export function loadPastActions(store: Store, clients?: ClientIdRange | number): PastAction[] {
  const sqlite = sqliteOf(store);
  const condition = clientCondition(
    'a.client_id',
    typeof clients === 'number' ? { from: clients, to: clients } : clients,
  );
  const rows = prepared(
    sqlite,
    `SELECT a.id, a.client_id, a.date, a.step, a.channel, a.status = 'fait', a.received_on, ai.invoice_id FROM actions a
       LEFT JOIN action_invoices ai ON ai.action_id = a.id
       WHERE a.status IN (${TAKEN_STATUSES.map((s) => `'${s}'`).join(', ')})
       ${condition.sql ? `AND ${condition.sql}` : ''}
       ORDER BY a.id`,
  )
    .raw()
    .all(condition.params) as [
    number,
    number,
    string,
    string,
    string,
    number,
    string | null,
    number | null,
  ][];
  const byId = new Map<number, PastAction & { invoiceIds: number[] }>();
  for (const [id, client, date, step, channel, done, receivedOn, invoiceId] of rows) {
    let action = byId.get(id);
    if (!action) {
      action = {
        clientId: client,
        date: date as IsoDate,
        step,
        channel,
        done: done === 1,
        receivedOn: receivedOn as IsoDate | null,
        invoiceIds: [],
      };
      byId.set(id, action);
    }
    if (invoiceId !== null) action.invoiceIds.push(invoiceId);
  }
  return [...byId.values()];
}

/** Payment plans in force (not cancelled), with their invoices and instalments. */
export function loadPlans(sqlite: SQLite.Database, clients?: ClientIdRange): PaymentPlan[] {
  const condition = clientCondition('p.client_id', clients);
  const where = `p.cancelled_at IS NULL ${condition.sql ? `AND ${condition.sql}` : ''}`;
  const params = condition.params;
  const plans = new Map<
    number,
    PaymentPlan & {
      invoices: PaymentPlan['invoices'][number][];
      instalments: PaymentPlan['instalments'][number][];
    }
  >();
  for (const [id, client, date] of prepared(
    sqlite,
    `SELECT p.id, p.client_id, p.date FROM payment_plans p WHERE ${where} ORDER BY p.id`,
  )
    .raw()
    .all(params) as [number, number, string][]) {
    plans.set(id, { id, clientId: client, date: date as IsoDate, invoices: [], instalments: [] });
  }
  if (plans.size === 0) return [];
  for (const [planId, invoiceId, start] of prepared(
    sqlite,
    `SELECT pi.plan_id, pi.invoice_id, pi.outstanding_at_start_cents FROM plan_invoices pi
       JOIN payment_plans p ON p.id = pi.plan_id WHERE ${where}`,
  )
    .raw()
    .all(params) as [number, number, number][]) {
    plans.get(planId)?.invoices.push({ invoiceId, outstandingAtStart: start as Cents });
  }
  for (const [planId, dueDate, amount] of prepared(
    sqlite,
    `SELECT pi.plan_id, pi.due_date, pi.amount_cents FROM plan_instalments pi
       JOIN payment_plans p ON p.id = pi.plan_id WHERE ${where} ORDER BY pi.due_date`,
  )
    .raw()
    .all(params) as [number, string, number][]) {
    plans.get(planId)?.instalments.push({ dueDate: dueDate as IsoDate, amount: amount as Cents });
  }
  return [...plans.values()];
}
