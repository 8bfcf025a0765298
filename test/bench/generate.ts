import { createWriteStream } from 'node:fs';

/**
 * Writes a French invoice export of `lines` invoices over `clients` clients: `;` separator,
 * decimal comma with space-grouped thousands, dd/mm/yyyy dates, UTF-8 with BOM, as Excel-FR
 * exports look. Deterministic, so that runs compare.
 */
export async function generateExport(path: string, lines: number, clients: number): Promise<void> {
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
    const paid = i % 3 === 0 ? amount : i % 7 === 0 ? Math.floor(amount / 2) : 0;
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
