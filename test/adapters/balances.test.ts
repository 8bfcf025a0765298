import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { OUTSTANDING_SQL } from '../../src/adapters/db/balances.js';
import { outstanding } from '../../src/domain/invoice-row.js';
import type { Cents } from '../../src/domain/money.js';

describe('OUTSTANDING_SQL', () => {
  it('agrees with the domain rule on every combination of amount, declared paid and payments', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE imports (started_at TEXT, kind TEXT);
             INSERT INTO imports VALUES ('2026-11-20T10:00:00.000Z', 'factures');
             CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount_cents INTEGER, paid_cents INTEGER);
             CREATE TABLE payments (invoice_id INTEGER, amount_cents INTEGER, import_id INTEGER,
               recorded_at TEXT);`);
    // [amount, declared paid, payments before the import or from a file, typed by hand after it]
    const cases: [number, number, number[], number[]][] = [];
    for (const amount of [0, 10000, -5000, 1])
      for (const paid of [0, 1, 4000, 10000, -2000])
        for (const payments of [[], [3000], [2000, 9000], [-1000]])
          for (const fresh of [[], [500], [1000, 250]]) cases.push([amount, paid, payments, fresh]);
    const insert = db.prepare('INSERT INTO invoices (id, amount_cents, paid_cents) VALUES (?, ?, ?)');
    const pay = db.prepare(
      'INSERT INTO payments (invoice_id, amount_cents, import_id, recorded_at) VALUES (?, ?, ?, ?)',
    );
    cases.forEach(([amount, paid, payments, fresh], id) => {
      insert.run(id, amount, paid);
      payments.forEach((p, k) => {
        // Alternately typed by hand before the import, and read from a payment file after it.
        if (k % 2 === 0) pay.run(id, p, null, '2026-11-19T09:00:00.000Z');
        else pay.run(id, p, 7, '2026-11-21T09:00:00.000Z');
      });
      for (const p of fresh) pay.run(id, p, null, '2026-11-21T09:00:00.000Z');
    });
    const rows = db.prepare(`SELECT i.id, ${OUTSTANDING_SQL} AS due FROM invoices i ORDER BY i.id`).all() as {
      id: number;
      due: number;
    }[];
    expect(rows).toHaveLength(cases.length);
    for (const { id, due } of rows) {
      const [amount, paid, payments, fresh] = cases[id]!;
      const sum = payments.reduce((a, b) => a + b, 0);
      const freshSum = fresh.reduce((a, b) => a + b, 0);
      expect(due).toBe(outstanding(amount as Cents, paid as Cents, sum as Cents, freshSum));
    }
    db.close();
  });
});
