import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { OUTSTANDING_SQL } from '../../src/adapters/db/balances.js';
import { sqliteOf } from '../../src/adapters/db/connection.js';
import { InvoiceImportStore } from '../../src/adapters/db/invoice-import-store.js';
import { openStore } from '../../src/adapters/db/open.js';
import { hashString, seedOf } from '../../src/adapters/line-fingerprint.js';
import { addDays, type IsoDate } from '../../src/domain/dates.js';
import { importHeader, invoiceRow, seededRandom } from './generated.js';

const dir = mkdtempSync(join(tmpdir(), 'recouvre-totals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SUMS = 'n, amount, outstanding, owing, owing_count, declared, closed';

/** What the store keeps, and what summing every invoice's contribution now gives. */
function keptAndRecomputed(sqlite: SQLite.Database) {
  return {
    kept: sqlite.prepare(`SELECT k, ${SUMS} FROM invoice_totals WHERE n <> 0 ORDER BY k`).all(),
    recomputed: sqlite
      .prepare(
        `SELECT k, count(*) AS n, sum(amount) AS amount, sum(outstanding) AS outstanding, sum(owing) AS owing,
                sum(owing_count) AS owing_count, sum(declared) AS declared, sum(closed) AS closed
         FROM invoice_contributions GROUP BY k ORDER BY k`,
      )
      .all(),
  };
}

describe('the report’s invoice totals', () => {
  it('are kept equal to the sum of the invoices’ contributions through every kind of change', async () => {
    const sqlite = sqliteOf(await openStore(join(dir, 'changes.db'), { create: true }));
    const random = seededRandom(11);
    const pick = <T>(values: readonly T[]): T => values[random(values.length)] as T;
    const addImport = sqlite.prepare(
      `INSERT INTO imports (started_at, file_name, file_path, sha256, kind, encoding, separator)
       VALUES (?, 'f.csv', '/f.csv', '${'0'.repeat(64)}', ?, 'utf8', ';')`,
    );
    let clock = Date.parse('2026-01-01T08:00:00.000Z');
    const tick = () => {
      clock += 3_600_000;
      return new Date(clock).toISOString();
    };
    addImport.run(tick(), 'factures');
    for (let c = 1; c <= 8; c++) {
      sqlite
        .prepare('INSERT INTO clients (code, name, kind) VALUES (?, ?, ?)')
        .run(`C${c}`, `Client ${c}`, c % 3 === 0 ? 'particulier' : 'professionnel');
    }
    const addInvoice = sqlite.prepare(
      `INSERT INTO invoices (number, client_id, issue_date, due_date, amount_cents, paid_cents, paid_on, currency,
         created_import_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT max(id) FROM imports))`,
    );
    let numbers = 0;
    const newInvoice = () => {
      const issue = addDays('2026-01-05' as IsoDate, random(200));
      const credit = random(8) === 0;
      const amount = credit ? -(100 + random(5000)) : 100 + random(90000);
      const paid = pick([0, 0, amount, Math.trunc(amount / 3)]);
      addInvoice.run(
        `F${++numbers}`,
        1 + random(8),
        issue,
        addDays(issue, pick([0, 30, 60])),
        amount,
        paid,
        paid !== 0 && random(3) === 0 ? addDays(issue, 10) : null,
        random(6) === 0 ? 'USD' : 'EUR',
      );
    };
    const anInvoice = () => 1 + random(numbers);
    const aPayment = () => sqlite.prepare('SELECT id FROM payments ORDER BY random() LIMIT 1').pluck().get();
    const invoice = (id: number) =>
      sqlite.prepare('SELECT amount_cents AS amount FROM invoices WHERE id = ?').get(id) as {
        amount: number;
      };

    // Each change the application makes, and a few it does not make yet, in random order.
    const changes: Array<() => void> = [
      newInvoice,
      () => {
        const id = anInvoice();
        const { amount } = invoice(id);
        sqlite
          .prepare(
            'UPDATE invoices SET paid_cents = ?, updated_import_id = (SELECT max(id) FROM imports) WHERE id = ?',
          )
          .run(pick([0, amount, Math.trunc(amount / 2)]), id);
      },
      () => {
        const id = anInvoice();
        sqlite.prepare('UPDATE invoices SET disputed = 1 - disputed WHERE id = ?').run(id);
      },
      () => {
        sqlite
          .prepare(
            'UPDATE invoices SET closed_import_id = CASE WHEN closed_import_id IS NULL THEN (SELECT max(id) FROM imports) END WHERE id = ?',
          )
          .run(anInvoice());
      },
      () => {
        const id = anInvoice();
        sqlite
          .prepare(
            'UPDATE invoices SET due_date = date(due_date, ?), client_id = ?, currency = ? WHERE id = ?',
          )
          .run(`+${random(40)} days`, 1 + random(8), pick(['EUR', 'USD']), id);
      },
      () => {
        sqlite
          .prepare(
            "UPDATE clients SET kind = CASE kind WHEN 'professionnel' THEN 'particulier' ELSE 'professionnel' END WHERE id = ?",
          )
          .run(1 + random(8));
      },
      () => {
        // A payment from a file, or typed by hand (on top of the export's « Réglé » until the next import).
        const id = anInvoice();
        const { amount } = invoice(id);
        if (amount <= 0) return;
        const fromFile = random(2) === 0;
        const importId = fromFile ? addImport.run(tick(), 'paiements').lastInsertRowid : null;
        sqlite
          .prepare(
            'INSERT INTO payments (invoice_id, date, amount_cents, source, import_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(id, '2026-06-01', 1 + random(amount), fromFile ? 'fichier' : 'manuel', importId, tick());
      },
      () => {
        const payment = aPayment();
        if (payment !== undefined) {
          sqlite
            .prepare('UPDATE payments SET amount_cents = amount_cents + 1, invoice_id = ? WHERE id = ?')
            .run(anInvoice(), payment);
        }
      },
      () => {
        const payment = aPayment();
        if (payment !== undefined) sqlite.prepare('DELETE FROM payments WHERE id = ?').run(payment);
      },
      // A new invoice import: the payments typed by hand before it are now counted with the export's.
      () => addImport.run(tick(), 'factures'),
      () =>
        sqlite
          .prepare(
            "UPDATE imports SET started_at = ? WHERE id = (SELECT max(id) FROM imports WHERE kind = 'factures')",
          )
          .run(new Date(clock - random(20) * 3_600_000).toISOString()),
    ];
    const count = (sql: string) => sqlite.prepare(sql).pluck().get() as number;
    const handTyped = (freshness: '>' | '<') =>
      count(`SELECT count(*) FROM payments WHERE import_id IS NULL
             AND recorded_at ${freshness} (SELECT max(started_at) FROM imports WHERE kind = 'factures')`);
    let checkedWithBoth = 0;
    for (let k = 0; k < 30; k++) newInvoice();
    for (let step = 0; step < 600; step++) {
      pick(changes)();
      if (step % 50 === 49) {
        const { kept, recomputed } = keptAndRecomputed(sqlite);
        expect(kept).toEqual(recomputed);
        if (handTyped('>') > 0 && handTyped('<') > 0) checkedWithBoth++;
      }
    }
    // The contributions follow the application's own rule for what is still due.
    const rule = sqlite.prepare(`SELECT i.id, ${OUTSTANDING_SQL} AS o FROM invoices i ORDER BY i.id`).all();
    const contributions = sqlite
      .prepare('SELECT id, outstanding + closed AS o FROM invoice_contributions ORDER BY id')
      .all();
    expect(contributions).toEqual(rule);
    // Every kind of change happened.
    const { kept } = keptAndRecomputed(sqlite);
    expect(count('SELECT count(*) FROM invoices WHERE disputed = 1')).toBeGreaterThan(0);
    expect(count('SELECT count(*) FROM invoices WHERE closed_import_id IS NOT NULL')).toBeGreaterThan(0);
    // Some checks saw payments typed by hand both before and after the last invoice import.
    expect(checkedWithBoth).toBeGreaterThan(0);
    expect(kept.length).toBeGreaterThan(20);
  });

  it('of a first import into an empty store are summed by the import, as the triggers would have', async () => {
    const store = await openStore(join(dir, 'first.db'), { create: true });
    const sqlite = sqliteOf(store);
    // A client known before, whose kind the file changes: its invoices must count as private.
    sqlite.prepare("INSERT INTO clients (code, name, kind) VALUES ('C1', 'Ancien', 'professionnel')").run();
    const triggers = () =>
      sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name").pluck().all();
    const before = triggers();
    const row = (number: string, clientCode: string, amount: number, paid: number, more = {}) =>
      invoiceRow(number, clientCode, amount, paid, {
        clientKind: clientCode === 'C1' ? 'particulier' : null,
        ...more,
      });
    sqlite.exec('BEGIN');
    const writer = new InvoiceImportStore(store, importHeader('2026-04-01T08:00:00.000Z'), '2026-04-01');
    expect(triggers()).not.toEqual(before);
    const rows = [
      row('F1', 'C1', 10000, 0),
      row('F2', 'C1', 20000, 5000),
      row('F3', 'C2', 30000, 30000, { paidOn: '2026-03-20' as IsoDate }),
      row('F4', 'C2', -4000, -4000),
      row('F5', 'C3', 12345, 0, { currency: 'USD', dueDate: '2026-05-01' as IsoDate }),
      row('F6', 'C3', 5000, 1000, { issueDate: '2026-02-01' as IsoDate }),
      row('F7', 'C2', -2500, 0),
    ];
    rows.forEach((r, k) => {
      expect(
        writer.upsertInvoice(r, k + 2, {
          repeat: false,
          stored: -1,
          fingerprint: { hi: 1, lo: k },
          clientKey: hashString(r.clientCode, seedOf('client')),
        }).kind,
      ).toBe('created');
    });
    writer.finish({});
    sqlite.exec('COMMIT');
    expect(triggers()).toEqual(before);
    const { kept, recomputed } = keptAndRecomputed(sqlite);
    expect(kept).toEqual(recomputed);
    expect(kept.length).toBeGreaterThanOrEqual(6);
    // The triggers are back: a later change is counted.
    sqlite.prepare("UPDATE invoices SET disputed = 1 WHERE number = 'F1'").run();
    sqlite.prepare("UPDATE clients SET kind = 'professionnel' WHERE code = 'C1'").run();
    const after = keptAndRecomputed(sqlite);
    expect(after.kept).toEqual(after.recomputed);
  });
});
