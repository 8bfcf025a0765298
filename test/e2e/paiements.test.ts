import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, query, recouvre, tempDir } from './cli.js';

// factures.csv of test/fixtures/relances: R-001 1 000 € (C1), R-003 500 € (C2), R-004 300 € (C3),
// R-005 800 $ (C4), R-007 900 € already paid (C6), credit note A-001 -100 € (C1).
const FRIDAY = '2026-11-20';

async function company(): Promise<string> {
  const dir = tempDir();
  expect((await recouvre(['import', fixture('relances/factures.csv')], { cwd: dir })).code).toBe(0);
  return dir;
}

async function importJson(dir: string, file: string, ...extra: string[]) {
  const result = await recouvre(['import', file, '--json', ...extra], { cwd: dir });
  return { ...result, json: result.stdout ? JSON.parse(result.stdout) : null };
}

function payments(dir: string) {
  return query<{
    number: string;
    date: string;
    amount_cents: number;
    source: string;
    reference: string | null;
  }>(
    join(dir, 'recouvre.db'),
    `SELECT i.number, p.date, p.amount_cents, p.source, p.reference FROM payments p JOIN invoices i ON i.id = p.invoice_id
     ORDER BY p.id`,
  );
}

async function plan(dir: string) {
  const result = await recouvre(['relancer', '--dry-run', '--json', '--date', FRIDAY], { cwd: dir });
  return JSON.parse(result.stdout) as {
    actions: {
      client: string;
      total_reclame_centimes: number;
      factures: { numero: string; reclame_centimes: number }[];
    }[];
  };
}

describe('recouvre import: payment files', () => {
  it('recognises a payment file (Windows-1252, ;), records each payment once, and stops chasing what is paid', async () => {
    const dir = await company();
    const { code, json } = await importJson(dir, fixture('paiements/reglements.csv'));
    expect(code).toBe(0);
    expect(json).toMatchObject({
      type: 'paiements',
      encodage: 'windows-1252',
      crees: 3,
      deja_connus: 0,
      doublons: 1,
      rejetes: 0,
    });
    expect(payments(dir)).toEqual([
      { number: 'R-003', date: '2026-11-18', amount_cents: 50000, source: 'fichier', reference: 'VIR-4521' },
      { number: 'R-001', date: '2026-11-19', amount_cents: 30000, source: 'fichier', reference: 'CHQ 0012' },
      { number: 'R-007', date: '2026-11-20', amount_cents: 5000, source: 'fichier', reference: 'VIR-4600' },
    ]);
    const again = await importJson(dir, fixture('paiements/reglements.csv'));
    expect(again.json).toMatchObject({ crees: 0, deja_connus: 3, doublons: 1 });
    expect(payments(dir)).toHaveLength(3);

    const p = await plan(dir);
    expect(p.actions.map((a) => a.client)).not.toContain('C2');
    const alpha = p.actions.find((a) => a.client === 'C1')!;
    // 1 000 € - 300 € paid - 100 € credit note.
    expect(alpha.factures.find((f) => f.numero === 'R-001')?.reclame_centimes).toBe(60000);
  });

  it('reads the quirks of an English export: preamble, $ amounts, month-first dates, refunds in brackets', async () => {
    const dir = await company();
    const { code, json } = await importJson(dir, fixture('paiements/preambule-dollars.csv'));
    expect(code).toBe(0);
    expect(json).toMatchObject({ crees: 3, doublons: 1, remboursements: 1 });
    expect(payments(dir).map((p) => [p.number, p.date, p.amount_cents])).toEqual([
      ['R-005', '2026-11-18', 1350],
      ['R-005', '2026-11-19', 101350],
      ['R-005', '2026-11-20', -20000],
    ]);
    // R-005 (800 $): 13,50 $ + 1 013,50 $ paid, 200 $ refunded → 27,00 $ paid beyond the amount.
    expect(json.trop_percus).toEqual([{ numero: 'R-005', montant_centimes: 2700, devise: 'USD' }]);
    const summary = await recouvre(['import', fixture('paiements/preambule-dollars.csv'), '--dry-run'], {
      cwd: await company(),
    });
    expect(summary.stdout).toContain('Trop-perçu sur R-005 (27,00\u00a0USD) : un avoir pour le client');
    expect(summary.stdout).toContain(
      '1 remboursement (montant négatif) enregistré : il augmente le reste dû.',
    );
  });

  it('treats an overpayment as a credit for the client, deducted from its other invoices', async () => {
    const dir = await company();
    writeFileSync(join(dir, 'reglements.csv'), 'N° facture;Date;Montant\nR-002;18/11/2026;250,00\n');
    const { json } = await importJson(dir, 'reglements.csv');
    expect(json.trop_percus).toEqual([{ numero: 'R-002', montant_centimes: 5000, devise: 'EUR' }]);
    const alpha = (await plan(dir)).actions.find((a) => a.client === 'C1')!;
    // R-001: 1 000 € - 100 € (A-001) - 50 € (R-002's overpayment).
    expect(alpha.total_reclame_centimes).toBe(85000);
  });

  it('refuses a file with an unknown invoice or a bad value, line by line, and changes nothing', async () => {
    const dir = await company();
    writeFileSync(
      join(dir, 'reglements.csv'),
      'N° facture;Date;Montant;Devise\nR-999;18/11/2026;100,00;EUR\nR-001;31/02/2026;100,00;EUR\nR-001;18/11/2026;0,00;EUR\nR-005;18/11/2026;100,00;EUR\nR-003;18/11/2026;100,00;EUR\n',
    );
    const before = payments(dir);
    const result = await recouvre(['import', 'reglements.csv'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "reglements.csv:2, colonne « N° facture » : « R-999 » : facture inconnue de recouvre : importez d'abord l'export des factures",
    );
    expect(result.stderr).toContain(
      "reglements.csv:3, colonne « Date » : « 31/02/2026 » : le 31/02/2026 n'existe pas",
    );
    expect(result.stderr).toContain('reglements.csv:4, colonne « Montant » : « 0,00 » : montant nul');
    expect(result.stderr).toContain(
      'reglements.csv:5, colonne « Montant » : « 100,00 » : règlement en EUR pour une facture en USD',
    );
    expect(result.stderr).toContain(
      "4 erreurs dans reglements.csv : rien n'a été importé, la base est inchangée.",
    );
    expect(payments(dir)).toEqual(before);

    const partial = await importJson(dir, 'reglements.csv', '--ignorer-erreurs');
    expect(partial.json).toMatchObject({ crees: 1, rejetes: 4 });
    expect(existsSync(join(dir, 'reglements.rejets.csv'))).toBe(true);
    expect(readFileSync(join(dir, 'reglements.rejets.csv'), 'utf8')).toContain('R-999');
  });

  it('lets --type decide when the file says nothing, and keeps refusing a payment file read as invoices', async () => {
    const dir = await company();
    writeFileSync(
      join(dir, 'export.csv'),
      'Client;N° facture;Montant;Date\nAlpha SARL;R-001;100,00;18/11/2026\n',
    );
    // Titles alone fit an invoice export too: without a word saying otherwise, it is read as invoices.
    const forced = await importJson(dir, 'export.csv', '--type', 'paiements');
    expect(forced.json).toMatchObject({ type: 'paiements', crees: 1 });
    writeFileSync(
      join(dir, 'reglements-novembre.csv'),
      'Client;N° facture;Montant;Date\nAlpha SARL;R-001;100,00;19/11/2026\n',
    );
    expect((await importJson(dir, 'reglements-novembre.csv')).json).toMatchObject({
      type: 'paiements',
      crees: 1,
    });
    // Read as invoices, it would rewrite R-001's amount: refused as a broken export.
    const invoices = await recouvre(['import', 'reglements-novembre.csv', '--type', 'factures'], {
      cwd: dir,
    });
    expect(invoices.code).toBe(1);
    expect(invoices.stderr).toContain('facture R-001 déjà importée');
    const bad = await recouvre(['import', 'export.csv', '--type', 'avoirs'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--type « avoirs » : attendu factures, paiements, statuts ou fec.');
  });
});

describe('recouvre import: a payment file without the columns it needs', () => {
  it('is told so as a payment file, with its own columns', async () => {
    const dir = tempDir();
    await recouvre(['import', fixture('relances/factures.csv')], { cwd: dir });
    writeFileSync(
      join(dir, 'paiements.csv'),
      'paiement_id;client_id;montant_paye\nP001;Entreprise Alpha;1000\n',
    );
    const result = await recouvre(['import', 'paiements.csv'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ce fichier ne ressemble pas à un export de règlements');
    expect(result.stderr).toContain('--colonne numero="…" --colonne date="…" --colonne montant="…"');
    expect(result.stderr).not.toContain('date de facture');
  });
});
