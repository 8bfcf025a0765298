import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteOf } from '../../src/adapters/db/connection.js';
import { openInvoiceBatches } from '../../src/adapters/db/dunning-store.js';
import { openStore } from '../../src/adapters/db/open.js';
import { type ReportJob, reportData } from '../../src/adapters/db/report-store.js';
import type { IsoDate } from '../../src/domain/dates.js';
import { periodEnding } from '../../src/domain/report.js';

// The worker runs compiled: `npm test` builds before it tests.
const { inReportWorker, FIRST_BATCHES, BATCHES_AHEAD } = (await import(
  new URL('../../dist/src/adapters/db/report-store.js', import.meta.url).href
)) as typeof import('../../src/adapters/db/report-store.js');

const dir = mkdtempSync(join(tmpdir(), 'recouvre-report-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const asOf = '2026-11-20' as IsoDate;

async function storeOf(clients: number) {
  const store = await openStore(join(dir, `${clients}.db`), { create: true });
  const sqlite = sqliteOf(store);
  const addClient = sqlite.prepare('INSERT INTO clients (id, code, name) VALUES (?, ?, ?)');
  const addInvoice = sqlite.prepare(
    `INSERT INTO invoices (number, client_id, issue_date, due_date, amount_cents) VALUES (?, ?, '2026-09-01', ?, ?)`,
  );
  for (let c = 1; c <= clients; c++) {
    addClient.run(c, `C${c}`, `Client ${c}`);
    for (let k = 0; k < 3; k++)
      addInvoice.run(`F${c}-${k}`, c, k === 2 ? '2027-01-10' : '2026-10-0' + (k + 1), 100 * c + k);
  }
  return store;
}

describe('the report worker', () => {
  it('hands over every batch of the plan in order, past those it sends at once, and the grouped invoices', async () => {
    const clients = FIRST_BATCHES + 3 * BATCHES_AHEAD + 5;
    const store = await storeOf(clients);
    const period = periodEnding(asOf, 30);
    const job: ReportJob = { period, asOf, dueUntil: asOf, batchClients: 1 };
    const worker = inReportWorker(store.path, job);
    const received = [];
    for await (const batch of worker.batches) {
      received.push(batch);
      // A slow plan: the worker waits for it rather than read ahead.
      if (received.length % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const expected = [...openInvoiceBatches(store, asOf, asOf, 1)];
    expect(received.length).toBe(clients);
    expect(received).toEqual(expected);
    expect(await worker.result).toEqual(reportData(sqliteOf(store), period));
    await store.close();
  });

  it('stops when the plan fails, even while it waits for the plan to catch up', async () => {
    const store = await storeOf(FIRST_BATCHES + BATCHES_AHEAD + 20);
    const worker = inReportWorker(store.path, {
      period: periodEnding(asOf, 30),
      asOf,
      dueUntil: asOf,
      batchClients: 1,
    });
    let taken = 0;
    for await (const _ of worker.batches) if (++taken === 3) break;
    // By now it has sent its first batches and waits: stopping it ends it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await worker.stop();
    expect(Date.now() - started).toBeLessThan(2000);
    await store.close();
  });
});

describe('a report worker that fails', () => {
  it('says why with the error’s code, on both sides', async () => {
    const path = join(dir, 'pas-une-base.db');
    writeFileSync(
      path,
      'ceci n’est pas une base SQLite, mais un texte assez long pour en avoir la taille. '.repeat(80),
    );
    const worker = inReportWorker(path, {
      period: periodEnding(asOf, 30),
      asOf,
      dueUntil: asOf,
      batchClients: 1,
    });
    await expect(worker.result).rejects.toMatchObject({ code: 'SQLITE_NOTADB' });
    await expect(
      (async () => {
        for await (const _ of worker.batches) {
        }
      })(),
    ).rejects.toMatchObject({ code: 'SQLITE_NOTADB' });
  });
});
