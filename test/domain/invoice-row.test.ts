import { describe, expect, it } from 'vitest';
import type { ColumnMap } from '../../src/domain/columns.js';
import { outstanding, readInvoiceRow } from '../../src/domain/invoice-row.js';
import type { Cents } from '../../src/domain/money.js';

const columns: ColumnMap = { number: 0, clientName: 1, issueDate: 2, dueDate: 3, amount: 4, paid: 5 };
const options = {
  columns,
  decimalMark: ',' as const,
  dateOrder: 'jma' as const,
  paymentTermDays: 30,
  defaultCurrency: 'EUR',
};
const read = (cells: string[], extra: Partial<typeof options> = {}) =>
  readInvoiceRow(cells, { ...options, ...extra });

describe('readInvoiceRow', () => {
  it('converts a valid line', () => {
    expect(read(['F1', 'ACME', '01/10/2026', '', '1 200,00 €', '200,00'])).toEqual({
      kind: 'invoice',
      row: {
        number: 'F1',
        clientCode: 'ACME',
        clientName: 'ACME',
        emails: '',
        clientKind: null,
        address: null,
        siren: null,
        phone: null,
        issueDate: '2026-10-01',
        dueDate: '2026-10-31',
        dueDateComputed: true,
        amount: 120000,
        paid: 20000,
        currency: 'EUR',
        exportStatus: null,
      },
    });
  });
  it('keeps a credit note negative, and checks its refunded part', () => {
    const note = read(['A1', 'ACME', '01/10/2026', '01/10/2026', '-50,00', '']);
    expect(note.kind === 'invoice' && note.row.amount).toBe(-5000);
    const wrong = read(['A1', 'ACME', '01/10/2026', '01/10/2026', '-50,00', '10,00']);
    expect(wrong.kind === 'invalid' && wrong.errors.map((e) => e.message)).toEqual([
      'pour un avoir de -50,00\u00a0€, le réglé doit être entre -50,00\u00a0€ et 0',
    ]);
  });
  it('lists every problem of a line', () => {
    const result = read(['', 'ACME', '31/02/2026', 'demain', '12,3O', '-1,00']);
    expect(result.kind).toBe('invalid');
    if (result.kind !== 'invalid') return;
    expect(result.errors.map((e) => [e.field, e.message])).toEqual([
      ['number', 'numéro de facture vide : chaque ligne doit avoir un numéro'],
      ['amount', "ce n'est pas un montant (attendu : 1 234,56)"],
      ['issueDate', "le 31/02/2026 n'existe pas"],
      ['dueDate', "ce n'est pas une date (attendu : jj/mm/aaaa)"],
    ]);
  });
  it('checks paid against remaining when both are given', () => {
    const cols: ColumnMap = { ...columns, remaining: 6 };
    const good = read(['F1', 'A', '01/10/2026', '', '100,00', '40,00', '60,00'], { columns: cols });
    expect(good.kind === 'invoice' && good.row.paid).toBe(4000);
    const bad = read(['F1', 'A', '01/10/2026', '', '100,00', '40,00', '50,00'], { columns: cols });
    expect(bad.kind === 'invalid' && bad.errors[0]?.field).toBe('remaining');
  });
  it('takes the currency from a column, else from the amount, else the default', () => {
    const cols: ColumnMap = { ...columns, currency: 6 };
    const fromColumn = read(['F1', 'A', '01/10/2026', '', '10,00', '', 'chf'], { columns: cols });
    expect(fromColumn.kind === 'invoice' && fromColumn.row.currency).toBe('CHF');
    const fromSign = read(['F1', 'A', '01/10/2026', '', '$10,00', '']);
    expect(fromSign.kind === 'invoice' && fromSign.row.currency).toBe('USD');
    const bad = read(['F1', 'A', '01/10/2026', '', '10,00', '', 'euros!'], { columns: cols });
    expect(bad.kind).toBe('invalid');
  });
});

describe('outstanding', () => {
  const c = (n: number) => n as Cents;
  it('counts the larger of the declared paid amount and the recorded payments', () => {
    expect(outstanding(c(10000), c(4000), c(6000))).toBe(4000);
    expect(outstanding(c(10000), c(4000), c(0))).toBe(6000);
    expect(outstanding(c(10000), c(10000), c(10000))).toBe(0);
    expect(outstanding(c(-5000), c(0), c(-2000))).toBe(-3000);
  });
  it('adds a payment typed by hand after the last import on top of the declared amount', () => {
    expect(outstanding(c(10000), c(4000), c(0), 1000)).toBe(5000);
    expect(outstanding(c(10000), c(4000), c(6000), 1000)).toBe(3000);
  });
});
