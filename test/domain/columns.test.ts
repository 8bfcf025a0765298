import { describe, expect, it } from 'vitest';
import { headerScore, missingRequired, normalizeHeader, recognizeColumns } from '../../src/domain/columns.js';

describe('normalizeHeader', () => {
  it('ignores accents, case, punctuation and spacing', () => {
    expect(normalizeHeader(' N° Facture ')).toBe('no facture');
    expect(normalizeHeader('\ufeffNº facture')).toBe('no facture');
    expect(normalizeHeader("Date d'échéance")).toBe('date d echeance');
    expect(normalizeHeader('ÉCHÉANCE')).toBe('echeance');
    expect(normalizeHeader('Montant  TTC (€)')).toBe('montant ttc');
  });
});

describe('recognizeColumns', () => {
  it('recognises the headers of common French exports', () => {
    const { columns, unknown } = recognizeColumns([
      'N° facture',
      'Code client',
      'Raison sociale',
      'Courriel',
      'Date de pièce',
      "Date d'échéance",
      'Total TTC',
      'Montant payé',
      'Divers',
    ]);
    expect(columns).toEqual({
      number: 0,
      clientCode: 1,
      clientName: 2,
      email: 3,
      issueDate: 4,
      dueDate: 5,
      amount: 6,
      paid: 7,
    });
    expect(unknown).toEqual(['Divers']);
  });
  it('gives the first matching column a field, and lets the user map others', () => {
    expect(recognizeColumns(['Client', 'Tiers']).columns).toEqual({ clientName: 0 });
    const mapped = recognizeColumns(['Réf. doc', 'Montant', 'Net à payer'], {
      number: 'réf doc',
      amount: 'Net à payer',
    });
    expect(mapped.columns).toEqual({ number: 0, amount: 2 });
    expect(recognizeColumns(['A'], { number: 'B' }).missingOverrides.map((m) => m.header)).toEqual(['B']);
  });
  it('says which required fields are missing', () => {
    expect(missingRequired({ number: 0, clientCode: 1 }).map((f) => f.option)).toEqual(['date', 'montant']);
    expect(missingRequired({ number: 0, clientName: 1, issueDate: 2, amount: 3 })).toEqual([]);
  });
  it('scores header rows so a preamble line is not taken for the header', () => {
    expect(headerScore(['Invoice Ninja v4.5.17', '', ''])).toBe(0);
    expect(headerScore(['Client', 'Email', 'Invoice Number', 'Amount'])).toBe(4);
  });
});
