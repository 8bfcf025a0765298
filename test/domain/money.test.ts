import { describe, expect, it } from 'vitest';
import { formatEuros, guessDecimalMark, parseAmount } from '../../src/domain/money.js';

const ok = (raw: string, mark: ',' | '.' = ',') => {
  const result = parseAmount(raw, mark);
  if (!result.ok) throw new Error(`${raw}: ${result.reason}`);
  return [result.cents, result.currency];
};
const reason = (raw: string, mark: ',' | '.' = ',') => {
  const result = parseAmount(raw, mark);
  return result.ok ? null : result.reason;
};

describe('parseAmount', () => {
  it('reads French amounts into integer cents', () => {
    expect(ok('1234,56')).toEqual([123456, null]);
    expect(ok('1 234,56 €')).toEqual([123456, 'EUR']);
    expect(ok('1\u202f234,56')).toEqual([123456, null]);
    expect(ok('1\u00a0234,5')).toEqual([123450, null]);
    expect(ok('1.234.567,89')).toEqual([123456789, null]);
    expect(ok('12')).toEqual([1200, null]);
    expect(ok(',5')).toEqual([50, null]);
    expect(ok('0,10')).toEqual([10, null]);
    expect(ok('12,500')).toEqual([1250, null]);
  });
  it('reads signs, parentheses and currencies', () => {
    expect(ok('-120,00 €')).toEqual([-12000, 'EUR']);
    expect(ok('120,00-')).toEqual([-12000, null]);
    expect(ok('(45,10)')).toEqual([-4510, null]);
    expect(ok('\u221245,10')).toEqual([-4510, null]);
    expect(ok('EUR 10,00')).toEqual([1000, 'EUR']);
    expect(ok('$13.50 ', '.')).toEqual([1350, 'USD']);
    expect(ok('1,020.00', '.')).toEqual([102000, null]);
    expect(ok("CHF 1'234.50", '.')).toEqual([123450, 'CHF']);
  });
  it('reads thousands grouped by any kind of space the same way, on its fast path or not', () => {
    for (const space of [' ', '\u00a0', '\u202f', '\u2009']) {
      expect(ok(`1${space}000,12`)).toEqual([100012, null]);
      expect(ok(`12${space}345${space}678`)).toEqual([1234567800, null]);
      expect(ok(`1${space}000,12 €`)).toEqual([100012, 'EUR']);
    }
    // Spaces elsewhere were always dropped, not refused: the fast path leaves them to the full one.
    expect(ok('12 34,56')).toEqual([123456, null]);
    expect(ok('1 0000,00')).toEqual([1000000, null]);
    expect(ok('1000 ,00')).toEqual([100000, null]);
    expect(ok('1  000,5')).toEqual([100050, null]);
    expect(reason('1 000,1 2')).toBe(null);
    expect(ok('1 000,1 2')).toEqual([100012, null]);
    expect(reason('1 000,123')).toBe('plus de deux décimales (arrondissez au centime)');
  });
  it('never loses a cent to floating point', () => {
    expect(ok('0,29')).toEqual([29, null]);
    expect(ok('1,15')).toEqual([115, null]);
    expect(ok('90071992547409,91')).toEqual([9007199254740991, null]);
  });
  it('refuses what is not an amount, and says why', () => {
    expect(reason('12,34,56')).toBe('plusieurs séparateurs décimaux « , »');
    expect(reason('1.23,45')).toBe('séparateur de milliers mal placé');
    expect(reason('12,345')).toBe('plus de deux décimales (arrondissez au centime)');
    expect(reason('12,3O')).toBe("ce n'est pas un montant");
    expect(reason('abc')).toBe("ce n'est pas un montant");
    expect(reason('-')).toBe("ce n'est pas un montant");
    expect(reason('')).toBe('montant vide');
    expect(reason('99999999999999999999')).toBe('montant trop grand');
  });
});

describe('guessDecimalMark', () => {
  it('is a comma for French files, a point only when nothing says comma', () => {
    expect(guessDecimalMark(['1 234,56', '10'])).toBe(',');
    expect(guessDecimalMark(['13.50', '$5.01'])).toBe('.');
    expect(guessDecimalMark(['1,020.00'])).toBe('.');
    expect(guessDecimalMark(['1.020,00'])).toBe(',');
    expect(guessDecimalMark(['100'])).toBe(',');
  });
});

describe('formatEuros', () => {
  it('formats cents the French way with no-break spaces', () => {
    expect(formatEuros(123456)).toBe('1\u00a0234,56\u00a0€');
    expect(formatEuros(-12000)).toBe('-120,00\u00a0€');
    expect(formatEuros(5)).toBe('0,05\u00a0€');
    expect(formatEuros(100000000, 'USD')).toBe('1\u00a0000\u00a0000,00\u00a0USD');
  });
});
