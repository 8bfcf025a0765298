import type { IsoDate } from '../../src/domain/dates.js';
import type { InvoiceRow } from '../../src/domain/invoice-row.js';
import type { Cents } from '../../src/domain/money.js';

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
