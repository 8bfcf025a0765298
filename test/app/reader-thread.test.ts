import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectSource, readSample } from '../../src/adapters/csv-source.js';
import { findLayout } from '../../src/app/csv-layout.js';
import type { RowItem, RowsRequest } from '../../src/app/invoice-import/reader.js';
import { INVOICE_CATALOGUE } from '../../src/domain/columns.js';

// The reading thread runs compiled: `npm test` builds before it tests.
const { ReaderThread, readCheckedRows, stopSpareReaders } = (await import(
  new URL('../../dist/src/app/invoice-import/reader.js', import.meta.url).href
)) as typeof import('../../src/app/invoice-import/reader.js');

const dir = mkdtempSync(join(tmpdir(), 'recouvre-reader-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function requestFor(lines: number): Promise<RowsRequest> {
  const file = join(dir, `factures-${lines}.csv`);
  const rows = Array.from(
    { length: lines },
    (_, k) =>
      `F${k + 1};C${k % 7};Client ${k % 7};02/03/2026;${k % 5 === 0 ? '31/02/2026' : '01/04/2026'};${k},50`,
  );
  writeFileSync(file, `N° facture;Code client;Client;Date;Échéance;Montant TTC\n${rows.join('\n')}\n`);
  const source = await inspectSource(file);
  const sample = await readSample(source);
  const layout = findLayout(source, sample, {
    separator: undefined,
    overrides: {},
    catalogue: INVOICE_CATALOGUE,
    what: 'factures',
  });
  return {
    source,
    separator: layout.separator,
    headerIndex: layout.headerIndex,
    width: layout.headers.length,
    rowOptions: {
      columns: layout.columns,
      decimalMark: ',',
      dateOrder: 'jma',
      paymentTermDays: 30,
      defaultCurrency: 'EUR',
    },
    keepCells: false,
    known: null,
    expectedLines: lines,
  };
}

async function itemsOf(request: RowsRequest, ahead?: InstanceType<typeof ReaderThread>) {
  const items: [number, string][] = [];
  const describe = (item: RowItem) =>
    item.kind === 'invoice' ? `${item.row.number} ${item.row.dueDate} ${item.row.amount}` : item.kind;
  await readCheckedRows(
    request,
    { onItem: (item) => items.push([item.line, describe(item)]), onUnchanged: () => {} },
    ahead,
  );
  return items;
}

describe('a reading thread started ahead', () => {
  it('reads what a thread started on demand reads, once; a second reading starts its own', async () => {
    const request = await requestFor(5000);
    const expected = await itemsOf(request);
    expect(expected).toHaveLength(5000);
    expect(expected.filter(([, text]) => text === 'invalid')).toHaveLength(1000);
    const ahead = new ReaderThread();
    expect(await itemsOf(request, ahead)).toEqual(expected);
    // Taken by the first reading: the next one starts a thread of its own.
    expect(await itemsOf(request, ahead)).toEqual(expected);
    await ahead.close();
  });

  it('reads the next file of the process in the same thread, with the same result', async () => {
    const request = await requestFor(3000);
    const expected = await itemsOf(request);
    const threadOf = (ahead: InstanceType<typeof ReaderThread>) =>
      (ahead as unknown as { worker: { threadId: number } }).worker.threadId;
    const first = new ReaderThread();
    const id = threadOf(first);
    expect(await itemsOf(request, first)).toEqual(expected);
    const second = new ReaderThread();
    expect(threadOf(second)).toBe(id);
    expect(await itemsOf(request, second)).toEqual(expected);
    // Unused, a thread that has read before waits for the next import rather than ending.
    const third = new ReaderThread();
    expect(threadOf(third)).toBe(id);
    await third.close();
    await stopSpareReaders();
    const fresh = new ReaderThread();
    expect(threadOf(fresh) === id).toBe(false);
    await fresh.close();
  });

  it('ends when it was never used', async () => {
    await stopSpareReaders();
    const ahead = new ReaderThread();
    const worker = (
      ahead as unknown as { worker: { threadId: number; once: (e: string, f: () => void) => void } }
    ).worker;
    const exited = new Promise<void>((resolve) => worker.once('exit', resolve));
    await ahead.close();
    await exited;
    expect(ahead.take()).toBeNull();
  });
});
