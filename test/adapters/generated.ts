import { join } from 'node:path';
import { agedSumsFromStore } from '../../src/adapters/db/aged-balance-store.js';
import type { Store } from '../../src/adapters/db/open.js';
import { dueUntil, loadDunningRules } from '../../src/app/dunning-plan.js';
import { weekAhead } from '../../src/app/report.js';
import type { Context } from '../../src/context.js';
import { type AgedBalance, AgedBalanceSums } from '../../src/domain/aged-balance.js';
import type { IsoDate } from '../../src/domain/dates.js';
import type { InvoiceRow } from '../../src/domain/invoice-row.js';
import type { Cents } from '../../src/domain/money.js';
import { PLAN_DAYS } from '../../src/domain/report-model.js';

/**
 * A deterministic generator for the books the SQL aggregates are checked on: the same book every
 * run. `random(n)` gives an integer from 0 to n − 1.
 */
export function seededRandom(seed: number): (n: number) => number {
  let state = seed;
  return (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    // The high bits: an LCG's low bits repeat with a short period (the last two every 4 calls).
    return Math.floor((state / 2147483648) * n);
  };
}

/** An invoice line as an export's reader hands it to the store, with plain defaults. */
export function invoiceRow(
  number: string,
  clientCode: string,
  amount: number,
  paid = 0,
  more: Partial<InvoiceRow> = {},
): InvoiceRow {
  return {
    number,
    clientCode,
    clientName: `Client ${clientCode}`,
    emails: '',
    clientKind: null,
    address: null,
    siren: null,
    phone: null,
    issueDate: '2026-03-01' as IsoDate,
    dueDate: '2026-03-31' as IsoDate,
    dueDateComputed: false,
    amount: amount as Cents,
    paid: paid as Cents,
    currency: 'EUR',
    ...more,
  };
}

/** What an import of a file `f.csv` records, started at `startedAt`. */
export function importHeader(startedAt: string) {
  return {
    startedAt,
    fileName: 'f.csv',
    filePath: '/f.csv',
    sha256: '0'.repeat(64),
    encoding: 'utf8',
    separator: ';',
    options: {},
  };
}

/**
 * The report's aged balance of a store, computed as `buildReport` does without its worker: the
 * invoices the week's plan reads (by batches of `batchClients` clients, or one client's) summed
 * as they are planned, and those due later summed in SQL.
 */
export async function reportAgedBalance(
  store: Store,
  asOf: IsoDate,
  options: { batchClients?: number; clientId?: number } = {},
): Promise<AgedBalance[]> {
  const rules = await loadDunningRules(
    { configPath: join(store.path, '..', 'absent.toml'), env: {} } as unknown as Context,
    false,
  );
  const aged = new AgedBalanceSums(asOf);
  for (const row of agedSumsFromStore(store, asOf, dueUntil(rules, asOf, PLAN_DAYS), options.clientId)) {
    aged.addRow(row);
  }
  await weekAhead(store, rules, asOf, { ...options, aged });
  return aged.balance();
}
