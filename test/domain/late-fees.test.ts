import { describe, expect, it } from 'vitest';
import { frenchHolidays } from '../../src/adapters/holidays.js';
import { loadRateTables } from '../../src/adapters/rate-tables.js';
import type { IsoDate } from '../../src/domain/dates.js';
import { type DunningRules, type PastAction, totalDue } from '../../src/domain/dunning.js';
import {
  type LateFeeInput,
  lateFees,
  planLateFees,
  type SettledInvoice,
  settlementOf,
} from '../../src/domain/late-fees.js';
import type { Cents } from '../../src/domain/money.js';
import { DEFAULT_SETTINGS, type Step } from '../../src/domain/scenario.js';
import { dunningClient } from './builders.js';

const d = (s: string) => s as IsoDate;
const c = (n: number) => n as Cents;
// 2026-S1: ECB 2,15 % + 10 points = 12,15 %; the user confirms 2026-S2 at the same rate.
const rates = loadRateTables({ bce: { '2026-07-01': 2.15 }, interet_legal: { '2026-S2': 2.62 } });
const LATE_FEES: Step = { code: 'penalites', days: 10, channel: 'email', minAmount: null };

function rules(lateFeesStep: Step | null = LATE_FEES): DunningRules {
  return {
    settings: {
      ...DEFAULT_SETTINGS,
      scenarios: [{ ...DEFAULT_SETTINGS.scenarios[0]!, lateFees: lateFeesStep }],
    },
    penalties: { contractualRate: null, freezeFirstHalfYear: false, noticeReceiptDays: 3 },
    rates,
    holidays: frenchHolidays({ alsaceMoselle: false }),
    force: false,
  };
}

let nextId = 1;
function settled(
  clientId: number,
  due: string,
  amount: number,
  payments: [string, number][],
  over: Partial<SettledInvoice> = {},
): SettledInvoice {
  const id = nextId++;
  return {
    id,
    number: `F${id}`,
    clientId,
    currency: 'EUR',
    amount: c(amount),
    dueDate: d(due),
    disputed: false,
    settlement: payments.map(([date, cents]) => ({ date: d(date), amount: c(cents) })),
    ...over,
  };
}

const pro = dunningClient(1, { code: 'P1' });
const other = dunningClient(2, { code: 'P2' });
const consumer = dunningClient(3, { code: 'C3', kind: 'particulier' });

function input(invoices: SettledInvoice[], actions: PastAction[] = [], asOf = '2026-12-07'): LateFeeInput {
  return {
    asOf: d(asOf),
    clients: new Map([pro, other, consumer].map((k) => [k.id, k])),
    settled: invoices,
    actions,
    interruptions: new Map(),
  };
}

function action(
  clientId: number,
  step: string,
  date: string,
  invoiceIds: number[],
  receivedOn: string | null = null,
) {
  return {
    clientId,
    date: d(date),
    step,
    channel: 'email',
    done: true,
    receivedOn: receivedOn === null ? null : d(receivedOn),
    invoiceIds,
  };
}

describe('the settlement of an invoice, by date', () => {
  it('takes the dated payments up to the amount, and the export’s settlement date for the rest', () => {
    expect(settlementOf(c(100000), [{ date: d('2026-03-10'), amount: c(40000) }], d('2026-04-02'))).toEqual([
      { date: '2026-03-10', amount: 40000 },
      { date: '2026-04-02', amount: 60000 },
    ]);
    // Payments beyond the amount do not move the settlement.
    expect(
      settlementOf(
        c(50000),
        [
          { date: d('2026-05-02'), amount: c(30000) },
          { date: d('2026-04-01'), amount: c(30000) },
          { date: d('2026-06-01'), amount: c(10000) },
        ],
        null,
      ),
    ).toEqual([
      { date: '2026-04-01', amount: 30000 },
      { date: '2026-05-02', amount: 20000 },
    ]);
  });

  it('is unknown when part of the money has no date', () => {
    expect(settlementOf(c(100000), [{ date: d('2026-03-10'), amount: c(40000) }], null)).toBeNull();
    expect(settlementOf(c(100000), [], null)).toBeNull();
  });
});

describe('penalties of invoices paid late', () => {
  it('counts, between professionals, the interest up to the payment and the 40 € indemnity', () => {
    // 1 200 € due 31/03/2026 paid 30/04/2026: 1 200 × 12,15 % × 30 / 365 = 11,9836 €.
    const late = settled(1, '2026-03-31', 120000, [['2026-04-30', 120000]]);
    // Paid 200 € on 15/07 then 300 € on 20/08: 500 × 12,15 % × 15 / 365 + 300 × 12,15 % × 36 / 365 = 6,09 €.
    const partly = settled(1, '2026-06-30', 50000, [
      ['2026-07-15', 20000],
      ['2026-08-20', 30000],
    ]);
    const onTime = settled(1, '2026-07-31', 30000, [['2026-07-31', 30000]]);
    const fees = lateFees(input([late, partly, onTime]), rules());
    expect(
      fees.map((f) => [f.invoice.number, f.settledOn, f.daysLate, f.penalty.interest, f.penalty.indemnity]),
    ).toEqual([
      [late.number, '2026-04-30', 30, 1198, 4000],
      [partly.number, '2026-08-20', 51, 609, 4000],
    ]);
    expect(fees.every((f) => f.state === 'reclamable')).toBe(true);
    expect(fees[1]!.penalty.periods.map((p) => [p.from, p.to, p.base])).toEqual([
      ['2026-07-01', '2026-07-15', 50000],
      ['2026-07-16', '2026-08-20', 30000],
    ]);
  });

  it('owes nothing for a private client never put on notice; legal interest from the receipt of a mise en demeure', () => {
    const never = settled(3, '2026-04-30', 45000, [['2026-06-30', 45000]]);
    const noticed = settled(3, '2026-04-30', 100000, [['2026-07-31', 100000]]);
    const fees = lateFees(
      input([never, noticed], [action(3, 'mise_en_demeure', '2026-06-01', [noticed.id], '2026-06-05')]),
      rules(),
    );
    expect(fees[0]).toMatchObject({ state: 'rien', penalty: { interest: 0, indemnity: 0 } });
    // From 06/06 to 31/07 at the legal rate: 25 days at 2,62 % (S1) + 31 days at 2,62 % (S2).
    expect(fees[1]).toMatchObject({ state: 'reclamable', penalty: { indemnity: 0 } });
    expect(fees[1]!.penalty.periods[0]).toMatchObject({ from: '2026-06-06', basis: 'legal' });
    expect(fees[1]!.penalty.interest).toBe(Math.round((100000 * 262 * 56) / (365 * 10000)));
  });

  it('is claimed once; never for a disputed or a time-barred invoice, nor the 40 € in another currency', () => {
    const claimed = settled(1, '2026-03-31', 120000, [['2026-04-30', 120000]]);
    const disputed = settled(1, '2026-03-31', 50000, [['2026-05-30', 50000]], { disputed: true });
    const old = settled(1, '2021-03-31', 50000, [['2021-06-30', 50000]]);
    const dollars = settled(1, '2026-03-31', 50000, [['2026-04-30', 50000]], { currency: 'USD' });
    const fees = lateFees(
      input([claimed, disputed, old, dollars], [action(1, 'penalites', '2026-11-02', [claimed.id])]),
      rules(),
    );
    expect(fees.map((f) => [f.state, f.stateDate])).toEqual([
      ['deja_reclamee', '2026-11-02'],
      ['litige', null],
      ['prescrite', '2026-03-31'],
      ['reclamable', null],
    ]);
    expect(fees[3]!.penalty.indemnity).toBe(0);
  });
});

describe('the claim of penalties of invoices paid late', () => {
  const first = settled(1, '2026-03-31', 120000, [['2026-04-30', 120000]]);
  const second = settled(1, '2026-06-30', 50000, [['2026-08-20', 50000]]);
  const barely = settled(2, '2026-04-30', 64000, [['2026-05-04', 64000]]);

  it('is off by default', () => {
    expect(planLateFees(input([first, second]), rules(null), new Set()).actions).toEqual([]);
  });

  it('claims from each client, in one document, every invoice paid at least the step’s days late', () => {
    const plan = planLateFees(input([first, second, barely]), rules(), new Set());
    expect(plan.actions).toHaveLength(1);
    const [claim] = plan.actions;
    expect(claim!.client.code).toBe('P1');
    expect(claim!.step.code).toBe('penalites');
    expect(claim!.invoices.map((k) => [k.invoice.number, k.settledOn, k.claimed])).toEqual([
      [first.number, '2026-04-30', 0],
      [second.number, '2026-08-20', 0],
    ]);
    expect(claim!.totalClaimed).toBe(0);
    expect(totalDue(claim!)).toBe(claim!.totalInterest + 8000);
    // With no minimum delay, the invoice paid 4 days late is claimed too.
    const all = planLateFees(input([barely]), rules({ ...LATE_FEES, days: 0 }), new Set());
    expect(all.actions.map((a) => a.client.code)).toEqual(['P2']);
  });

  it('waits for a client acted on today or within the interval, and leaves out a paused one', () => {
    expect(planLateFees(input([first]), rules(), new Set([1])).actions).toEqual([]);
    const recent = planLateFees(
      input([first], [action(1, 'relance', '2026-12-03', [999])]),
      rules(),
      new Set(),
    );
    expect(recent.actions).toEqual([]);
    expect(recent.warnings[0]).toContain('reportée');
    const paused = { ...input([first]), clients: new Map([[1, { ...pro, paused: true }]]) };
    expect(planLateFees(paused, rules(), new Set()).actions).toEqual([]);
  });

  it('does not claim again what a claim already covered', () => {
    const again = planLateFees(
      input([first, second], [action(1, 'penalites', '2026-11-02', [first.id, second.id])]),
      rules(),
      new Set(),
    );
    expect(again.actions).toEqual([]);
  });
});
