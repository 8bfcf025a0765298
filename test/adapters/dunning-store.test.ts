import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteOf } from '../../src/adapters/db/connection.js';
import { batchInput, loadDunningInput, openInvoiceBatches } from '../../src/adapters/db/dunning-store.js';
import { openStore } from '../../src/adapters/db/open.js';
import type { IsoDate } from '../../src/domain/dates.js';

const dir = mkdtempSync(join(tmpdir(), 'recouvre-dunning-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadDunningInput', () => {
  it('reads every open invoice of the store, whatever slice of ids it falls in, as a client batch would', async () => {
    const store = await openStore(join(dir, 'slices.db'), { create: true });
    const sqlite = sqliteOf(store);
    sqlite
      .prepare(
        "INSERT INTO clients (id, code, name, emails) VALUES (1, 'C1', 'Un', 'un@example.fr'), (2, 'C2', 'Deux', '')",
      )
      .run();
    const add = sqlite.prepare(
      `INSERT INTO invoices (id, number, client_id, issue_date, due_date, amount_cents, paid_cents)
       VALUES (?, ?, ?, '2026-01-01', ?, ?, ?)`,
    );
    // Ids on both sides of the slice boundaries (65 536), a paid one, a credit note, one due later.
    const ids = [1, 65_535, 65_536, 65_537, 131_071, 131_072, 200_000];
    for (const id of ids) add.run(id, `F${id}`, 1 + (id % 2), '2026-02-01', 10_000 + id, 0);
    add.run(300_000, 'F-PAYEE', 1, '2026-02-01', 5_000, 5_000);
    add.run(300_001, 'F-AVOIR', 2, '2026-09-01', -2_500, 0);
    add.run(300_002, 'F-PLUS-TARD', 2, '2026-09-01', 7_000, 0);
    // Why an invoice is disputed or paused comes with its row.
    sqlite.exec(`UPDATE invoices SET disputed = 1, dispute_reason = 'livraison incomplète' WHERE id = 65535;
      UPDATE invoices SET paused = 1, paused_until = '2026-04-15', pause_reason = 'accord oral' WHERE id = 131072`);

    // Payments: one from a file (covered by the export's « Réglé »), one typed after the last import.
    sqlite.exec(`INSERT INTO imports (id, started_at, file_name, file_path, sha256, kind, encoding, separator)
                 VALUES (1, '2026-02-10T10:00:00.000Z', 'f.csv', '/f.csv', '${'0'.repeat(64)}', 'factures', 'utf8', ';')`);
    const pay = sqlite.prepare(
      'INSERT INTO payments (invoice_id, date, amount_cents, source, import_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    pay.run(1, '2026-02-05', 3_000, 'fichier', 1, '2026-02-10T10:00:00.000Z');
    pay.run(65_537, '2026-02-20', 4_000, 'manuel', null, '2026-02-20T09:00:00.000Z');
    pay.run(65_537, '2026-02-12', 1_000, 'manuel', null, '2026-02-20T09:00:00.000Z');

    const asOf = '2026-03-01' as IsoDate;
    const whole = loadDunningInput(store, asOf, { dueUntil: asOf });
    expect(whole.invoices.find((i) => i.id === 1)).toMatchObject({
      payments: [{ date: '2026-02-05', amount: 3_000 }],
      freshPayments: [],
    });
    expect(whole.invoices.find((i) => i.id === 65_537)).toMatchObject({
      payments: [],
      freshPayments: [
        { date: '2026-02-12', amount: 1_000 },
        { date: '2026-02-20', amount: 4_000 },
      ],
      outstanding: 75_537 - 5_000,
    });
    const expected = [...ids, 300_001];
    expect(whole.invoices.map((i) => i.id).sort((a, b) => a - b)).toEqual(expected);
    expect(whole.invoices.find((i) => i.id === 65_536)).toMatchObject({
      number: 'F65536',
      clientId: 1,
      dueDate: '2026-02-01',
      currency: 'EUR',
      amount: 75_536,
      outstanding: 75_536,
      creditDate: null,
    });
    expect(whole.invoices.find((i) => i.id === 300_001)).toMatchObject({ creditDate: '2026-01-01' });
    const flags = {
      disputed: false,
      disputeReason: null,
      paused: false,
      pausedUntil: null,
      pauseReason: null,
    };
    const disputed = { ...flags, disputed: true, disputeReason: 'livraison incomplète' };
    const paused = { ...flags, paused: true, pausedUntil: '2026-04-15', pauseReason: 'accord oral' };
    expect(whole.invoices.find((i) => i.id === 65_535)).toMatchObject(disputed);
    expect(whole.invoices.find((i) => i.id === 131_072)).toMatchObject(paused);
    expect(whole.invoices.find((i) => i.id === 1)).toMatchObject(flags);
    // One client's invoices are read row by row: the same reasons.
    const one = (clientId: number) => loadDunningInput(store, asOf, { dueUntil: asOf, clientId }).invoices;
    expect(one(2).find((i) => i.id === 65_535)).toMatchObject(disputed);
    expect(one(1).find((i) => i.id === 131_072)).toMatchObject(paused);

    // The same invoices, read one client at a time and two at a time (the report's batches).
    const inputsOf = (batchClients: number) =>
      [...openInvoiceBatches(store, asOf, asOf, batchClients)].map((batch) => batchInput(store, asOf, batch));
    const inputs = inputsOf(1);
    expect(inputs.map((input) => [...input.clients.keys()])).toEqual([[1], [2]]);
    const batched = inputs.flatMap((input) => input.invoices);
    const pairs = inputsOf(2).flatMap((input) => input.invoices);
    expect(pairs.map((i) => i.id).sort((a, b) => a - b)).toEqual(expected);
    expect(batched.map((i) => i.id).sort((a, b) => a - b)).toEqual(expected);
    expect(batched.sort((a, b) => a.id - b.id)).toEqual([...whole.invoices].sort((a, b) => a.id - b.id));
    expect(new Map(inputs.flatMap((input) => [...input.clients]))).toEqual(whole.clients);
    sqliteOf(store).close();
  });
});
