import { describe, expect, it } from 'vitest';
import type { IsoDate } from '../../src/domain/dates.js';
import {
  type BankLine,
  indexInvoices,
  type Match,
  matchLines,
  normalizeRef,
  type OpenInvoice,
} from '../../src/domain/matching.js';
import type { Cents } from '../../src/domain/money.js';

let next = 1;
function inv(
  number: string,
  clientId: number,
  clientName: string,
  outstanding: number,
  due = '2026-10-01',
  currency = 'EUR',
): OpenInvoice {
  return {
    id: next++,
    number,
    clientId,
    clientName,
    dueDate: due as IsoDate,
    outstanding: outstanding as Cents,
    currency,
  };
}
function line(label: string, amount: number, currency = 'EUR'): BankLine {
  return { key: label, date: '2026-11-18' as IsoDate, amount: amount as Cents, label, currency };
}
const summary = (m: Match) =>
  m.kind === 'sure'
    ? [m.kind, m.rule, m.allocations.map((a) => [a.invoice.number, a.amount])]
    : m.kind === 'doubt'
      ? [m.kind, m.reason, m.candidates.map((c) => c.number).sort()]
      : [m.kind];

const invoices = [
  inv('F2026-0101', 1, 'Boulangerie Lefèvre SARL', 144000, '2026-09-14'),
  inv('F2026-0104', 1, 'Boulangerie Lefèvre SARL', 31800, '2026-10-20'),
  inv('F2026-0102', 2, 'Garage Étoile', 176050),
  inv('F2026-0107', 2, 'Garage Étoile', 68400),
  inv('F2026-0105', 3, 'Œnothèque du Marché', 312480),
  inv('F2026-0109', 4, 'Cabinet Dupré & Associés', 45000),
  inv('F2026-0110', 4, 'Cabinet Dupré & Associés', 45000),
  inv('INV-77', 5, 'Delta GmbH', 80000, '2026-10-01', 'USD'),
];
const index = indexInvoices(invoices);

describe('normalizeRef', () => {
  it('keeps letters and digits only', () => {
    expect(normalizeRef('f 2026-0101')).toBe('F20260101');
  });
});

describe('matchLines: an invoice number in the label', () => {
  it('finds it whatever the spacing, dashes or prefix', () => {
    for (const label of [
      'VIR SEPA LEFEVRE F2026-0101',
      'PRLV FACT F 2026 0101',
      'virement ref f2026/0101 merci',
      'REGLEMENT 2026-0101',
    ]) {
      expect(summary(matchLines([line(label, 144000)], index)[0]!), label).toEqual([
        'sure',
        'numero',
        [['F2026-0101', 144000]],
      ]);
    }
  });

  it('pays several quoted invoices, oldest first, and accepts a partial payment', () => {
    expect(summary(matchLines([line('VIR LEFEVRE F2026-0104 F2026-0101', 175800)], index)[0]!)).toEqual([
      'sure',
      'numero',
      [
        ['F2026-0101', 144000],
        ['F2026-0104', 31800],
      ],
    ]);
    expect(summary(matchLines([line('ACOMPTE F2026-0102', 50000)], index)[0]!)).toEqual([
      'sure',
      'numero',
      [['F2026-0102', 50000]],
    ]);
  });

  it('doubts a credit larger than what the quoted invoices still owe', () => {
    expect(summary(matchLines([line('VIR F2026-0104', 50000)], index)[0]!)[1]).toBe(
      'montant supérieur au reste dû des factures citées',
    );
  });

  it('ignores an invoice of another currency', () => {
    expect(summary(matchLines([line('PAYMENT INV-77', 80000, 'EUR')], index)[0]!)).toEqual(['none']);
    expect(summary(matchLines([line('PAYMENT INV-77', 80000, 'USD')], index)[0]!)[0]).toBe('sure');
  });
});

describe('matchLines: a client named in the label', () => {
  it('takes the one open invoice of that client at exactly that amount', () => {
    expect(summary(matchLines([line('VIR SEPA OENOTHEQUE DU MARCHE', 312480)], index)[0]!)).toEqual([
      'sure',
      'montant_client',
      [['F2026-0105', 312480]],
    ]);
  });

  it('takes the one combination of its invoices that adds up to the amount', () => {
    expect(summary(matchLines([line('VIR GARAGE ETOILE', 244450)], index)[0]!)).toEqual([
      'sure',
      'somme_client',
      [
        ['F2026-0102', 176050],
        ['F2026-0107', 68400],
      ],
    ]);
  });

  it('asks when two invoices have the amount, or nothing adds up', () => {
    expect(summary(matchLines([line('CABINET DUPRE ASSOCIES', 45000)], index)[0]!)).toEqual([
      'doubt',
      'plusieurs factures du client ont ce montant',
      ['F2026-0109', 'F2026-0110'],
    ]);
    expect(summary(matchLines([line('VIR GARAGE ETOILE', 1000)], index)[0]!)[1]).toBe(
      'aucune facture ni somme de factures du client à ce montant',
    );
  });

  it('leaves a line naming no client and no invoice unmatched', () => {
    expect(summary(matchLines([line('VIR SEPA INCONNU SARL 12', 1000)], index)[0]!)).toEqual(['none']);
  });
});

describe('matchLines: a statement read in order', () => {
  it('does not pay twice what an earlier line already paid', () => {
    const [first, second] = matchLines(
      [line('VIR F2026-0104', 31800), line('VIR BOULANGERIE LEFEVRE', 31800)],
      index,
    );
    expect(summary(first!)).toEqual(['sure', 'numero', [['F2026-0104', 31800]]]);
    // F2026-0104 is paid: the second credit matches no open invoice of that client at that amount.
    expect(summary(second!)[0]).toBe('doubt');
  });
});

describe('matchLines: names that contain one another', () => {
  it('takes the more specific client when one name contains another', () => {
    const both = indexInvoices([
      inv('M-1', 10, 'Martin', 10000),
      inv('M-2', 11, 'Martin Dupont SARL', 20000),
    ]);
    expect(summary(matchLines([line('VIR MARTIN DUPONT', 20000)], both)[0]!)).toEqual([
      'sure',
      'montant_client',
      [['M-2', 20000]],
    ]);
    expect(summary(matchLines([line('VIR MARTIN', 10000)], both)[0]!)).toEqual([
      'sure',
      'montant_client',
      [['M-1', 10000]],
    ]);
  });
});
