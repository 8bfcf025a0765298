import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteOf } from '../../src/adapters/db/connection.js';
import { openStore } from '../../src/adapters/db/open.js';
import { agedBalance, bucketOf } from '../../src/domain/aged-balance.js';
import { addDays, type IsoDate } from '../../src/domain/dates.js';
import { outstanding } from '../../src/domain/invoice-row.js';
import type { Cents } from '../../src/domain/money.js';
import { reportAgedBalance, seededRandom } from './generated.js';

const d = (s: string) => s as IsoDate;
const dir = mkdtempSync(join(tmpdir(), 'recouvre-aged-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('aged balance', () => {
  it('puts an amount in the bucket of its days late', () => {
    expect(bucketOf(d('2026-11-20'), d('2026-11-20'))).toBe('non_echu');
    expect(bucketOf(d('2026-11-19'), d('2026-11-20'))).toBe('j1_30');
    expect(bucketOf(d('2026-10-21'), d('2026-11-20'))).toBe('j1_30');
    expect(bucketOf(d('2026-10-20'), d('2026-11-20'))).toBe('j31_60');
    expect(bucketOf(d('2026-08-22'), d('2026-11-20'))).toBe('j61_90');
    expect(bucketOf(d('2026-08-21'), d('2026-11-20'))).toBe('plus_90');
  });

  it('summed as the week is planned and in SQL, equals the invoice-by-invoice computation on generated data', async () => {
    const store = await openStore(join(dir, 'aged.db'), { create: true });
    const sqlite = sqliteOf(store);
    const asOf = d('2026-11-20');
    const random = seededRandom(42);
    sqlite.exec(`INSERT INTO imports (id, started_at, file_name, file_path, sha256, kind, encoding, separator)
                 VALUES (1, '2026-11-19T10:00:00.000Z', 'f.csv', '/f.csv', '${'0'.repeat(64)}', 'factures', 'utf8', ';')`);
    const addClient = sqlite.prepare('INSERT INTO clients (id, code, name) VALUES (?, ?, ?)');
    for (let c = 1; c <= 40; c++) addClient.run(c, `C${c}`, `Client ${c}`);
    const addInvoice = sqlite.prepare(
      `INSERT INTO invoices (id, number, client_id, issue_date, due_date, amount_cents, paid_cents, currency, disputed, closed_import_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const addPayment = sqlite.prepare(
      'INSERT INTO payments (invoice_id, date, amount_cents, source, import_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const expected: Parameters<typeof agedBalance>[0][number][] = [];
    for (let id = 1; id <= 2000; id++) {
      const client = 1 + random(40);
      const due = addDays(asOf, 30 - random(200));
      const credit = random(15) === 0;
      const amount = credit ? -(100 + random(50000)) : 100 + random(500000);
      const paid = credit ? 0 : [0, 0, Math.floor(amount / 2), amount][random(4)]!;
      const currency = random(10) === 0 ? 'USD' : 'EUR';
      const disputed = random(12) === 0 ? 1 : 0;
      const closed = random(30) === 0 ? 1 : null;
      // Some issued after the report's date: not yet receivables then.
      const issue = addDays(due, -random(60));
      addInvoice.run(id, `F${id}`, client, issue, due, amount, paid, currency, disputed, closed);
      let covered = 0;
      let fresh = 0;
      if (!credit && random(4) === 0) {
        const part = Math.floor(amount / 3);
        // Half typed by hand after the last import (on top of « Réglé »), half from a file.
        if (random(2) === 0) {
          addPayment.run(id, '2026-11-18', part, 'manuel', null, '2026-11-20T08:00:00.000Z');
          fresh += part;
        } else {
          addPayment.run(id, '2026-11-18', part, 'fichier', 1, '2026-11-19T10:00:00.000Z');
          covered += part;
        }
      }
      if (closed) continue;
      expected.push({
        clientCode: `C${client}`,
        clientName: `Client ${client}`,
        currency,
        issueDate: issue,
        dueDate: due,
        outstanding: outstanding(amount as Cents, paid as Cents, covered as Cents, fresh),
        disputed: disputed === 1,
      });
    }
    const reference = agedBalance(expected, asOf);
    // By batches of 7 clients, and at once.
    for (const batchClients of [7, 1000]) {
      const summed = await reportAgedBalance(store, asOf, { batchClients });
      expect(summed.map((b) => b.currency)).toEqual(['EUR', 'USD']);
      expect(summed).toEqual(reference);
    }
    expect(reference[0]!.totals.total).toBeGreaterThan(0);
    expect(reference[0]!.totals.non_echu).toBeGreaterThan(0);
    expect(reference[0]!.disputed).toBeGreaterThan(0);
    // One client's.
    const one = await reportAgedBalance(store, asOf, { clientId: 3 });
    expect(one).toEqual(
      agedBalance(
        expected.filter((row) => row.clientCode === 'C3'),
        asOf,
      ),
    );
    await store.close();
  });
});
