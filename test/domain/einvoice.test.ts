import { describe, expect, it } from 'vitest';
import { delayFromTerms, type EParty, issuedBy, sirenFrom } from '../../src/domain/einvoice.js';

const seller = (fields: Partial<EParty>): EParty => ({
  name: 'Dupont',
  siren: null,
  vat: null,
  id: null,
  email: null,
  phone: null,
  contact: null,
  street: [],
  postcode: '',
  city: '',
  country: 'FR',
  ...fields,
});

describe('e-invoices', () => {
  it('reads the delay a payment terms text states, the net one before a discount, else the longest', () => {
    expect(delayFromTerms('PAIEMENT 30 JOURS NET')).toEqual({ days: 30, endOfMonth: false });
    expect(delayFromTerms('Règlement à 45 jours fin de mois')).toEqual({ days: 45, endOfMonth: true });
    expect(delayFromTerms('Payment within 30 days')).toEqual({ days: 30, endOfMonth: false });
    expect(delayFromTerms('2% Skonto innerhalb 10 Tagen, 30 Tage netto')).toEqual({
      days: 30,
      endOfMonth: false,
    });
    expect(delayFromTerms('2 % discount if paid within 2 days, 60 days')).toEqual({
      days: 60,
      endOfMonth: false,
    });
    expect(delayFromTerms('Payable à réception de facture')).toEqual({ days: 0, endOfMonth: false });
    expect(delayFromTerms('zahlbar sofort nach Erhalt der Rechnung')).toEqual({ days: 0, endOfMonth: false });
    expect(delayFromTerms('Virement SEPA')).toBeNull();
    expect(delayFromTerms('')).toBeNull();
  });

  it('finds a SIREN in a SIREN, a SIRET or a French VAT number, and nowhere else', () => {
    expect(sirenFrom('732 829 320')).toBe('732829320');
    expect(sirenFrom('73282932000074')).toBe('732829320');
    expect(sirenFrom('FR 44 732 829 320')).toBe('732829320');
    expect(sirenFrom('DE123456789')).toBeNull();
    expect(sirenFrom('')).toBeNull();
  });

  it('tells the company’s own invoices by SIREN or VAT number, never by name', () => {
    const company = { name: 'Dupont', siren: '732829320', vat: null };
    expect(issuedBy(seller({ siren: '732829320' }), company)).toBe(true);
    expect(issuedBy(seller({ vat: 'FR44732829320' }), company)).toBe(true);
    expect(issuedBy(seller({ siren: '552100554' }), company)).toBe(false);
    expect(issuedBy(seller({}), company)).toBe(false);
    expect(
      issuedBy(seller({ vat: 'BE0123456749' }), { name: 'Van Rijn', siren: null, vat: 'BE 0123456749' }),
    ).toBe(true);
  });
});
