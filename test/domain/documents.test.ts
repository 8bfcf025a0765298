import { describe, expect, it } from 'vitest';
import { epcPayload } from '../../src/adapters/pdf.js';
import {
  bicIsValid,
  formatIban,
  ibanIsValid,
  missingCreditorFields,
  sirenIsValid,
} from '../../src/domain/creditor.js';
import { addMonths, formatDateLong, type IsoDate } from '../../src/domain/dates.js';
import { procedureAdvice } from '../../src/domain/litigation.js';
import type { Cents } from '../../src/domain/money.js';
import { splitInstalments } from '../../src/domain/payment-plan.js';

const d = (s: string) => s as IsoDate;

describe('creditor identity checks', () => {
  it('verifies IBAN check digits (mod 97), whatever the spacing and case', () => {
    expect(ibanIsValid('FR76 3000 6000 0112 3456 7890 189')).toBe(true);
    expect(ibanIsValid('fr7630006000011234567890189')).toBe(true);
    expect(ibanIsValid('DE89370400440532013000')).toBe(true);
    expect(ibanIsValid('FR76 3000 6000 0112 3456 7890 188')).toBe(false);
    expect(ibanIsValid('FR76')).toBe(false);
    expect(formatIban('FR7630006000011234567890189')).toBe('FR76 3000 6000 0112 3456 7890 189');
  });

  it('verifies a SIREN with the Luhn key, La Poste excepted', () => {
    expect(sirenIsValid('732 829 320')).toBe(true);
    expect(sirenIsValid('732829321')).toBe(false);
    expect(sirenIsValid('356000000')).toBe(true);
    expect(sirenIsValid('12345678')).toBe(false);
  });

  it('accepts 8- and 11-character BICs', () => {
    expect(bicIsValid('BNPAFRPP')).toBe(true);
    expect(bicIsValid('BNPAFRPPXXX')).toBe(true);
    expect(bicIsValid('BNPA')).toBe(false);
  });

  it('names the missing fields of a letter by their configuration key', () => {
    expect(missingCreditorFields({ name: 'Dupont', address: [], email: ' ' })).toEqual([
      'siren',
      'adresse',
      'email',
      'telephone',
    ]);
  });
});

describe('EPC QR payload (SEPA credit transfer)', () => {
  it('follows EPC069-12: BCD, version 002, UTF-8, SCT, BIC, name, IBAN, EUR amount, reference', () => {
    expect(
      epcPayload('BNPAFRPPXXX', 'Dupont & Fils', 'FR76 3000 6000 0112 3456 7890 189', 274731, 'M-101 M-102'),
    ).toBe(
      'BCD\n002\n1\nSCT\nBNPAFRPPXXX\nDupont & Fils\nFR7630006000011234567890189\nEUR2747.31\n\n\nM-101 M-102',
    );
  });

  it('makes none without an IBAN or an amount, and strips line breaks from the fields', () => {
    expect(epcPayload('', 'Dupont', '', 1000, 'F1')).toBeNull();
    expect(epcPayload('', 'Dupont', 'FR7630006000011234567890189', 0, 'F1')).toBeNull();
    expect(epcPayload('', 'Dupont\nSARL', 'FR7630006000011234567890189', 5, 'F1')?.split('\n')[5]).toBe(
      'Dupont SARL',
    );
    expect(epcPayload('', 'Dupont', 'FR7630006000011234567890189', 5, 'F1')).toContain('\nEUR0.05\n');
  });
});

describe('dates in letters and payment plans', () => {
  it('writes dates the French way, with 1er', () => {
    expect(formatDateLong(d('2026-11-01'))).toBe('1er novembre 2026');
    expect(formatDateLong(d('2026-08-28'))).toBe('28 août 2026');
  });

  it('adds months, keeping the day or the end of a shorter month', () => {
    expect(addMonths(d('2026-01-31'), 1)).toBe('2026-02-28');
    expect(addMonths(d('2024-01-31'), 1)).toBe('2024-02-29');
    expect(addMonths(d('2026-11-05'), 2)).toBe('2027-01-05');
  });

  it('splits a payment plan into equal instalments, the last taking the odd cents', () => {
    expect(splitInstalments(100000 as Cents, 3, d('2026-12-05'), null)).toEqual([
      { dueDate: '2026-12-05', amount: 33333 },
      { dueDate: '2027-01-05', amount: 33333 },
      { dueDate: '2027-02-05', amount: 33334 },
    ]);
    expect(splitInstalments(1000 as Cents, 2, d('2026-12-05'), 15).map((i) => i.dueDate)).toEqual([
      '2026-12-05',
      '2026-12-20',
    ]);
  });
});

describe('which procedure fits', () => {
  it('offers the small-claims procedure up to 5 000 €, and the right court for the injonction de payer', () => {
    const small = procedureAdvice(500000, true).join(' ');
    expect(small).toContain('procédure simplifiée de recouvrement des petites créances');
    expect(small).toContain('tribunal de commerce');
    const large = procedureAdvice(500001, false).join(' ');
    expect(large).not.toContain('procédure simplifiée');
    expect(large).toContain('tribunal judiciaire');
    expect(large).toContain('deux ans');
  });
});
