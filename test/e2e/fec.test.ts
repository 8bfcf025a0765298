import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, query, recouvre, tempDir } from './cli.js';

function invoices(dir: string) {
  return query<{
    number: string;
    code: string;
    name: string;
    issue_date: string;
    amount_cents: number;
    paid_cents: number;
  }>(
    join(dir, 'recouvre.db'),
    `SELECT i.number, c.code, c.name, i.issue_date, i.amount_cents, i.paid_cents FROM invoices i
     JOIN clients c ON c.id = i.client_id ORDER BY i.number`,
  );
}

describe('recouvre import: FEC', () => {
  it('reads receivables from a real-looking FEC: | with a trailing |, padding, Windows-1252, shared PieceRef, reused letters', async () => {
    const dir = tempDir();
    const result = await recouvre(['import', fixture('fec/123456789FEC20261231.txt'), '--json'], {
      cwd: dir,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      type: 'fec',
      encodage: 'windows-1252',
      crees: 6,
      factures: 5,
      avoirs: 1,
      clients_crees: 3,
      reglements: 3,
      reglements_sans_lettrage: 1,
      pieces_partagees: 4,
    });
    expect(invoices(dir).map((i) => [i.number, i.code, i.issue_date, i.amount_cents, i.paid_cents])).toEqual([
      // Opening balance, 100 € paid by the unlettered cheque (oldest invoice first).
      ['AN 2026', '41100001', '2025-12-15', 30000, 10000],
      // No auxiliary account: the 411 account is the client.
      ['FA-2026-55', '41100099', '2026-10-01', 25000, 0],
      // « VE  0926 » is shared by a month of invoices: they are known by entry number.
      ['VE-00000010', '41100001', '2026-09-05', 120000, 120000],
      // « AA » is also Garage Étoile's letter: its 500 € go to its own invoice only.
      ['VE-00000011', '41100002', '2026-09-01', 60000, 50000],
      ['VE-00000012', '41100002', '2026-09-20', 48000, 0],
      ['VE-00000013', '41100002', '2026-09-25', -8000, 0],
    ]);
    expect(invoices(dir).find((i) => i.code === '41100001')?.name).toBe('BOULANGERIE LEFÈVRE');

    const again = JSON.parse(
      (await recouvre(['import', fixture('fec/123456789FEC20261231.txt'), '--json'], { cwd: dir })).stdout,
    );
    expect(again).toMatchObject({ crees: 0, inchanges: 6 });

    // Settled invoices are not chased; the open credit note reduces what Garage Étoile is asked.
    const plan = JSON.parse(
      (await recouvre(['relancer', '--dry-run', '--json', '--date', '2026-11-20'], { cwd: dir })).stdout,
    ) as {
      actions: { client: string; total_reclame_centimes: number; factures: { numero: string }[] }[];
    };
    const chased = plan.actions.flatMap((a) => a.factures.map((f) => f.numero));
    expect(chased).not.toContain('VE-00000010');
    const garage = plan.actions.find((a) => a.client === '41100002')!;
    // 100 € left on VE-00000011 and 480 € on VE-00000012, less the 80 € credit note.
    expect(garage.total_reclame_centimes).toBe(50000);
  });

  it('dates what it settles by the lettering, so that the report needs no estimate', async () => {
    const dir = tempDir();
    expect((await recouvre(['import', fixture('fec/123456789FEC20261231.txt')], { cwd: dir })).code).toBe(0);
    const db = join(dir, 'recouvre.db');
    // FACTURE 101 lettered AA with the transfer of 10 Oct.; the unlettered cheque of 5 Nov. goes to
    // the oldest open invoice, the brought-forward one.
    expect(query(db, "SELECT paid_on FROM invoices WHERE number = 'VE-00000010'")).toEqual([
      { paid_on: '2026-10-10' },
    ]);
    expect(query(db, "SELECT paid_on FROM invoices WHERE number = 'AN 2026'")).toEqual([
      { paid_on: '2026-11-05' },
    ]);
    // Paid 5 days late by the lettering: its penalties up to that day stay due.
    const late = await recouvre(['penalites', 'VE-00000010', '--date', '20/11/2026'], { cwd: dir });
    expect(late.stdout).toContain("Réglée le 10/10/2026, 5 jours après l'échéance du 05/10/2026");
    expect(late.stdout.replace(/[\u00a0\u202f]/g, ' ')).toContain(
      'Total dû au titre du retard : 42,00 € (réclamable)',
    );
    const report = await recouvre(
      ['rapport', '--date', '2026-11-20', '--periode', '60', '--format', 'json'],
      {
        cwd: dir,
      },
    );
    expect(report.code, report.stderr).toBe(0);
    // Settled on 10 Oct.: 35 days after its piece date, 5 after its due date (piece date + 30 days).
    expect(JSON.parse(report.stdout).indicateurs).toMatchObject({
      factures_soldees_periode: 1,
      delai_moyen_paiement_jours: 35,
      retard_moyen_jours: 5,
      reglements_dates_estimees_centimes: 0,
    });
    // Imported again, nothing changes.
    const again = await recouvre(['import', fixture('fec/123456789FEC20261231.txt'), '--json'], { cwd: dir });
    expect(JSON.parse(again.stdout)).toMatchObject({ crees: 0, mis_a_jour: 0 });
  });

  it('reads a FEC written in CP850 (DOS) with its accents intact', async () => {
    const dir = tempDir();
    const result = await recouvre(['import', fixture('fec/fec-cp850.txt'), '--json'], { cwd: dir });
    expect(JSON.parse(result.stdout)).toMatchObject({ encodage: 'cp850', crees: 6 });
    expect(invoices(dir).map((i) => i.name)).toContain('GARAGE ÉTOILE');
    expect(invoices(dir).map((i) => i.name)).toContain('BOULANGERIE LEFÈVRE');
  });

  it('reads the Montant/Sens variant, tab-separated, with +1/-1', async () => {
    const dir = tempDir();
    const result = await recouvre(['import', fixture('fec/fec-montant-sens.txt'), '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(invoices(dir).map((i) => [i.number, i.code, i.name, i.amount_cents, i.paid_cents])).toEqual([
      ['F-900', 'C9', 'Oeuvres & Cie', 150000, 150000],
      ['F-901', 'C9', 'Oeuvres & Cie', 70000, 0],
    ]);
  });

  it('names the line of an unreadable entry and imports nothing', async () => {
    const dir = tempDir();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      join(dir, 'FEC.txt'),
      'JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|EcritureLib|Debit|Credit|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise\nVE|Ventes|1|20261301|411000|Clients|C1|Client|F1|20261001|Facture|100,00|0,00|||||\n',
    );
    const result = await recouvre(['import', 'FEC.txt'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('FEC.txt:2 : EcritureDate « 20261301 » : date AAAAMMJJ attendue');
  });
});
