import { describe, expect, it } from 'vitest';
import type { IsoDate } from '../../src/domain/dates.js';
import { lifecycleStatus, parseStatus, type StatusRow, statusChange } from '../../src/domain/lifecycle.js';
import type { Cents } from '../../src/domain/money.js';

const invoice = (outstanding = 50000, payments: { date: IsoDate; amount: Cents }[] = []) => ({
  amount: 50000 as Cents,
  outstanding: outstanding as Cents,
  currency: 'EUR',
  payments,
});

function row(code: number, amount: number | null = null, date = '2026-11-18'): StatusRow {
  return {
    invoiceNumber: 'F1',
    status: lifecycleStatus(code)!,
    date: date as IsoDate,
    reason: null,
    amount: amount as Cents | null,
  };
}

describe('parseStatus', () => {
  it('reads a code, a label, both, and what platforms also write', () => {
    expect(parseStatus('212')?.code).toBe(212);
    expect(parseStatus('Encaissée')?.code).toBe(212);
    expect(parseStatus('212 - Encaissée')?.code).toBe(212);
    expect(parseStatus('  EN LITIGE ')?.code).toBe(207);
    expect(parseStatus('Partiellement approuvée')?.code).toBe(206);
    expect(parseStatus('cancelled')?.code).toBe(220);
    expect(parseStatus('299')).toBeNull();
    expect(parseStatus('Payée peut-être')).toBeNull();
  });
});

describe('statusChange', () => {
  it('disputes 207 and 210, and a 206 without the accepted amount as a whole', () => {
    expect(statusChange(row(207), invoice(), 10).kind).toBe('dispute');
    expect(statusChange(row(210), invoice(), 10).kind).toBe('dispute');
    const whole = statusChange(row(206), invoice(), 10);
    expect(whole).toMatchObject({ kind: 'dispute' });
    expect(whole.kind === 'dispute' && whole.reason).toContain('toute la facture est tenue pour contestée');
  });

  it('holds the refused part of a 206 as contested, and refuses an accepted amount that is the whole', () => {
    expect(statusChange(row(206, 30000), invoice(), 10)).toMatchObject({
      kind: 'partial',
      disputedCents: 20000,
    });
    expect(statusChange(row(206, 50000), invoice(), 10)).toMatchObject({ kind: 'invalid', field: 'amount' });
  });

  it('pauses 208 until a later status, and 211 for the days the bank takes', () => {
    expect(statusChange(row(208), invoice(), 10)).toMatchObject({ kind: 'pause', until: null });
    expect(statusChange(row(211), invoice(), 10)).toMatchObject({ kind: 'pause', until: '2026-11-28' });
    expect(statusChange(row(211), invoice(), 3)).toMatchObject({ kind: 'pause', until: '2026-11-21' });
  });

  it('records a 212 once: never more than is due, never a payment already recorded near that day', () => {
    expect(statusChange(row(212), invoice(20000), 10)).toMatchObject({ kind: 'payment', amount: 20000 });
    expect(statusChange(row(212, 15000), invoice(20000), 10)).toMatchObject({
      kind: 'payment',
      amount: 15000,
    });
    expect(statusChange(row(212, 25000), invoice(20000), 10)).toMatchObject({
      kind: 'invalid',
      field: 'amount',
    });
    expect(statusChange(row(212), invoice(0), 10)).toMatchObject({
      kind: 'none',
      note: 'facture déjà soldée dans recouvre',
    });
    const bank = [{ date: '2026-11-12' as IsoDate, amount: 15000 as Cents }];
    expect(statusChange(row(212, 15000), invoice(35000, bank), 10)).toMatchObject({ kind: 'none' });
    // Same amount a month apart: another instalment.
    expect(statusChange(row(212, 15000, '2026-12-15'), invoice(35000, bank), 10)).toMatchObject({
      kind: 'payment',
    });
  });

  it('withdraws 213 and 220, and keeps the others in the history only', () => {
    expect(statusChange(row(213), invoice(), 10)).toMatchObject({ kind: 'withdraw', code: 213 });
    expect(statusChange(row(220), invoice(), 10)).toMatchObject({ kind: 'withdraw', code: 220 });
    for (const code of [200, 205, 209, 225]) expect(statusChange(row(code), invoice(), 10).kind).toBe('none');
  });
});
