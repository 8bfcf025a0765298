import { describe, expect, it } from 'vitest';
import { frenchHolidays } from '../../src/adapters/holidays.js';
import { loadRateTables } from '../../src/adapters/rate-tables.js';
import { nextBusinessDay, nonBusinessReason, weekdayName } from '../../src/domain/business-days.js';
import type { IsoDate } from '../../src/domain/dates.js';
import {
  clientLabel,
  type DunningClient,
  type DunningInput,
  type DunningInvoice,
  type DunningRules,
  type PastAction,
  type PaymentPlan,
  planDunning,
} from '../../src/domain/dunning.js';
import type { Cents } from '../../src/domain/money.js';
import { DEFAULT_SETTINGS, type DunningSettings, type Step } from '../../src/domain/scenario.js';
import { dunningClient, dunningInvoice } from './builders.js';

const d = (s: string) => s as IsoDate;
const c = (n: number) => n as Cents;
const holidays = frenchHolidays({ alsaceMoselle: false });
const rates = loadRateTables({ bce: {}, interet_legal: {} });

function rules(settings: Partial<DunningSettings> = {}, force = false): DunningRules {
  return {
    settings: { ...DEFAULT_SETTINGS, ...settings },
    penalties: { contractualRate: null, freezeFirstHalfYear: false, noticeReceiptDays: 3 },
    rates,
    holidays,
    force,
  };
}

const client = dunningClient;
const inv = dunningInvoice;

function input(
  asOf: string,
  invoices: DunningInvoice[],
  extra: {
    clients?: DunningClient[];
    actions?: PastAction[];
    plans?: PaymentPlan[];
    interruptions?: Map<number, IsoDate>;
  } = {},
): DunningInput {
  const clients = extra.clients ?? [...new Set(invoices.map((i) => i.clientId))].map((id) => client(id));
  return {
    asOf: d(asOf),
    clients: new Map(clients.map((k) => [k.id, k])),
    invoices,
    actions: extra.actions ?? [],
    plans: extra.plans ?? [],
    interruptions: extra.interruptions ?? new Map(),
  };
}

const done = (invoice: DunningInvoice, step: string, date: string, channel = 'email'): PastAction => ({
  clientId: invoice.clientId,
  date: d(date),
  step,
  channel: step === 'mise_en_demeure' ? 'courrier' : step === 'appel' ? 'appel' : channel,
  done: true,
  receivedOn: null,
  invoiceIds: [invoice.id],
});

// 2026-11-20 is a Friday; due 2026-10-01 → 50 days late.
const FRIDAY = '2026-11-20';

describe('business days', () => {
  it('knows weekends and French public holidays, Easter-based ones included', () => {
    expect(weekdayName(d('2026-11-21'))).toBe('samedi');
    expect(nonBusinessReason(d('2026-11-22'), holidays)).toBe('dimanche');
    expect(nonBusinessReason(d('2026-12-25'), holidays)).toBe('Noël (jour férié)');
    expect(nonBusinessReason(d('2026-04-06'), holidays)).toBe('Lundi de Pâques (jour férié)');
    expect(nonBusinessReason(d('2026-05-14'), holidays)).toBe('Ascension (jour férié)');
    expect(nonBusinessReason(d('2026-05-25'), holidays)).toBe('Lundi de Pentecôte (jour férié)');
    expect(nonBusinessReason(d('2026-11-20'), holidays)).toBeNull();
    expect(nextBusinessDay(d('2026-12-25'), holidays)).toBe('2026-12-28');
  });

  it("adds Alsace-Moselle's Good Friday and 26 December only when asked", () => {
    const alsace = frenchHolidays({ alsaceMoselle: true });
    expect(nonBusinessReason(d('2026-04-03'), holidays)).toBeNull();
    expect(nonBusinessReason(d('2026-04-03'), alsace)).toBe('Vendredi Saint (jour férié)');
    expect(nonBusinessReason(d('2025-12-26'), alsace)).toBe('Saint Étienne (jour férié)');
  });
});

describe('planDunning: the next step of an invoice', () => {
  it('first contact: the latest step whose delay has passed, never beyond relance', () => {
    const late50 = inv(1, '2026-10-01', 100000);
    const plan = planDunning(input(FRIDAY, [late50]), rules());
    expect(plan.actions).toHaveLength(1);
    expect(plan.actions[0]).toMatchObject({ step: { code: 'relance' }, channel: 'email' });
    expect(plan.actions[0]!.invoices[0]).toMatchObject({ daysLate: 50, claimed: 100000 });
  });

  it('first contact at 6 days is a rappel; before 5 days it waits for the rappel', () => {
    const six = inv(1, '2026-11-14', 50000);
    expect(planDunning(input(FRIDAY, [six]), rules()).actions[0]?.step.code).toBe('rappel');
    const three = inv(2, '2026-11-17', 50000);
    const plan = planDunning(input(FRIDAY, [three]), rules());
    expect(plan.actions).toEqual([]);
    expect(plan.waiting).toEqual([
      expect.objectContaining({ step: 'rappel', date: '2026-11-22', reason: 'delai' }),
    ]);
  });

  it('never skips a step once there is a history: after a rappel comes the relance, even at 50 days', () => {
    const invoice = inv(1, '2026-10-01', 100000);
    const plan = planDunning(
      input(FRIDAY, [invoice], { actions: [done(invoice, 'rappel', '2026-10-06')] }),
      rules(),
    );
    expect(plan.actions[0]?.step.code).toBe('relance');
  });

  it('goes relance → mise en demeure (J+30) → contentieux (J+45), then the scenario is over', () => {
    const invoice = inv(1, '2026-10-01', 100000);
    const planAfter = (step: string) =>
      planDunning(
        input(FRIDAY, [invoice], {
          actions: [done(invoice, 'relance', '2026-10-06'), done(invoice, step, '2026-10-16')],
        }),
        rules(),
      );
    expect(planAfter('relance').actions[0]).toMatchObject({
      step: { code: 'mise_en_demeure' },
      channel: 'courrier',
    });
    expect(planAfter('mise_en_demeure').actions[0]).toMatchObject({
      step: { code: 'contentieux' },
      channel: 'tache',
    });
    const over = planAfter('contentieux');
    expect(over.actions).toEqual([]);
    expect(over.excluded).toEqual([expect.objectContaining({ reason: 'scenario_termine' })]);
  });

  it('waits for the next step’s own delay', () => {
    const invoice = inv(1, '2026-11-05', 100000); // 15 days late on the 20th
    const plan = planDunning(
      input(FRIDAY, [invoice], { actions: [done(invoice, 'relance', '2026-11-10')] }),
      rules(),
    );
    expect(plan.actions).toEqual([]);
    expect(plan.waiting).toEqual([expect.objectContaining({ step: 'mise_en_demeure', date: '2026-12-05' })]);
  });
});

describe('planDunning: what is never chased', () => {
  it('lists each excluded overdue invoice with its reason', () => {
    const disputed = inv(1, '2026-10-01', 10000, { disputed: true, disputeReason: 'livraison incomplète' });
    const paused = inv(1, '2026-10-01', 10000, {
      paused: true,
      pausedUntil: d('2026-12-01'),
      pauseReason: 'promesse',
    });
    const small = inv(2, '2026-10-01', 499);
    const plan = planDunning(
      input(FRIDAY, [disputed, paused, small, inv(3, '2026-10-01', 10000)], {
        clients: [client(1), client(2), client(3, { paused: true, pausedUntil: null, pauseReason: null })],
      }),
      rules(),
    );
    expect(plan.actions).toEqual([]);
    expect(plan.excluded.map((e) => [e.invoice.number, e.reason])).toEqual([
      [disputed.number, 'litige'],
      [paused.number, 'pause'],
      [small.number, 'sous_seuil'],
      [`F${small.id + 1}`, 'pause_client'],
    ]);
    expect(plan.excluded[0]!.detail).toBe('livraison incomplète');
  });

  it('lifts a pause by itself the day after its end date', () => {
    const invoice = inv(1, '2026-10-01', 10000, { paused: true, pausedUntil: d('2026-11-19') });
    expect(planDunning(input(FRIDAY, [invoice]), rules()).actions).toHaveLength(1);
    const client1 = client(1, { paused: true, pausedUntil: d('2026-11-20') });
    const plan = planDunning(input(FRIDAY, [inv(1, '2026-10-01', 10000)], { clients: [client1] }), rules());
    expect(plan.excluded[0]?.reason).toBe('pause_client');
  });

  it('honours a payment plan while the money paid covers the instalments due; a missed one resumes', () => {
    const invoice = inv(1, '2026-10-01', 60000, { outstanding: c(40000) }); // 200 € paid since the plan
    const plan: PaymentPlan = {
      id: 1,
      clientId: 1,
      date: d('2026-10-20'),
      invoices: [{ invoiceId: invoice.id, outstandingAtStart: c(60000) }],
      instalments: [
        { dueDate: d('2026-11-05'), amount: c(20000) },
        { dueDate: d('2026-12-05'), amount: c(20000) },
        { dueDate: d('2027-01-05'), amount: c(20000) },
      ],
    };
    const kept = planDunning(input(FRIDAY, [invoice], { plans: [plan] }), rules());
    expect(kept.excluded).toEqual([expect.objectContaining({ reason: 'echeancier' })]);
    expect(kept.excluded[0]!.detail).toContain('05/12/2026');
    // On 7 December the second instalment is due and nothing more came in.
    const missed = planDunning(input('2026-12-07', [invoice], { plans: [plan] }), rules());
    expect(missed.actions).toHaveLength(1);
    expect(missed.warnings).toContainEqual(expect.stringContaining('échéancier du client C001 non respecté'));
  });

  it('applies open credit notes to the oldest debts, and leaves out what they cover', () => {
    const old = inv(1, '2026-09-15', 30000);
    const recent = inv(1, '2026-10-15', 50000);
    const credit = inv(1, '2026-09-20', -40000, { creditDate: d('2026-09-20') });
    const plan = planDunning(input(FRIDAY, [old, recent, credit]), rules());
    expect(plan.excluded).toEqual([expect.objectContaining({ reason: 'avoir' })]);
    expect(plan.actions).toHaveLength(1);
    const action = plan.actions[0]!;
    expect(action.invoices.map((k) => [k.invoice.number, k.claimed])).toEqual([[recent.number, 40000]]);
    expect(action.totalClaimed).toBe(40000);
    expect(action.credits.map((k) => k.amount)).toEqual([10000]);
  });

  it('leaves at least 7 days between two actions to a client, whatever the last one was', () => {
    const a = inv(1, '2026-10-01', 10000);
    const b = inv(1, '2026-11-01', 10000);
    const call = done(b, 'appel', '2026-11-17');
    const plan = planDunning(input(FRIDAY, [a, b], { actions: [call] }), rules());
    expect(plan.actions).toEqual([]);
    expect(plan.waiting.every((w) => w.reason === 'intervalle' && w.date === '2026-11-24')).toBe(true);
    expect(planDunning(input('2026-11-24', [a, b], { actions: [call] }), rules()).actions).toHaveLength(1);
  });
});

describe('planDunning: grouping, currencies, channels', () => {
  it('groups a client’s invoices into one action at the highest step due', () => {
    const old = inv(1, '2026-10-01', 100000);
    const fresh = inv(1, '2026-11-14', 20000);
    const plan = planDunning(input(FRIDAY, [old, fresh]), rules());
    expect(plan.actions).toHaveLength(1);
    expect(plan.actions[0]!.step.code).toBe('relance');
    expect(plan.actions[0]!.invoices.map((k) => k.invoice.number)).toEqual([old.number, fresh.number]);
    expect(plan.actions[0]!.totalIndemnity).toBe(8000);
  });

  it('gives one action per invoice with regroupement = "facture"', () => {
    const plan = planDunning(
      input(FRIDAY, [inv(1, '2026-10-01', 100000), inv(1, '2026-11-14', 20000)]),
      rules({ grouping: 'facture' }),
    );
    expect(plan.actions.map((a) => a.step.code)).toEqual(['relance', 'rappel']);
  });

  it('never sums amounts across currencies: one action per client and currency', () => {
    const plan = planDunning(
      input(FRIDAY, [inv(1, '2026-10-01', 100000), inv(1, '2026-10-01', 70000, { currency: 'USD' })]),
      rules(),
    );
    expect(plan.actions.map((a) => [a.currency, a.totalClaimed, a.totalIndemnity])).toEqual([
      ['EUR', 100000, 4000],
      ['USD', 70000, 0],
    ]);
    expect(plan.warnings).toContainEqual(
      expect.stringContaining('non comptée sur les factures en USD (client C001)'),
    );
    // The threshold is read in the invoice's own currency.
    const small = planDunning(input(FRIDAY, [inv(2, '2026-10-01', 300, { currency: 'USD' })]), rules());
    expect(small.excluded[0]?.detail).toBe('reste 3,00\u00a0USD < seuil 5,00\u00a0USD');
  });

  it('turns an e-mail step into a letter (or a call) for a client without an e-mail', () => {
    const noEmail = [client(1, { hasEmail: false })];
    const letter = planDunning(input(FRIDAY, [inv(1, '2026-10-01', 10000)], { clients: noEmail }), rules());
    expect(letter.actions[0]).toMatchObject({
      channel: 'courrier',
      channelNote: expect.stringContaining('e-mail'),
    });
    const call = planDunning(
      input(FRIDAY, [inv(1, '2026-10-01', 10000)], { clients: noEmail }),
      rules({ noEmailChannel: 'appel' }),
    );
    expect(call.actions[0]?.channel).toBe('appel');
  });

  it('picks the scenario naming the client, else the one of its kind, else the default', () => {
    const gentle: Step[] = [{ code: 'rappel', days: 10, channel: 'email', minAmount: null }];
    const calls: Step[] = [{ code: 'appel', days: 3, channel: 'appel', minAmount: null }];
    const settings: Partial<DunningSettings> = {
      scenarios: [
        ...DEFAULT_SETTINGS.scenarios,
        { name: 'particuliers', steps: gentle, lateFees: null, clientKind: 'particulier', clients: [] },
        { name: 'vip', steps: calls, lateFees: null, clientKind: null, clients: ['C002'] },
      ],
    };
    const plan = planDunning(
      input(FRIDAY, [inv(1, '2026-11-08', 10000), inv(2, '2026-11-08', 10000), inv(3, '2026-11-08', 10000)], {
        clients: [client(1, { kind: 'particulier' }), client(2, { kind: 'particulier' }), client(3)],
      }),
      rules(settings),
    );
    expect(plan.actions.map((a) => [a.client.code, a.scenario, a.step.code])).toEqual([
      ['C001', 'particuliers', 'rappel'],
      ['C002', 'vip', 'appel'],
      ['C003', 'defaut', 'rappel'],
    ]);
  });

  it('leaves out a step whose minimum amount is not reached', () => {
    const steps: Step[] = [
      { code: 'rappel', days: 5, channel: 'email', minAmount: null },
      { code: 'relance', days: 15, channel: 'email', minAmount: null },
      { code: 'mise_en_demeure', days: 30, channel: 'courrier', minAmount: c(50000) },
    ];
    const settings = {
      scenarios: [{ name: 'defaut', steps, lateFees: null, clientKind: null, clients: [] }],
    };
    const small = inv(1, '2026-10-01', 20000);
    const big = inv(2, '2026-10-01', 80000);
    const plan = planDunning(
      input(FRIDAY, [small, big], {
        actions: [done(small, 'relance', '2026-10-16'), done(big, 'relance', '2026-10-16')],
      }),
      rules(settings),
    );
    expect(plan.actions.map((a) => [a.client.code, a.step.code])).toEqual([['C002', 'mise_en_demeure']]);
    expect(plan.excluded).toEqual([expect.objectContaining({ reason: 'scenario_termine' })]);
  });

  it('sends a courtesy notice before the due date when the scenario has one', () => {
    const steps: Step[] = [
      { code: 'preavis', days: -3, channel: 'email', minAmount: null },
      ...DEFAULT_SETTINGS.scenarios[0]!.steps,
    ];
    const settings = {
      scenarios: [{ name: 'defaut', steps, lateFees: null, clientKind: null, clients: [] }],
    };
    const soon = inv(1, '2026-11-22', 10000);
    const later = inv(2, '2026-11-30', 10000);
    const plan = planDunning(input(FRIDAY, [soon, later]), rules(settings));
    expect(plan.actions.map((a) => [a.client.code, a.step.code])).toEqual([['C001', 'preavis']]);
    expect(plan.actions[0]!.invoices[0]).toMatchObject({
      daysLate: -2,
      penalty: { interest: 0, indemnity: 0 },
    });
  });
});

describe('planDunning: the calendar', () => {
  it('acts on no weekend or public holiday, and says when it will', () => {
    const invoice = inv(1, '2026-10-01', 10000);
    const saturday = planDunning(input('2026-11-21', [invoice]), rules());
    expect(saturday.nonBusinessDay).toBe('samedi');
    expect(saturday.actions).toEqual([]);
    expect(saturday.waiting).toEqual([
      expect.objectContaining({ date: '2026-11-23', reason: 'jour_non_ouvre' }),
    ]);
    expect(planDunning(input('2026-12-25', [invoice]), rules()).waiting[0]?.date).toBe('2026-12-28');
    expect(planDunning(input('2026-11-21', [invoice]), rules({}, true)).actions).toHaveLength(1);
  });

  it('prices what is claimed: late interest and the €40 per invoice for a professional', () => {
    // 1 000 € due 01/10/2026, 50 days at 12,15 % (estimated 2026-H2): 1 000 × 0,1215 × 50 / 365 = 16,6438 € → 16,64 €.
    const plan = planDunning(input(FRIDAY, [inv(1, '2026-10-01', 100000)]), rules());
    expect(plan.actions[0]).toMatchObject({ totalInterest: 1664, totalIndemnity: 4000 });
    expect(plan.warnings).toEqual([expect.stringContaining('inconnu')]);
  });

  it('starts a private client’s interest at its mise en demeure', () => {
    const invoice = inv(1, '2026-09-01', 100000);
    const plan = planDunning(
      input(FRIDAY, [invoice], {
        clients: [client(1, { kind: 'particulier' })],
        actions: [done(invoice, 'relance', '2026-09-20'), done(invoice, 'mise_en_demeure', '2026-10-10')],
      }),
      rules(),
    );
    // contentieux after the notice sent on 10/10, taken as received 3 days later: 38 days
    // (14/10–20/11) at 2,62 % (2026-S1, estimated for S2): 1 000 × 0,0262 × 38 / 365 = 2,7277 € →
    // 2,73 €; no indemnity.
    expect(plan.actions[0]).toMatchObject({
      step: { code: 'contentieux' },
      totalInterest: 273,
      totalIndemnity: 0,
    });
    // Its receipt recorded on 12/10: from then on, 39 days → 2,7995 € → 2,80 €.
    const received = planDunning(
      input(FRIDAY, [invoice], {
        clients: [client(1, { kind: 'particulier' })],
        actions: [
          done(invoice, 'relance', '2026-09-20'),
          { ...done(invoice, 'mise_en_demeure', '2026-10-10'), receivedOn: d('2026-10-12') },
        ],
      }),
      rules(),
    );
    expect(received.actions[0]?.totalInterest).toBe(280);
  });

  it('never sends a mise en demeure without a reminder in writing before it (a call does not count)', () => {
    const invoice = inv(1, '2026-10-01', 100000); // 50 days late
    const steps = (list: [string, number, string][]) => ({
      scenarios: [
        {
          name: 'defaut',
          lateFees: null,
          clientKind: null,
          clients: [],
          steps: list.map(([code, days, channel]) => ({ code, days, channel, minAmount: null }) as Step),
        },
      ],
    });
    // A scenario whose first contact is a call: after it, no mise en demeure, since no letter or
    // e-mail came before; the invoice is set aside and says what to do.
    const callFirst = rules(
      steps([
        ['appel', 5, 'appel'],
        ['mise_en_demeure', 30, 'courrier'],
      ]),
    );
    const first = planDunning(input(FRIDAY, [invoice]), callFirst);
    expect(first.actions[0]?.step.code).toBe('appel');
    const after = planDunning(
      input(FRIDAY, [invoice], { actions: [done(invoice, 'appel', '2026-10-06')] }),
      callFirst,
    );
    expect(after.actions).toEqual([]);
    expect(after.excluded).toEqual([expect.objectContaining({ reason: 'sans_relance_ecrite' })]);
    // With a written reminder in the scenario, that one is sent first, then the mise en demeure.
    const withRappel = rules(
      steps([
        ['rappel', 5, 'email'],
        ['appel', 15, 'appel'],
        ['mise_en_demeure', 30, 'courrier'],
      ]),
    );
    const byPhone = planDunning(
      input(FRIDAY, [invoice], {
        actions: [done(invoice, 'rappel', '2026-10-06', 'appel'), done(invoice, 'appel', '2026-10-16')],
      }),
      withRappel,
    );
    expect(byPhone.actions[0]).toMatchObject({ step: { code: 'rappel' }, channel: 'email' });
    const written = planDunning(
      input('2026-11-30', [invoice], {
        actions: [done(invoice, 'rappel', '2026-11-20'), done(invoice, 'appel', '2026-10-16')],
      }),
      withRappel,
    );
    expect(written.actions[0]?.step.code).toBe('mise_en_demeure');
  });

  it('never chases a time-barred claim, and warns 90 days before', () => {
    const old = inv(1, '2021-06-30', 80000);
    const soon = inv(1, '2021-12-31', 50000);
    const plan = planDunning(input('2026-12-07', [old, soon]), rules());
    expect(plan.excluded).toEqual([
      expect.objectContaining({
        reason: 'prescrite',
        detail: expect.stringContaining('prescrite le 30/06/2026'),
      }),
    ]);
    expect(plan.actions.flatMap((a) => a.invoices.map((c) => c.invoice.number))).toEqual([soon.number]);
    expect(plan.warnings.join('\n')).toContain(`${soon.number} (client C001) sera prescrite le 31/12/2026`);
    // An acknowledgement of the debt on 2024-03-01 starts a new period of 5 years.
    const interrupted = planDunning(
      input('2026-12-07', [old], { interruptions: new Map([[old.id, d('2024-03-01')]]) }),
      rules(),
    );
    expect(interrupted.excluded).toEqual([]);
    expect(interrupted.actions).toHaveLength(1);
    // A private client's claim: 2 years.
    const b2c = inv(2, '2024-11-30', 30000);
    const consumer = planDunning(
      input('2026-12-07', [b2c], { clients: [client(2, { kind: 'particulier' })] }),
      rules(),
    );
    expect(consumer.excluded).toEqual([
      expect.objectContaining({ reason: 'prescrite', detail: expect.stringContaining('2 ans') }),
    ]);
  });
});

describe('how a client is named to a person', () => {
  it('gives the code after the name, unless the export uses the name as the code', () => {
    expect(clientLabel('Boulangerie Lefèvre', 'C001')).toBe('Boulangerie Lefèvre (C001)');
    expect(clientLabel('Dr. Baron Armstrong Sr.', 'Dr. Baron Armstrong Sr.')).toBe('Dr. Baron Armstrong Sr.');
  });
});
