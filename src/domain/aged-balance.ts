import { addDays, daysBetween, type IsoDate } from './dates.js';
import type { Cents } from './money.js';

/**
 * The aged balance (balance âgée): what is owed, by how late it is. Buckets follow French practice:
 * not yet due, 1–30, 31–60, 61–90 and over 90 days late. Disputed amounts are shown apart, and
 * amounts are never summed across currencies.
 */
export type Bucket = 'non_echu' | 'j1_30' | 'j31_60' | 'j61_90' | 'plus_90';

export const BUCKETS: readonly Bucket[] = ['non_echu', 'j1_30', 'j31_60', 'j61_90', 'plus_90'];

/** `bucketOf('2026-10-01', '2026-11-20')` → `'j31_60'` (50 days late). */
export function bucketOf(dueDate: IsoDate, asOf: IsoDate): Bucket {
  const late = daysBetween(dueDate, asOf);
  if (late <= 0) return 'non_echu';
  if (late <= 30) return 'j1_30';
  if (late <= 60) return 'j31_60';
  if (late <= 90) return 'j61_90';
  return 'plus_90';
}

export interface AgedRow {
  readonly clientCode: string;
  readonly clientName: string;
  readonly currency: string;
  /** An invoice issued after the report's date is not yet a receivable on that date. */
  readonly issueDate?: IsoDate;
  readonly dueDate: IsoDate;
  readonly outstanding: Cents;
  readonly disputed: boolean;
}

export type Buckets = Record<Bucket | 'total', number>;

export interface AgedBalance {
  readonly currency: string;
  readonly totals: Buckets;
  readonly disputed: number;
  /** Per client, biggest total first. */
  readonly clients: readonly {
    readonly code: string;
    readonly name: string;
    readonly buckets: Buckets;
    readonly disputed: number;
  }[];
}

export function emptyBuckets(): Buckets {
  return { non_echu: 0, j1_30: 0, j31_60: 0, j61_90: 0, plus_90: 0, total: 0 };
}

/** An amount of one client, currency and bucket (disputed apart): what both computations give. */
export interface AgedItem {
  readonly code: string;
  readonly name: string;
  readonly currency: string;
  readonly disputed: boolean;
  readonly bucket: Bucket;
  readonly amount: number;
}

/** Totals per currency (euros first) and per client (largest first) from amounts by bucket. */
export function assembleAgedBalance(items: Iterable<AgedItem>): AgedBalance[] {
  type Client = { code: string; name: string; buckets: Buckets; disputed: number };
  const byCurrency = new Map<string, { totals: Buckets; disputed: number; clients: Map<string, Client> }>();
  for (const item of items) {
    if (item.amount === 0) continue;
    let entry = byCurrency.get(item.currency);
    if (!entry) {
      entry = { totals: emptyBuckets(), disputed: 0, clients: new Map() };
      byCurrency.set(item.currency, entry);
    }
    let client = entry.clients.get(item.code);
    if (!client) {
      client = { code: item.code, name: item.name, buckets: emptyBuckets(), disputed: 0 };
      entry.clients.set(item.code, client);
    }
    if (item.disputed) {
      entry.disputed += item.amount;
      client.disputed += item.amount;
      continue;
    }
    entry.totals[item.bucket] += item.amount;
    entry.totals.total += item.amount;
    client.buckets[item.bucket] += item.amount;
    client.buckets.total += item.amount;
  }
  return byCurrencyBalances(byCurrency, (clients) => [...clients.values()]);
}

/**
 * What the store sums for one client, currency and dispute state of its invoices not yet due
 * (`agedSumsFromStore`: those due after what the plan reads).
 */
export type AgedSumRow = readonly [
  clientId: number,
  code: string,
  name: string,
  currency: string,
  disputed: number,
  notYetDue: number,
];

type ClientBalance = AgedBalance['clients'][number] & { buckets: Buckets; disputed: number };

/**
 * The aged balance summed as open amounts are read, a batch of invoices at a time, so that a
 * million invoices are never held at once: straight into each client's row of the balance. Due
 * dates are placed in their bucket by comparing them with the buckets' first days, computed
 * once; `agedBalance` is the reference it is held to.
 */
export class AgedBalanceSums {
  /** The earliest due date of each bucket but the last (non_echu: due today or later). */
  private readonly bounds: readonly IsoDate[];
  /** Each client's rows, one per currency. */
  private readonly clients = new Map<number, { currency: string; row: ClientBalance }[]>();

  constructor(asOf: IsoDate) {
    this.bounds = [asOf, addDays(asOf, -30), addDays(asOf, -60), addDays(asOf, -90)];
  }

  /** One open amount of a client (identified by `clientId` within the store). */
  add(
    clientId: number,
    client: { readonly code: string; readonly name: string },
    currency: string,
    disputed: boolean,
    dueDate: IsoDate,
    amount: number,
  ): void {
    if (amount === 0) return;
    const { bounds } = this;
    let k = 0;
    while (k < bounds.length && dueDate < (bounds[k] as IsoDate)) k++;
    const row = this.rowOf(clientId, client, currency);
    if (disputed) {
      row.disputed += amount;
    } else {
      row.buckets[BUCKETS[k] as Bucket] += amount;
      row.buckets.total += amount;
    }
  }

  /** Amounts not yet due, already summed for a client, currency and dispute state. */
  addRow(sums: AgedSumRow): void {
    const row = this.rowOf(sums[0], { code: sums[1], name: sums[2] }, sums[3]);
    if (sums[4] === 1) {
      row.disputed += sums[5];
    } else {
      row.buckets.non_echu += sums[5];
      row.buckets.total += sums[5];
    }
  }

  private rowOf(
    clientId: number,
    client: { readonly code: string; readonly name: string },
    currency: string,
  ): ClientBalance {
    let rows = this.clients.get(clientId);
    if (!rows) {
      rows = [];
      this.clients.set(clientId, rows);
    }
    for (const r of rows) if (r.currency === currency) return r.row;
    const row = { code: client.code, name: client.name, buckets: emptyBuckets(), disputed: 0 };
    rows.push({ currency, row });
    return row;
  }

  /** Totals per currency (euros first) and per client (largest first). */
  balance(): AgedBalance[] {
    const byCurrency = new Map<string, { totals: Buckets; disputed: number; clients: ClientBalance[] }>();
    for (const rows of this.clients.values()) {
      for (const { currency, row } of rows) {
        let entry = byCurrency.get(currency);
        if (!entry) {
          entry = { totals: emptyBuckets(), disputed: 0, clients: [] };
          byCurrency.set(currency, entry);
        }
        entry.clients.push(row);
        entry.disputed += row.disputed;
        for (const bucket of BUCKETS) entry.totals[bucket] += row.buckets[bucket];
        entry.totals.total += row.buckets.total;
      }
    }
    return byCurrencyBalances(byCurrency, (clients) => clients);
  }
}

/** The balances of each currency (euros first, then in alphabetical order), clients largest first. */
function byCurrencyBalances<C>(
  byCurrency: ReadonlyMap<string, { totals: Buckets; disputed: number; clients: C }>,
  rowsOf: (clients: C) => ClientBalance[],
): AgedBalance[] {
  return [...byCurrency]
    .sort(([a], [b]) => (a === 'EUR' ? -1 : b === 'EUR' ? 1 : a < b ? -1 : 1))
    .map(([currency, entry]) => ({
      currency,
      totals: entry.totals,
      disputed: entry.disputed,
      clients: rowsOf(entry.clients).sort(byTotal),
    }));
}

const byTotal = (a: { code: string; buckets: Buckets }, b: { code: string; buckets: Buckets }) =>
  b.buckets.total - a.buckets.total || (a.code < b.code ? -1 : 1);

/**
 * The aged balance of open amounts computed invoice by invoice: the straightforward reference
 * that the store's SQL aggregate is checked against.
 */
export function agedBalance(rows: readonly AgedRow[], asOf: IsoDate): AgedBalance[] {
  return assembleAgedBalance(
    rows
      .filter((row) => row.issueDate === undefined || row.issueDate <= asOf)
      .map((row) => ({
        code: row.clientCode,
        name: row.clientName,
        currency: row.currency,
        disputed: row.disputed,
        bucket: bucketOf(row.dueDate, asOf),
        amount: row.outstanding,
      })),
  );
}
