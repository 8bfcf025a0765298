import { describe, expect, it } from 'vitest';
import { sniffEInvoice } from '../../src/adapters/einvoice/files.js';

const sniff = (text: string) => sniffEInvoice(Buffer.from(text, 'latin1'));

describe('sniffEInvoice', () => {
  it('knows a PDF and an XML document by their first bytes', () => {
    expect(sniff('%PDF-1.7\n%âãÏÓ')).toBe('pdf');
    expect(sniff('\xef\xbb\xbf<?xml version="1.0"?>\n<Invoice>')).toBe('xml');
    expect(sniff('  <rsm:CrossIndustryInvoice xmlns:rsm="…">')).toBe('xml');
    expect(sniff('<!-- export --><Invoice/>')).toBe('xml');
    expect(sniff('<Invoice>')).toBe('xml');
  });

  it('leaves a CSV alone, even one whose first character was damaged into « < »', () => {
    expect(sniff('N° facture;Client;Montant\n')).toBeNull();
    expect(sniff('<° facture;Client;Montant\n')).toBeNull();
    expect(sniff('<N° facture;Client\n')).toBeNull();
    expect(sniff('<;;;\n')).toBeNull();
  });
});
