import { describe, expect, it } from 'vitest';
import { BatchWriter, handBatch } from '../../src/app/invoice-import/batch.js';
import type { RowItem } from '../../src/app/invoice-import/reader.js';
import type { IsoDate } from '../../src/domain/dates.js';
import type { InvoiceRow } from '../../src/domain/invoice-row.js';
import type { Cents } from '../../src/domain/money.js';

const row = (
  number: string,
  issueDate: string,
  dueDate: string,
  extra: Partial<InvoiceRow> = {},
): InvoiceRow => ({
  number,
  clientCode: 'C1',
  clientName: 'Société Générale des Eaux',
  emails: 'a@b.fr, c@d.fr',
  clientKind: null,
  address: null,
  siren: null,
  phone: null,
  issueDate: issueDate as IsoDate,
  dueDate: dueDate as IsoDate,
  dueDateComputed: false,
  amount: 12345 as Cents,
  paid: 0 as Cents,
  paidOn: null,
  currency: 'EUR',
  exportStatus: null,
  ...extra,
});

describe('a batch of checked lines, from the reading thread to the writer', () => {
  it('brings every field back as it was, dates and missing values included, in file order', () => {
    const rows = [
      row('F1', '2026-03-02', '2026-04-01'),
      row('F2', '1900-01-01', '2999-12-31', {
        clientKind: 'particulier',
        address: '3 rue des Lilas\n75011 Paris',
        siren: '123456789',
        phone: '01 02 03 04 05',
        paid: 2000 as Cents,
        paidOn: '2024-02-29' as IsoDate,
        currency: 'USD',
        dueDateComputed: true,
        exportStatus: 'Refusée',
      }),
      row('F3', '2024-02-29', '2024-02-29', { amount: -500 as Cents, paid: -500 as Cents }),
    ];
    const writer = new BatchWriter(10, false, 32);
    rows.forEach((r, k) => {
      writer.addInvoice(
        k + 2,
        r,
        {
          fingerprint: { hi: k, lo: -k },
          repeat: k === 2,
          clientRef: 7,
          stored: -1,
          clientKey: { hi: 1, lo: 2 },
        },
        undefined,
      );
    });
    writer.addOther({ kind: 'skipped', line: 5, number: 'F4', cancelled: true });
    const seen: RowItem[] = [];
    handBatch(writer.take().batch, { onItem: (item) => seen.push(item), onUnchanged: () => {} });
    expect(seen.map((item) => (item.kind === 'invoice' ? item.row : item))).toEqual([
      ...rows,
      { kind: 'skipped', line: 5, number: 'F4', cancelled: true },
    ]);
    expect(seen.map((item) => item.line)).toEqual([2, 3, 4, 5]);
    expect(seen[2]).toMatchObject({
      repeat: true,
      fingerprint: { hi: 2, lo: -2 },
      clientKey: { hi: 1, lo: 2 },
    });
  });
});
