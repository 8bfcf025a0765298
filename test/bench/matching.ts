import type { IsoDate } from '../../src/domain/dates.js';
import { type BankLine, indexInvoices, matchLines, type OpenInvoice } from '../../src/domain/matching.js';
import type { Cents } from '../../src/domain/money.js';

/**
 * The matching engine on generated data: open invoices over 20 000 clients, and statement lines
 * that quote an invoice number, name a client, or neither, in equal parts.
 */
export function measureMatching(invoiceCount: number, lineCount: number) {
  const invoices: OpenInvoice[] = [];
  for (let i = 0; i < invoiceCount; i++) {
    const client = i % 20_000;
    invoices.push({
      id: i,
      number: `F2026-${String(i).padStart(6, '0')}`,
      clientId: client,
      clientName: `Société ${client} Martin SARL`,
      dueDate: `2026-${String(1 + (i % 12)).padStart(2, '0')}-15` as IsoDate,
      outstanding: (10_000 + ((i * 37) % 500_000)) as Cents,
      currency: 'EUR',
    });
  }
  const lines: BankLine[] = [];
  for (let k = 0; k < lineCount; k++) {
    const invoice = invoices[(k * 7919) % invoiceCount]!;
    const label =
      k % 3 === 0
        ? `VIR SEPA FACT ${invoice.number.replace('-', ' ')}`
        : k % 3 === 1
          ? `VIR SOCIETE ${invoice.clientId} MARTIN`
          : `VIR INCONNU ${k}`;
    lines.push({
      key: String(k),
      date: '2026-11-18' as IsoDate,
      amount: invoice.outstanding,
      label,
      currency: 'EUR',
    });
  }
  const started = performance.now();
  const matches = matchLines(lines, indexInvoices(invoices));
  const seconds = (performance.now() - started) / 1000;
  return {
    invoices: invoiceCount,
    lines: lineCount,
    seconds,
    sure: matches.filter((m) => m.kind === 'sure').length,
  };
}
