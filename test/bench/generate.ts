import { createWriteStream } from 'node:fs';

/**
 * Writes a French invoice export of `lines` invoices over `clients` clients: `;` separator,
 * decimal comma with space-grouped thousands, dd/mm/yyyy dates, UTF-8 with BOM, as Excel-FR
 * exports look. Deterministic, so that runs compare.
 */
export async function generateExport(
  path: string,
  lines: number,
  clients: number,
  /** The same export a while later: every `paidEvery`-th unpaid invoice now has €1 paid. */
  paidEvery = 0,
): Promise<void> {
  const out = createWriteStream(path);
  const euros = (cents: number) => {
    const units = Math.floor(cents / 100)
      .toString()
      .replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
    return `${units},${String(cents % 100).padStart(2, '0')}`;
  };
  const two = (n: number) => String(n).padStart(2, '0');
  let buffer =
    '\ufeffN° facture;Code client;Raison sociale;Courriel;Date facture;Échéance;Montant TTC;Réglé\n';
  for (let i = 1; i <= lines; i++) {
    const client = ((i * 7919) % clients) + 1;
    const day = 1 + (i % 28);
    const month = 1 + (i % 12);
    const amount = ((i * 37) % 500000) + 1000;
    const unpaid = i % 3 !== 0 && i % 7 !== 0;
    const paid = !unpaid
      ? i % 3 === 0
        ? amount
        : Math.floor(amount / 2)
      : paidEvery && i % paidEvery === 0
        ? 100
        : 0;
    const code = `C${String(client).padStart(5, '0')}`;
    buffer += `F2026-${String(i).padStart(7, '0')};${code};Société cliente n°${client} SARL;compta${client}@client${client}.fr;${two(day)}/${two(month)}/2025;${two(day)}/${two(month)}/2026;${euros(amount)};${euros(paid)}\n`;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buffer = '';
    }
  }
  out.write(buffer);
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

/**
 * Writes a FEC of about `lines` lines: each invoice is three lines (client debit, sales and VAT
 * credits), one invoice in three is paid by a lettered bank transfer (two lines). `|`-separated,
 * zero-padded amounts, as accounting software writes them.
 */
export async function generateFec(path: string, lines: number, clients: number): Promise<void> {
  const out = createWriteStream(path);
  const amount = (cents: number) =>
    `${String(Math.floor(cents / 100)).padStart(10, '0')},${String(cents % 100).padStart(2, '0')}`;
  const zero = amount(0);
  let buffer =
    'JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise\n';
  let written = 0;
  for (let i = 1; written < lines; i++) {
    const client = ((i * 7919) % clients) + 1;
    const aux = `411${String(client).padStart(5, '0')}`;
    const name = `CLIENT ${client}`;
    const date = `2026${String(1 + (i % 12)).padStart(2, '0')}${String(1 + (i % 28)).padStart(2, '0')}`;
    const ttc = ((i * 37) % 500000) + 1200;
    const ht = Math.round(ttc / 1.2);
    const paid = i % 3 === 0;
    const letter = paid ? `A${(i % 9000).toString(36).toUpperCase()}` : '';
    const ref = `FA${String(i).padStart(7, '0')}`;
    buffer += `VE|Ventes|${i}|${date}|41100000|CLIENTS|${aux}|${name}|${ref}|${date}|Facture ${ref}|${amount(ttc)}|${zero}|${letter}|${paid ? date : ''}|${date}||\n`;
    buffer += `VE|Ventes|${i}|${date}|70600000|PRESTATIONS|||${ref}|${date}|Facture ${ref}|${zero}|${amount(ht)}|||${date}||\n`;
    buffer += `VE|Ventes|${i}|${date}|44571000|TVA COLLECTEE|||${ref}|${date}|Facture ${ref}|${zero}|${amount(ttc - ht)}|||${date}||\n`;
    written += 3;
    if (paid) {
      buffer += `BQ|Banque|P${i}|${date}|41100000|CLIENTS|${aux}|${name}|VIR${i}|${date}|Virement ${ref}|${zero}|${amount(ttc)}|${letter}|${date}|${date}||\n`;
      buffer += `BQ|Banque|P${i}|${date}|51200000|BANQUE|||VIR${i}|${date}|Virement ${ref}|${amount(ttc)}|${zero}|||${date}||\n`;
      written += 2;
    }
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buffer = '';
    }
  }
  out.write(buffer);
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}
