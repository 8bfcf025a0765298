import { appendFileSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFacturX } from '../bench/facturx.js';
import { creditorToml, fixture, query, recouvre, recouvrePlain, tempDir } from './cli.js';

const xml = (name: string) => readFileSync(fixture(`einvoices/${name}`), 'utf8');

/** A company folder whose configuration names Dupont (SIREN 732 829 320), the seller of the fixtures. */
function company(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'recouvre.toml'), creditorToml());
  return dir;
}

/** A folder as a platform or invoicing software drops them: Factur-X PDFs, XMLs, a stray file. */
async function inbox(dir: string, names: readonly string[]): Promise<string> {
  const folder = join(dir, 'boite', '2026-10');
  mkdirSync(folder, { recursive: true });
  await writeFacturX(join(folder, 'F2026-101.pdf'), xml('facture-F2026-101.xml'));
  for (const name of names) copyFileSync(fixture(`einvoices/${name}`), join(folder, name));
  writeFileSync(join(dir, 'boite', 'LISEZMOI.txt'), 'Factures reçues de la plateforme\n');
  return join(dir, 'boite');
}

function invoices(dir: string) {
  return query<{
    number: string;
    code: string;
    name: string;
    due_date: string;
    amount_cents: number;
    paid_cents: number;
    address: string | null;
    emails: string;
  }>(
    join(dir, 'recouvre.db'),
    `SELECT i.number, c.code, c.name, i.due_date, i.amount_cents, i.paid_cents, c.address, c.emails
     FROM invoices i JOIN clients c ON c.id = i.client_id ORDER BY i.number`,
  );
}

const GOOD = ['avoir-AV2026-007.xml', 'sans-echeance-F2026-102.xml', 'client-belge-F2026-103.xml'];

describe('recouvre import: e-invoices (Factur-X, CII, UBL)', () => {
  it('imports a folder of Factur-X PDFs, CII and UBL files, once, with what each says is owed and by when', async () => {
    const dir = company();
    const folder = await inbox(dir, GOOD);
    const result = await recouvrePlain(['import', folder], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('factures électroniques : 1 Factur-X, 2 UBL, 1 CII');
    expect(result.stdout).toContain('4 factures créées');
    expect(result.stdout).toContain('dont 1 avoir');
    expect(result.stdout).toContain('1 fichier ni PDF ni XML laissé de côté');
    // The missing due dates: worked out from the terms, or the legal delay with a warning naming it.
    expect(result.stdout).toContain(
      "F2026-102 (2026-10/sans-echeance-F2026-102.xml) sans date d'échéance : 31/10/2026, d'après « Règlement à 45 jours fin de mois » : 45 jours fin de mois.",
    );
    expect(result.stdout).toMatch(
      /F2026-103 \(2026-10\/client-belge-F2026-103\.xml\) sans date d'échéance : 20\/10\/2026, faute d'échéance et de délai écrits, 30 jours après la facture \(délai légal, art\. L441-10/,
    );

    expect(invoices(dir)).toEqual([
      // The UBL credit note is written positive: the document type makes it a credit.
      expect.objectContaining({
        number: 'AV2026-007',
        code: '552032534',
        amount_cents: -12000,
        paid_cents: 0,
      }),
      // 1 200 € with 200 € prepaid: only the 1 000 € still due are chased.
      expect.objectContaining({
        number: 'F2026-101',
        code: '552032534',
        name: 'Boulangerie Martin',
        due_date: '2026-10-15',
        amount_cents: 120000,
        paid_cents: 20000,
        address: '3 place Bellecour\n69002 Lyon',
        emails: 'compta@boulangerie-martin.fr',
      }),
      expect.objectContaining({
        number: 'F2026-102',
        code: '443061841',
        due_date: '2026-10-31',
        amount_cents: 48000,
      }),
      // A foreign buyer: known by its VAT number, its country on the address.
      expect.objectContaining({
        number: 'F2026-103',
        code: 'BE0123456749',
        due_date: '2026-10-20',
        address: 'Kerkstraat 12\n9000 Gent\nBELGIQUE',
        emails: 'boekhouding@vanrijn.be',
      }),
    ]);

    // Read again: nothing changes.
    const again = JSON.parse((await recouvre(['import', folder, '--json'], { cwd: dir })).stdout);
    expect(again).toMatchObject({
      type: 'e-factures',
      crees: 0,
      mis_a_jour: 0,
      inchanges: 4,
      fichiers_lus: 4,
    });

    // The run chases what is owed: 1 000 € less the 120 € credit note for the bakery.
    const plan = JSON.parse(
      (await recouvre(['relancer', '--dry-run', '--json', '--date', '2026-11-20'], { cwd: dir })).stdout,
    ) as { actions: { client: string; total_reclame_centimes: number }[] };
    expect(plan.actions.find((a) => a.client === '552032534')?.total_reclame_centimes).toBe(88000);
  });

  it('joins the client an export created, by its SIREN, and updates a corrected invoice', async () => {
    const dir = company();
    writeFileSync(
      join(dir, 'clients.csv'),
      'N° facture;Code client;Client;SIREN;Date;Échéance;Montant TTC\nF2026-050;C042;BOULANGERIE MARTIN;552 032 534;01/09/2026;01/10/2026;300,00\n',
    );
    expect((await recouvre(['import', 'clients.csv'], { cwd: dir })).code).toBe(0);
    const file = join(dir, 'F2026-101.xml');
    writeFileSync(file, xml('facture-F2026-101.xml'));
    expect((await recouvre(['import', file], { cwd: dir })).code).toBe(0);
    expect(invoices(dir).map((i) => [i.number, i.code])).toEqual([
      ['F2026-050', 'C042'],
      ['F2026-101', 'C042'],
    ]);
    // The platform sends a corrected invoice (prepaid 300 € instead of 200 €): it updates.
    writeFileSync(
      file,
      xml('facture-F2026-101.xml')
        .replace('<ram:TotalPrepaidAmount>200.00', '<ram:TotalPrepaidAmount>300.00')
        .replace('<ram:DuePayableAmount>1000.00', '<ram:DuePayableAmount>900.00'),
    );
    const updated = JSON.parse((await recouvre(['import', file, '--json'], { cwd: dir })).stdout);
    expect(updated).toMatchObject({ crees: 0, mis_a_jour: 1 });
    expect(invoices(dir).find((i) => i.number === 'F2026-101')?.paid_cents).toBe(30000);
  });

  it('refuses the whole folder when a file is bad, names each with what is wrong, and leaves the base as it was', async () => {
    const dir = company();
    const folder = await inbox(dir, [...GOOD, 'autre-vendeur-FX-9001.xml', 'sans-total-F2026-104.xml']);
    const month = join(folder, '2026-10');
    await writeFacturX(join(month, 'scan.pdf'), null, { pdfa: false });
    await writeFacturX(join(month, 'non-pdfa.pdf'), xml('sans-echeance-F2026-102.xml'), { pdfa: false });
    writeFileSync(join(month, 'commande.xml'), '<?xml version="1.0"?><Order><ID>1</ID></Order>');
    writeFileSync(join(month, 'casse.xml'), '<Invoice><cbc:ID>1</Invoice>');

    const result = await recouvrePlain(['import', folder], { cwd: dir });
    expect(result.code).toBe(1);
    const errors = result.stderr;
    expect(errors).toContain(
      'autre-vendeur-FX-9001.xml : facture FX-9001 émise par « Établissements Leroy SA » (SIREN 552100554, TVA FR44552100554), pas par votre société (SIREN 732829320)',
    );
    expect(errors).toContain(
      'sans-total-F2026-104.xml : champ obligatoire absent : /rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount (total TTC)',
    );
    expect(errors).toContain('scan.pdf : PDF sans facture électronique : aucun fichier XML joint');
    expect(errors).toContain("non-pdfa.pdf : PDF avec factur-x.xml joint, mais qui n'est pas un PDF/A-3");
    expect(errors).toContain(
      "commande.xml : ce XML n'est pas une facture CII ni UBL (élément racine <Order>",
    );
    expect(errors).toMatch(/casse\.xml : XML mal formé, ligne 1, colonne \d+/);
    expect(errors).toContain("6 fichiers refusés : rien n'a été importé, la base est inchangée.");
    expect(errors).toContain('--ignorer-erreurs');
    expect(errors).not.toMatch(/at .*\.js:\d+/);
    expect(() => readFileSync(join(dir, 'recouvre.db'))).toThrow();

    // --ignorer-erreurs imports the good files only, and still says which were refused (exit 1).
    const partial = JSON.parse(
      (await recouvre(['import', folder, '--ignorer-erreurs', '--json'], { cwd: dir })).stdout,
    );
    expect(partial).toMatchObject({ importe: true, crees: 4, nombre_erreurs: 6 });
    expect(invoices(dir).map((i) => i.number)).toEqual(['AV2026-007', 'F2026-101', 'F2026-102', 'F2026-103']);
  });

  it('shows in a dry run what it would import, without writing, and refuses without the company SIREN', async () => {
    const dir = tempDir();
    expect((await recouvre(['init'], { cwd: dir })).code).toBe(0);
    appendFileSync(join(dir, 'recouvre.toml'), `\n${creditorToml()}`);
    const file = join(dir, 'F2026-101.pdf');
    await writeFacturX(file, xml('facture-F2026-101.xml'));
    const dry = await recouvrePlain(['import', file, '--dry-run'], { cwd: dir });
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("Simulation de l'import de F2026-101.pdf (rien n'est écrit)");
    expect(dry.stdout).toContain('1 facture créée');
    expect(invoices(dir)).toEqual([]);

    const anonymous = tempDir();
    const refused = await recouvrePlain(['import', file], { cwd: anonymous });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("le SIREN de votre société n'est pas configuré");
    expect(refused.stderr).toContain('[creancier]');
  });
});
