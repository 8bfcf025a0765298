import { describe, expect, it } from 'vitest';
import type { IsoDate } from '../../src/domain/dates.js';
import type { Cents } from '../../src/domain/money.js';
import {
  countBackDso,
  type InvoiceGroup,
  periodEnding,
  positionAt,
  prescriptionDate,
  prescriptionHorizon,
  prescriptionWarnings,
  ratio,
  recovery,
  SalesIndex,
  type Settlement,
  simpleDso,
  trendDates,
} from '../../src/domain/report.js';

const d = (s: string) => s as IsoDate;

function group(issue: string, due: string, amount: number, extra: Partial<InvoiceGroup> = {}): InvoiceGroup {
  return {
    currency: 'EUR',
    disputed: false,
    professional: true,
    creditNote: amount < 0,
    issueDate: d(issue),
    dueDate: d(due),
    count: 1,
    amount: amount as Cents,
    outstanding: amount as Cents,
    owing: amount as Cents,
    owingCount: 1,
    ...extra,
  };
}

function paid(issue: string, due: string, date: string, amount: number, disputed = false): Settlement {
  return {
    currency: 'EUR',
    disputed,
    issueDate: d(issue),
    dueDate: d(due),
    date: d(date),
    amount: amount as Cents,
    estimated: false,
  };
}

describe('DSO', () => {
  // Sales: 100 € in November 2026 up to the 30th, 100 € in October (31 days), 300 € in September.
  const sales = new SalesIndex([
    group('2026-11-10', '2026-12-10', 10000),
    group('2026-10-05', '2026-11-04', 6000),
    group('2026-10-25', '2026-11-24', 4000),
    group('2026-09-15', '2026-10-15', 30000),
  ]);

  it('exhausts the receivables with the sales of each month going back (count-back)', () => {
    // 150 € of receivables: November's 100 € cover 30 days, then 50 of October's 100 € → 15,5 days.
    expect(countBackDso(15000, d('2026-11-30'), sales)).toEqual({
      method: 'epuisement',
      days: 45.5,
      atLeast: false,
    });
    // Within the month only: 50 € of the 100 € of 1–30 November → 15 days.
    expect(countBackDso(5000, d('2026-11-30'), sales).days).toBe(15);
    // On the 20th, November so far counts 20 days (its 100 € were issued on the 10th).
    expect(countBackDso(10000, d('2026-11-20'), sales).days).toBe(20);
  });

  it('says "at least" when the receivables exceed every month looked at, and gives 0 without receivables', () => {
    const result = countBackDso(1_000_000, d('2026-11-30'), sales);
    expect(result.atLeast).toBe(true);
    expect(result.days).toBeGreaterThan(700);
    expect(countBackDso(0, d('2026-11-30'), sales)).toEqual({
      method: 'epuisement',
      days: 0,
      atLeast: false,
    });
    // No sales at all in two years: every day of them, as a lower bound.
    expect(countBackDso(100, d('2026-11-30'), new SalesIndex([]))).toMatchObject({
      days: 730,
      atLeast: true,
    });
  });

  it('divides receivables by the sales of the period with the simple formula', () => {
    // 30 days to 30 November: sales 100 € (the 10 Nov invoice); 150 € of receivables → 45 days.
    expect(simpleDso(15000, periodEnding(d('2026-11-30'), 30), sales)).toEqual({
      method: 'simple',
      days: 45,
      atLeast: false,
    });
    // No sales in the period: no figure rather than a division by zero.
    expect(simpleDso(15000, periodEnding(d('2026-08-31'), 30), sales).days).toBeNull();
  });
});

describe('trend and positions', () => {
  it('places the points at the last month-ends, then the report date', () => {
    expect(trendDates(d('2026-03-15'), 4)).toEqual(['2025-12-31', '2026-01-31', '2026-02-28', '2026-03-15']);
    expect(trendDates(d('2024-03-01'), 2)).toEqual(['2024-02-29', '2024-03-01']);
  });

  it('counts an invoice overdue from the day after its due date until it is paid', () => {
    const groups = [group('2026-01-10', '2026-02-28', 10000), group('2026-02-01', '2026-03-31', 5000)];
    const settlements = [paid('2026-01-10', '2026-02-28', '2026-03-10', 4000)];
    // 28 February: issued 150 €, nothing due before that day yet (the first is due that very day).
    expect(positionAt(groups, settlements, d('2026-02-28'))).toEqual({ overdue: 0, receivables: 15000 });
    // 31 March: the first is late, 40 € of it paid on 10 March; the second is due that day.
    expect(positionAt(groups, settlements, d('2026-03-31'))).toEqual({ overdue: 6000, receivables: 11000 });
    // Before the invoices existed, nothing.
    expect(positionAt(groups, settlements, d('2025-12-31'))).toEqual({ overdue: 0, receivables: 0 });
  });

  it('keeps disputed invoices out of the overdue amount but in the receivables', () => {
    const groups = [group('2026-01-10', '2026-02-10', 10000, { disputed: true })];
    expect(positionAt(groups, [], d('2026-03-31'))).toEqual({ overdue: 0, receivables: 10000 });
  });
});

describe('rates', () => {
  it('never divides by zero', () => {
    expect(ratio(0, 0)).toBeNull();
    expect(ratio(1, 3)).toBe(0.333);
  });

  it('measures recovery on what fell due in the period (credit notes aside)', () => {
    const period = periodEnding(d('2026-11-30'), 30);
    const figures = recovery(
      [
        group('2026-10-01', '2026-11-05', 10000, { outstanding: 2500 as Cents }),
        group('2026-10-01', '2026-11-20', 5000, { outstanding: 0 as Cents }),
        group('2026-10-01', '2026-11-20', -1000, { outstanding: -1000 as Cents }),
        group('2026-09-01', '2026-10-01', 7000, { outstanding: 7000 as Cents }),
      ],
      period,
    );
    expect(figures).toEqual({ due: 15000, collected: 12500, rate: 0.833 });
    expect(recovery([], period).rate).toBeNull();
  });
});

describe('prescription', () => {
  it('is 5 years from the due date between professionals, 2 years against a consumer', () => {
    expect(prescriptionDate(d('2021-12-15'), true)).toBe('2026-12-15');
    expect(prescriptionDate(d('2024-12-15'), false)).toBe('2026-12-15');
    expect(prescriptionDate(d('2024-02-29'), false)).toBe('2026-02-28');
  });

  it('warns 90 days ahead, and lists claims already time-barred', () => {
    const asOf = d('2026-11-26');
    // Due dates up to 24 Feb 2025 may warn (2 years before 90 days from now).
    expect(prescriptionHorizon(asOf)).toBe('2025-02-24');
    const base = {
      clientCode: 'C1',
      clientName: 'Client',
      outstanding: 1000 as Cents,
      currency: 'EUR',
      interruptedOn: null,
    };
    const warnings = prescriptionWarnings(
      [
        { ...base, number: 'PRO-OLD', professional: true, dueDate: d('2021-12-20') }, // 20 Dec 2026: 24 days
        { ...base, number: 'PRO-RECENT', professional: true, dueDate: d('2024-01-10') }, // 2029
        { ...base, number: 'PART-SOON', professional: false, dueDate: d('2025-02-20') }, // 20 Feb 2027: 86 days
        { ...base, number: 'PART-LATER', professional: false, dueDate: d('2025-03-10') }, // 104 days
        { ...base, number: 'PART-GONE', professional: false, dueDate: d('2024-06-30') }, // barred
        { ...base, number: 'PAID', professional: false, dueDate: d('2024-06-30'), outstanding: 0 as Cents },
      ],
      asOf,
    );
    expect(warnings.map((w) => [w.number, w.daysLeft])).toEqual([
      ['PART-GONE', -149],
      ['PRO-OLD', 24],
      ['PART-SOON', 86],
    ]);
  });
});
