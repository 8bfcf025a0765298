import { describe, expect, it } from 'vitest';
import { neutralise, plainLines, plainText } from '../../src/domain/text.js';

describe('plainText', () => {
  it('removes controls and direction overrides, and makes line breaks one space', () => {
    expect(plainText(' Dupont\u202e\r\n SA ')).toBe('Dupont SA');
    expect(plainText('A\u0007B\u001b[31m\u2066C\u2069')).toBe('AB[31mC');
    expect(plainText('Café   Noir')).toBe('Café   Noir');
  });
  it('takes off the apostrophe recouvre puts before a formula, and only that one', () => {
    expect(plainText("'=HYPERLINK(1)")).toBe('=HYPERLINK(1)');
    expect(plainText("'-12")).toBe('-12');
    expect(plainText("'t Hooft")).toBe("'t Hooft");
  });
  it('keeps the lines of an address', () => {
    expect(plainLines('1 rue X\r\n\r\n75001 Paris\u202e')).toBe('1 rue X\n75001 Paris');
  });
});

describe('neutralise', () => {
  it('makes formula-like text inert and leaves numbers alone', () => {
    expect(neutralise('=1+1')).toBe("'=1+1");
    expect(neutralise('+33 1 23')).toBe('+33 1 23');
    expect(neutralise('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutralise('-120,00')).toBe('-120,00');
    expect(neutralise('-cmd')).toBe("'-cmd");
    expect(neutralise('Dupont')).toBe('Dupont');
  });
});
