import { describe, expect, it } from 'vitest';
import { loadRateTables } from '../../src/adapters/rate-tables.js';
import type { IsoDate } from '../../src/domain/dates.js';
import type { Cents } from '../../src/domain/money.js';
import { computePenalties, type PenaltyInvoice, type PenaltyTerms } from '../../src/domain/penalties.js';
import { buildRateTables, ecbRateFor, halfYearOf, legalRateFor, parseRate } from '../../src/domain/rates.js';

const tables = loadRateTables({ bce: {}, interet_legal: {} });
const d = (s: string) => s as IsoDate;
const c = (n: number) => n as Cents;
const LEGAL: PenaltyTerms = { contractualRate: null, freezeFirstHalfYear: false, noticeReceiptDays: 3 };

function invoice(over: Partial<PenaltyInvoice>): PenaltyInvoice {
  return {
    amount: c(100000),
    declaredPaid: c(0),
    payments: [],
    extraCredits: [],
    dueDate: d('2024-07-31'),
    clientKind: 'professionnel',
    formalNoticeDate: null,
    ...over,
  };
}

describe('rate tables', () => {
  it('takes the ECB rate in force on 1 January or 1 July, from the shipped table', () => {
    // 2024-H2: 4,25 % since 12/06/2024; 2025-H1: 3,15 % since 18/12/2024; 2022-H2: 0 (the hike came on 27/07).
    expect(ecbRateFor(tables, halfYearOf(d('2024-11-03'))).rate).toBe(425);
    expect(ecbRateFor(tables, halfYearOf(d('2025-02-01'))).rate).toBe(315);
    expect(ecbRateFor(tables, halfYearOf(d('2022-12-31'))).rate).toBe(0);
    expect(ecbRateFor(tables, halfYearOf(d('2026-03-01')))).toEqual({
      rate: 215,
      estimated: false,
      source: '2026-01-01',
    });
  });

  it('says when a half-year lies past the table, and uses the last known rate', () => {
    expect(ecbRateFor(tables, halfYearOf(d('2026-11-20')))).toMatchObject({ rate: 215, estimated: true });
    expect(legalRateFor(tables, halfYearOf(d('2026-11-20')))).toEqual({
      rate: 262,
      estimated: true,
      source: '2026-S1',
    });
    expect(legalRateFor(tables, halfYearOf(d('2024-08-01')))).toEqual({
      rate: 492,
      estimated: false,
      source: '2024-S2',
    });
  });

  it('lets the user add a rate, which then ends the estimate', () => {
    const extended = loadRateTables({ bce: { '2026-06-10': 2.4 }, interet_legal: { '2026-S2': 2.5 } });
    expect(ecbRateFor(extended, halfYearOf(d('2026-11-20')))).toMatchObject({ rate: 240, estimated: true });
    const confirmed = loadRateTables({ bce: { '2026-07-01': 2.15 }, interet_legal: {} });
    expect(ecbRateFor(confirmed, halfYearOf(d('2026-11-20')))).toMatchObject({ rate: 215, estimated: false });
    expect(legalRateFor(extended, halfYearOf(d('2026-11-20')))).toMatchObject({
      rate: 250,
      estimated: false,
    });
  });

  it('reads percentages exactly as basis points, and reports unreadable rows', () => {
    expect(parseRate('2.15')).toBe(215);
    expect(parseRate('12,5')).toBe(1250);
    expect(parseRate(0.05)).toBe(5);
    expect(parseRate('2.155')).toBeNull();
    expect(buildRateTables([['2026-13-01', '2']], [['2026-S3', '1']]).errors).toHaveLength(2);
  });
});

describe('computePenalties: professional client (BCE + 10 points, €40 per invoice)', () => {
  it('30 days in 2024-H2 at 14,25 %: 1 000 € × 14,25 % × 30 / 365 = 11,7123 € → 11,71 €', () => {
    const p = computePenalties(invoice({}), LEGAL, tables, d('2024-08-30'));
    expect(p.interest).toBe(1171);
    expect(p.indemnity).toBe(4000);
    expect(p.periods).toEqual([
      expect.objectContaining({ from: '2024-08-01', to: '2024-08-30', days: 30, base: 100000, rate: 1425 }),
    ]);
    expect(p.warnings).toEqual([]);
  });

  it('applies each half-year its own rate across a change (14,25 % then 13,15 %)', () => {
    // 10 000 € due 15/12/2024: 16 days (16–31/12) at 14,25 % + 14 days (1–14/01) at 13,15 %.
    // 10 000 × (0,1425 × 16 + 0,1315 × 14) / 365 = 10 000 × 4,121 / 365 = 112,9041 € → 112,90 €.
    const p = computePenalties(
      invoice({ amount: c(1000000), dueDate: d('2024-12-15') }),
      LEGAL,
      tables,
      d('2025-01-14'),
    );
    expect(p.interest).toBe(11290);
    expect(p.periods.map((x) => [x.days, x.rate])).toEqual([
      [16, 1425],
      [14, 1315],
    ]);
  });

  it('can freeze the first half-year’s rate: 30 days at 14,25 % = 117,1233 € → 117,12 €', () => {
    const p = computePenalties(
      invoice({ amount: c(1000000), dueDate: d('2024-12-15') }),
      { ...LEGAL, freezeFirstHalfYear: true },
      tables,
      d('2025-01-14'),
    );
    expect(p.interest).toBe(11712);
  });

  it('counts a partial payment from the day after it: 10 days on 1 000 €, 20 days on 600 €', () => {
    // (1 000 × 10 + 600 × 20) × 14,25 % / 365 = 22 000 × 0,1425 / 365 = 8,5890 € → 8,59 €.
    const p = computePenalties(
      invoice({ payments: [{ date: d('2024-08-10'), amount: c(40000) }] }),
      LEGAL,
      tables,
      d('2024-08-30'),
    );
    expect(p.interest).toBe(859);
    expect(p.periods.map((x) => [x.from, x.to, x.base])).toEqual([
      ['2024-08-01', '2024-08-10', 100000],
      ['2024-08-11', '2024-08-30', 60000],
    ]);
  });

  it('takes a paid amount without a date (from the export) as paid from the start', () => {
    // 400 € declared paid: 600 € × 14,25 % × 30 / 365 = 7,0274 € → 7,03 €.
    const p = computePenalties(invoice({ declaredPaid: c(40000) }), LEGAL, tables, d('2024-08-30'));
    expect(p.interest).toBe(703);
  });

  it('matches published worked examples (15 % contractual, 3 × taux légal floor)', () => {
    // Les Echos 2018: 15 000 € at 15 %, due 15/04, paid 15/05 → 30 days → 184,93 €.
    const echos = computePenalties(
      invoice({ amount: c(1500000), dueDate: d('2018-04-15') }),
      { contractualRate: parseRate('15')!, freezeFirstHalfYear: false, noticeReceiptDays: 3 },
      tables,
      d('2018-05-15'),
    );
    expect(echos.interest).toBe(18493);
    // Shine: 3 000 € for 30 days at 14,76 % (= 3 × 4,92 %, 2024-H2) → 36,39 €. A 10 % clause is
    // below that floor: the floor applies, with a warning.
    const shine = computePenalties(
      invoice({ amount: c(300000) }),
      { contractualRate: parseRate('10')!, freezeFirstHalfYear: false, noticeReceiptDays: 3 },
      tables,
      d('2024-08-30'),
    );
    expect(shine.interest).toBe(3639);
    expect(shine.periods[0]?.basis).toBe('plancher');
    expect(shine.warnings[0]).toContain("inférieur à trois fois le taux de l'intérêt légal");
  });

  it('rounds half up, once per invoice: 3,65 € × 10 % × 5 / 365 = 0,5 cent → 1 cent', () => {
    const p = computePenalties(
      invoice({ amount: c(365), dueDate: d('2024-07-31') }),
      { contractualRate: parseRate('10')!, freezeFirstHalfYear: false, noticeReceiptDays: 3 },
      { ...tables, legal: new Map([['2024-S2', parseRate('1')!]]) },
      d('2024-08-05'),
    );
    expect(p.interest).toBe(1);
  });

  it('stays exact when amount × rate × days passes 2^53', () => {
    // 900 000 000 € for 184 days (1/07–31/12/2016) at 10,00 %: 9e10 × 1000 × 184 = 1,656e16 > 2^53.
    // 900 000 000 × 0,10 × 184 / 365 = 45 369 863,0137 € → 4 536 986 301 cents.
    const p = computePenalties(
      invoice({ amount: c(90_000_000_000), dueDate: d('2016-06-30') }),
      LEGAL,
      tables,
      d('2016-12-31'),
    );
    expect(p.interest).toBe(4536986301);
  });

  it('warns when the run date is past the shipped table', () => {
    const p = computePenalties(invoice({ dueDate: d('2026-10-20') }), LEGAL, tables, d('2026-11-20'));
    // 31 days at 12,15 % (2,15 % + 10): 1 000 × 0,1215 × 31 / 365 = 10,3192 € → 10,32 €.
    expect(p.interest).toBe(1032);
    expect(p.warnings).toEqual([expect.stringContaining('taux BCE du 2e semestre 2026 inconnu')]);
  });

  it('owes nothing on the due date itself', () => {
    const p = computePenalties(invoice({}), LEGAL, tables, d('2024-07-31'));
    expect(p).toMatchObject({ interest: 0, indemnity: 0 });
  });
});

describe('computePenalties: private client (legal rate from the formal notice, no indemnity)', () => {
  it('owes no interest before a mise en demeure, and never the €40', () => {
    const p = computePenalties(invoice({ clientKind: 'particulier' }), LEGAL, tables, d('2024-09-30'));
    expect(p).toMatchObject({ interest: 0, indemnity: 0 });
    expect(p.noInterestReason).toContain('mise en demeure');
  });

  it('runs at the « autres cas » legal rate from the day after the notice', () => {
    // Notice on 15/09/2024: 15 days (16–30/09) at 4,92 %: 1 000 × 0,0492 × 15 / 365 = 2,0219 € → 2,02 €.
    const p = computePenalties(
      invoice({ clientKind: 'particulier', formalNoticeDate: d('2024-09-15') }),
      LEGAL,
      tables,
      d('2024-09-30'),
    );
    expect(p).toMatchObject({ interest: 202, indemnity: 0 });
    expect(p.periods[0]).toMatchObject({ rate: 492, basis: 'legal' });
  });
});
