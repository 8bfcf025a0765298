import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { OUTSTANDING_SQL } from '../../src/adapters/db/balances.js';
import { outstanding } from '../../src/domain/invoice-row.js';
import type { Cents } from '../../src/domain/money.js';

describe('OUTSTANDING_SQL', () => {
  it('agrees with the domain rule on every combination of amount, declared paid and payments', () => {
    const db = new Database(':memory:');
    db.exec(`CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount_cents INTEGER, paid_cents INTEGER);
             CREATE TABLE payments (invoice_id INTEGER, amount_cents INTEGER);`);
    const cases: [number, number, number[]][] = [];
    for (const amount of [0, 10000, -5000, 1])
      for (const paid of [0, 1, 4000, 10000, -2000])
        for (const payments of [[], [3000], [2000, 9000], [-1000]]) cases.push([amount, paid, payments]);
    const insert = db.prepare('INSERT INTO invoices (id, amount_cents, paid_cents) VALUES (?, ?, ?)');
    const pay = db.prepare('INSERT INTO payments (invoice_id, amount_cents) VALUES (?, ?)');
    cases.forEach(([amount, paid, payments], id) => {
      insert.run(id, amount, paid);
      for (const p of payments) pay.run(id, p);
    });
    const rows = db.prepare(`SELECT i.id, ${OUTSTANDING_SQL} AS due FROM invoices i ORDER BY i.id`).all() as {
      id: number;
      due: number;
    }[];
    for (const { id, due } of rows) {
      const [amount, paid, payments] = cases[id]!;
      const sum = payments.reduce((a, b) => a + b, 0);
      expect(due).toBe(outstanding(amount as Cents, paid as Cents, sum as Cents));
    }
    db.close();
  });
});
