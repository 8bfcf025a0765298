import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteOf } from '../../src/adapters/db/connection.js';
import { InvoiceImportStore } from '../../src/adapters/db/invoice-import-store.js';
import { openStore } from '../../src/adapters/db/open.js';
import { importHeader, invoiceRow } from './generated.js';

const dir = mkdtempSync(join(tmpdir(), 'recouvre-import-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('InvoiceImportStore', () => {
  it('tells apart two client codes that share a fingerprint', async () => {
    const store = await openStore(join(dir, 'collision.db'), { create: true });
    const sqlite = sqliteOf(store);
    sqlite.exec('BEGIN');
    const writer = new InvoiceImportStore(store, importHeader('2026-04-01T08:00:00.000Z'), '2026-04-01');
    // The reader's fingerprints of two codes, made equal here: in a file, a chance in 2^64.
    const clientKey = { hi: 7, lo: 7 };
    const lines = [
      invoiceRow('F1', 'C1', 100),
      invoiceRow('F2', 'C2', 200),
      invoiceRow('F3', 'C1', 300),
      invoiceRow('F4', 'C2', 400),
    ];
    lines.forEach((line, k) => {
      const mark = { repeat: false, stored: -1, fingerprint: { hi: 1, lo: k + 1 }, clientKey };
      expect(writer.upsertInvoice(line, k + 2, mark).kind).toBe('created');
    });
    writer.finish({});
    sqlite.exec('COMMIT');
    expect(
      sqlite
        .prepare(
          'SELECT i.number, c.code FROM invoices i JOIN clients c ON c.id = i.client_id ORDER BY i.number',
        )
        .raw()
        .all(),
    ).toEqual([
      ['F1', 'C1'],
      ['F2', 'C2'],
      ['F3', 'C1'],
      ['F4', 'C2'],
    ]);
    expect(sqlite.prepare('SELECT count(*) FROM clients').pluck().get()).toBe(2);
    await store.close();
  });
});
