import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvoiceImportStore } from '../../src/adapters/db/invoice-import-store.js';
import { openStore } from '../../src/adapters/db/open.js';
import type { IsoDate } from '../../src/domain/dates.js';
import type { InvoiceRow } from '../../src/domain/invoice-row.js';
import type { Cents } from '../../src/domain/money.js';

const dir = mkdtempSync(join(tmpdir(), 'recouvre-import-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function row(number: string, clientCode: string, amount: number): InvoiceRow {
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
    paid: 0 as Cents,
    currency: 'EUR',
  };
}

describe('InvoiceImportStore', () => {
  it('tells apart two client codes that share a fingerprint', async () => {
    const store = await openStore(join(dir, 'collision.db'), { create: true });
    const { sqlite } = store;
    sqlite.exec('BEGIN');
    const writer = new InvoiceImportStore(
      sqlite,
      {
        startedAt: '2026-04-01T08:00:00.000Z',
        fileName: 'f.csv',
        filePath: '/f.csv',
        sha256: '0'.repeat(64),
        encoding: 'utf8',
        separator: ';',
        options: {},
      },
      '2026-04-01',
    );
    // The reader's fingerprints of two codes, made equal here: in a file, a chance in 2^64.
    const clientKey = { hi: 7, lo: 7 };
    const lines = [row('F1', 'C1', 100), row('F2', 'C2', 200), row('F3', 'C1', 300), row('F4', 'C2', 400)];
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
