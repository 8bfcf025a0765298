import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { fixture, plain, query, recouvre, tempDir } from './cli.js';

interface InvoiceDbRow {
  number: string;
  code: string;
  name: string;
  emails: string;
  issue_date: string;
  due_date: string;
  amount_cents: number;
  paid_cents: number;
  currency: string;
}

function invoices(dir: string): InvoiceDbRow[] {
  return query<InvoiceDbRow>(
    join(dir, 'recouvre.db'),
    `SELECT i.number, c.code, c.name, c.emails, i.issue_date, i.due_date, i.amount_cents, i.paid_cents, i.currency
     FROM invoices i JOIN clients c ON c.id = i.client_id ORDER BY i.number`,
  );
}

async function importJson(dir: string, file: string, ...extra: string[]) {
  const result = await recouvre(['import', file, '--json', ...extra], { cwd: dir });
  return { ...result, json: result.stdout ? JSON.parse(result.stdout) : null };
}

describe('recouvre import: encodings and the quirks of real exports', () => {
  const expected = [
    {
      number: 'F-001',
      code: 'C01',
      name: 'Société Générale d’Études',
      emails: 'compta@sge.fr',
      issue_date: '2026-09-15',
      due_date: '2026-10-15',
      amount_cents: 123456,
      paid_cents: 0,
      currency: 'EUR',
    },
    {
      number: 'F-002',
      code: 'C02',
      name: 'Œuvres & Cie',
      emails: 'paiement@oeuvres.fr',
      issue_date: '2026-10-01',
      due_date: '2026-10-31',
      amount_cents: 9990,
      paid_cents: 5000,
      currency: 'EUR',
    },
  ];

  for (const [file, encoding] of [
    ['utf-8-bom.csv', 'utf8'],
    ['utf-8-sans-bom.csv', 'utf8'],
    ['windows-1252.csv', 'windows-1252'],
    ['utf-16.csv', 'utf16le'],
  ] as const) {
    it(`reads ${file} with its accents, € and ’ intact`, async () => {
      const dir = tempDir();
      const { code, json } = await importJson(dir, fixture(`import/${file}`));
      expect(code).toBe(0);
      expect(json).toMatchObject({
        encodage: encoding,
        crees: 2,
        mis_a_jour: 0,
        inchanges: 0,
        rejetes: 0,
        erreurs: [],
      });
      expect(invoices(dir)).toEqual(expected);
    });
  }

  it('reads UTF-16 without its byte-order mark, found by its zero bytes or said with --encodage utf16', async () => {
    for (const extra of [[], ['--encodage', 'utf16']]) {
      const dir = tempDir();
      const { code, json, stderr } = await importJson(dir, fixture('import/utf16-sans-bom.csv'), ...extra);
      expect(code, stderr).toBe(0);
      expect(json).toMatchObject({ encodage: 'utf16le', crees: 2, rejetes: 0 });
      expect(invoices(dir).map((r) => [r.number, r.name, r.amount_cents])).toEqual([
        ['U1', 'Société Générale d’Équipement', 125000],
        ['U2', 'Bêta', 8050],
      ]);
    }
    // Big-endian UTF-16 is named, with what to do, rather than called binary.
    const dir = tempDir();
    const big = await recouvre(['import', fixture('import/utf16-gros-boutiste.csv')], { cwd: dir });
    expect(big.code).toBe(1);
    expect(big.stderr).toContain('est en UTF-16 gros-boutiste (big-endian)');
    expect(big.stderr).toContain('« CSV UTF-8 »');
  });

  it('says a file without header row has none, and reads it with --sans-entete and the places of the columns', async () => {
    const dir = tempDir();
    const file = fixture('import/sans-entete.csv');
    const refused = await recouvre(['import', file], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "sans-entete.csv : la première ligne ressemble à des données (« 01/09/2026 », « 01/10/2026 », « 1 440,00 »), pas à des titres de colonnes : le fichier n'a pas de ligne d'en-tête.",
    );
    expect(refused.stderr).toContain('1 = « F-101 », 2 = « Boulangerie Lefèvre », 3 = « 01/09/2026 »');
    expect(refused.stderr).toContain('recouvre import sans-entete.csv --sans-entete --colonne numero=1');
    expect(existsSync(join(dir, 'recouvre.db'))).toBe(false);
    const half = await recouvre(['import', file, '--sans-entete', '--colonne', 'numero=1'], { cwd: dir });
    expect(half.code).toBe(1);
    expect(half.stderr).toContain(
      "(sans ligne d'en-tête) : indiquez la place de client, date de facture, montant TTC.",
    );
    const places = ['numero=1', 'client=2', 'date=3', 'echeance=4', 'montant=5'].flatMap((c) => [
      '--colonne',
      c,
    ]);
    const { code, json } = await importJson(
      dir,
      file,
      '--sans-entete',
      ...places,
      '--enregistrer-profil',
      'brut',
    );
    expect(code).toBe(0);
    // Every line is an invoice: the first one too.
    expect(json).toMatchObject({ crees: 3, rejetes: 0 });
    expect(invoices(dir).map((r) => [r.number, r.name, r.due_date, r.amount_cents])).toEqual([
      ['F-101', 'Boulangerie Lefèvre', '2026-10-01', 144000],
      ['F-102', 'Garage du Centre', '2026-10-03', 215000],
      ['F-103', 'Atelier Nord', '2026-10-10', 38000],
    ]);
    // The saved profile remembers that the file has no header.
    expect(readFileSync(join(dir, 'recouvre.toml'), 'utf8')).toContain('sans_entete = true');
    expect((await importJson(dir, file, '--profil', 'brut')).json).toMatchObject({ crees: 0, inchanges: 3 });
  });

  it('reads a CR LF file with a few lines ending in a lone LF as the lines they are', async () => {
    const dir = tempDir();
    const { code, json, stderr } = await importJson(dir, fixture('import/crlf-quelques-lf.csv'));
    expect(code, stderr).toBe(0);
    expect(json).toMatchObject({ crees: 5, rejetes: 0, erreurs: [] });
    expect(invoices(dir).map((r) => [r.number, r.amount_cents])).toEqual([
      ['M1', 10000],
      ['M2', 20000],
      ['M3', 30000],
      ['M4', 40000],
      ['M5', 50000],
    ]);
  });

  it('skips a preamble, reads $ amounts with a decimal point and ISO dates', async () => {
    const dir = tempDir();
    const { code, json } = await importJson(dir, fixture('import/preambule-dollars.csv'));
    expect(code).toBe(0);
    expect(json).toMatchObject({
      ligne_en_tete: 4,
      separateur: ',',
      decimale: '.',
      crees: 2,
      dates_lues: 'aaaa-mm-jj',
    });
    expect(
      invoices(dir).map((r) => [r.number, r.amount_cents, r.paid_cents, r.currency, r.due_date]),
    ).toEqual([
      ['INV-1', 101350, 501, 'USD', '2026-10-25'],
      ['INV-2', 2000, 0, 'USD', '2026-10-26'],
    ]);
  });

  it('reads every thousands separator and date format French software writes', async () => {
    const dir = tempDir();
    const { code } = await importJson(dir, fixture('import/milliers-et-dates.csv'));
    expect(code).toBe(0);
    expect(invoices(dir).map((r) => [r.number, r.issue_date, r.due_date, r.amount_cents])).toEqual([
      ['M1', '2026-09-01', '2026-10-01', 123450],
      ['M2', '2026-09-02', '2026-10-02', 1234500],
      ['M3', '2026-09-03', '2026-10-03', 123456789],
      ['M4', '2026-09-04', '2026-10-04', -4500],
    ]);
  });

  it('reads month names in quoted fields and amounts like "1,020.00"', async () => {
    const dir = tempDir();
    const { code } = await importJson(dir, fixture('import/mois-en-lettres.csv'));
    expect(code).toBe(0);
    expect(invoices(dir).map((r) => [r.number, r.issue_date, r.due_date, r.amount_cents])).toEqual([
      ['N1', '2026-01-28', '2026-02-27', 102000],
      ['N2', '2026-03-05', '2026-04-04', 1550],
    ]);
  });

  it('finds a tab separator in a file named .csv, and computes a missing due date from the payment term', async () => {
    const dir = tempDir();
    const { code, json } = await importJson(dir, fixture('import/tabulations.csv'));
    expect(code).toBe(0);
    expect(json).toMatchObject({ separateur: '\t', echeances_calculees: 1 });
    expect(invoices(dir)[0]).toMatchObject({
      number: 'T1',
      issue_date: '2026-10-10',
      due_date: '2026-11-09',
    });
  });

  it('uses the payment term of recouvre.toml, or of --delai-paiement', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'recouvre.toml'), '[import]\ndelai_paiement_jours = 45\n');
    await importJson(dir, fixture('import/tabulations.csv'));
    expect(invoices(dir)[0]?.due_date).toBe('2026-11-24');
    await importJson(dir, fixture('import/tabulations.csv'), '--delai-paiement', '60');
    expect(invoices(dir)[0]?.due_date).toBe('2026-12-09');
  });

  it('takes identical repeated lines (one per item) as one invoice', async () => {
    const dir = tempDir();
    const { code, json } = await importJson(dir, fixture('import/lignes-articles.csv'));
    expect(code).toBe(0);
    expect(json).toMatchObject({ crees: 2, doublons: 1, rejetes: 0 });
    expect(invoices(dir).map((r) => [r.number, r.amount_cents, r.paid_cents])).toEqual([
      ['Z1', 48975, 0],
      ['Z2', 10000, 10000],
    ]);
  });

  it('finds a number repeated far down a first import, and the client of each line, written by packs', async () => {
    // 100 lines: line 71 repeats line 67 as it is (one invoice); lines 86 and 91 repeat lines 16
    // and 89 with another amount (refused). Lines 16 and 67 are in packs already written, not 89.
    const dir = tempDir();
    const lines = ['N° facture;Code client;Client;Date facture;Échéance;Montant TTC'];
    const repeats = new Map([
      [70, 66],
      [85, 15],
      [90, 88],
    ]);
    for (let i = 1; i <= 100; i++) {
      const n = repeats.get(i) ?? i;
      const amount = i === 85 || i === 90 ? '999,00' : `${n},00`;
      lines.push(`F${n};C${n % 7};Client ${n % 7};01/02/2026;31/03/2026;${amount}`);
    }
    writeFileSync(join(dir, 'cent.csv'), `${lines.join('\n')}\n`);
    const { code, json } = await importJson(dir, 'cent.csv', '--ignorer-erreurs');
    expect(code).toBe(1);
    expect(json).toMatchObject({ crees: 97, doublons: 1, rejetes: 2 });
    expect(json.erreurs.map((e: { ligne: number; message: string }) => [e.ligne, e.message])).toEqual([
      [86, expect.stringContaining('numéro déjà présent ligne 16')],
      [91, expect.stringContaining('numéro déjà présent ligne 89')],
    ]);
    const stored = query<{
      id: number;
      number: string;
      amount_cents: number;
      source_line: number;
      code: string;
    }>(
      join(dir, 'recouvre.db'),
      `SELECT i.id, i.number, i.amount_cents, i.source_line, c.code
       FROM invoices i JOIN clients c ON c.id = i.client_id ORDER BY i.id`,
    );
    expect(stored).toHaveLength(97);
    // In the order of the file, each with its own line, amount and client.
    for (const [at, invoice] of stored.entries()) {
      const n = Number(invoice.number.slice(1));
      expect(invoice).toEqual({
        id: at + 1,
        number: `F${n}`,
        amount_cents: n * 100,
        source_line: n + 1,
        code: `C${n % 7}`,
      });
    }
    expect(query(join(dir, 'recouvre.db'), 'SELECT count(*) AS n FROM clients')).toEqual([{ n: 7 }]);
  });

  it('leaves out drafts and cancelled invoices, and takes "Payée" as paid', async () => {
    const dir = tempDir();
    const { json } = await importJson(dir, fixture('import/statuts.csv'));
    expect(json).toMatchObject({ crees: 2, ignorees: 2 });
    expect(invoices(dir).map((r) => [r.number, r.amount_cents, r.paid_cents])).toEqual([
      ['S3', 30000, 30000],
      ['S4', 40000, 0],
    ]);
  });

  it('imports an invoice whose status says « En litige », « Refusée » or « Contestée » as disputed, never chased', async () => {
    const dir = tempDir();
    const file = fixture('import/statuts-litige.csv');
    const first = await recouvre(['import', file], { cwd: dir });
    expect(first.code).toBe(0);
    expect(plain(first.stdout)).toContain(
      "3 factures mises en litige d'après la colonne de statut (en litige, contestée, refusée, approuvée partiellement) : elles ne seront pas relancées.",
    );
    const disputes = () =>
      query<{ number: string; disputed: number; dispute_reason: string | null }>(
        join(dir, 'recouvre.db'),
        'SELECT number, disputed, dispute_reason FROM invoices ORDER BY number',
      ).map((r) => [r.number, r.disputed, r.dispute_reason]);
    expect(disputes()).toEqual([
      ['L1', 1, "statut « En litige » dans l'export"],
      ['L2', 1, "statut « Refusée » dans l'export"],
      ['L3', 1, "statut « Contestée » dans l'export"],
      ['L4', 0, null],
    ]);
    const plan = JSON.parse(
      (await recouvre(['relancer', '--dry-run', '--json', '--date', '2026-12-01'], { cwd: dir })).stdout,
    );
    expect(
      plan.actions.flatMap((a: { factures: { numero: string }[] }) => a.factures.map((f) => f.numero)),
    ).toEqual(['L4']);
    expect(plan.exclues.map((e: { numero: string; raison: string }) => [e.numero, e.raison])).toEqual([
      ['L1', 'litige'],
      ['L2', 'litige'],
      ['L3', 'litige'],
    ]);

    // Read again: nothing more to mark. A dispute lifted by hand is not set again by the same
    // status, even when the line is read in full (another payment term changes every fingerprint).
    expect((await importJson(dir, file)).json).toMatchObject({ inchanges: 4, litiges_selon_statut: 0 });
    expect((await recouvre(['litige', 'L1', '--lever'], { cwd: dir })).code).toBe(0);
    expect((await importJson(dir, file, '--delai-paiement', '45')).json).toMatchObject({
      litiges_selon_statut: 0,
    });
    expect(disputes()[0]).toEqual(['L1', 0, null]);

    // An open invoice that the next export says refused is marked then, once, in its history.
    const later = join(dir, 'export-suivant.csv');
    writeFileSync(later, readFileSync(file, 'utf8').replace('800,00;Émise', '800,00;Refusée'));
    expect((await importJson(dir, later)).json).toMatchObject({ litiges_selon_statut: 1 });
    expect(disputes()[3]).toEqual(['L4', 1, "statut « Refusée » dans l'export"]);
    const history = plain((await recouvre(['historique', 'L4'], { cwd: dir })).stdout);
    expect(history).toContain("mise en litige : statut « Refusée » dans l'export");
  });

  it('derives the paid amount from "Reste dû", and reads client kind and postal address', async () => {
    const dir = tempDir();
    await importJson(dir, fixture('import/reste-du.csv'));
    expect(invoices(dir)[0]).toMatchObject({ number: 'R1', amount_cents: 50000, paid_cents: 38000 });
    const [client] = query<{ kind: string; address: string }>(
      join(dir, 'recouvre.db'),
      'SELECT kind, address FROM clients',
    );
    expect(client).toEqual({ kind: 'particulier', address: '3 rue des Lilas\n69003 Lyon' });
  });

  it('maps unknown headers with --colonne, saves them as a profile, and reuses it', async () => {
    const dir = tempDir();
    const file = fixture('import/colonnes-maison.csv');
    const refused = await recouvre(['import', file], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('colonne obligatoire absente : numéro de facture, date de facture.');
    expect(refused.stderr).toContain('« Réf. doc », « Nom », « Date doc », « Net à payer »');

    const saved = await recouvre(
      [
        'import',
        file,
        '--colonne',
        'numero=Réf. doc',
        '--colonne',
        'client=Nom',
        '--colonne',
        'date=Date doc',
        '--colonne',
        'montant=Net à payer',
        '--enregistrer-profil',
        'maison',
      ],
      { cwd: dir },
    );
    expect(saved.code).toBe(0);
    expect(saved.stdout).toContain('Profil « maison » enregistré dans recouvre.toml');
    expect(readFileSync(join(dir, 'recouvre.toml'), 'utf8')).toContain('[profils.maison.colonnes]');

    const again = await importJson(dir, file, '--profil', 'maison');
    expect(again.code).toBe(0);
    expect(again.json).toMatchObject({ crees: 0, inchanges: 1 });
    expect(invoices(dir)[0]).toMatchObject({ number: 'X1', name: 'Zeta', amount_cents: 7500 });
  });

  it('leaves out blank lines and total lines that are the sum of the lines above, and says so', async () => {
    const dir = tempDir();
    // Sage-like: a subtotal per client, blank lines of separators, then the grand total.
    const sage = await importJson(dir, fixture('import/totaux-sage.csv'));
    expect(sage.code).toBe(0);
    expect(sage.json).toMatchObject({ crees: 3, rejetes: 0, lignes_total: 3 });
    // Read again: the same, never a full read skipped past the totals.
    expect((await importJson(dir, fixture('import/totaux-sage.csv'))).json).toMatchObject({
      inchanges: 3,
      lignes_total: 3,
    });
    const excel = await recouvre(['import', fixture('import/totaux-excel.csv')], { cwd: dir });
    expect(excel.code).toBe(0);
    expect(excel.stdout).toContain('1 ligne de total ignorée (la somme des lignes au-dessus).');
    // A total that is not the sum: the export is not what it seems, nothing is imported.
    const wrong = await recouvre(['import', fixture('import/total-faux.csv')], { cwd: dir });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.replace(/[\u00a0\u202f]/g, ' ')).toContain(
      "total-faux.csv:3, colonne « Montant TTC » : « Total » : ligne de total sans numéro de facture, mais son montant (14 000,00 €) n'est pas la somme des lignes au-dessus (9 000,00 €)",
    );
    expect(invoices(dir).map((r) => r.number)).toEqual(['F1', 'F2', 'F3', 'FA-10', 'FA-11']);
  });

  it('reads a word about payments far down an invoice export as data, not as a sign of a payment file', async () => {
    const dir = tempDir();
    const file = join(dir, 'ventes.csv');
    const lines = Array.from(
      { length: 30 },
      (_, k) =>
        `V${k + 1};C${k % 3};Client ${k % 3};02/03/2026;100,00;${k === 24 ? 'paiement à réception' : ''}`,
    );
    writeFileSync(file, `N° facture;Code client;Client;Date;Montant TTC;Note\n${lines.join('\n')}\n`);
    const result = await importJson(dir, file);
    expect(result.code).toBe(0);
    expect(result.json).toMatchObject({ crees: 30, rejetes: 0 });
  });

  it('reads a payment file as payments, never as invoices, unless told --type factures', async () => {
    const dir = tempDir();
    // Read as payments: there is no invoice yet for them to pay, so nothing is created.
    const asPayments = await recouvre(['import', fixture('import/reglements.csv')], { cwd: dir });
    expect(asPayments.code).toBe(1);
    expect(asPayments.stderr).toContain('Aucune base recouvre');
    expect(existsSync(join(dir, 'recouvre.db'))).toBe(false);
    const forced = await recouvre(
      ['import', fixture('import/reglements.csv'), '--type', 'factures', '--json'],
      {
        cwd: dir,
      },
    );
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ crees: 1 });
  });
});

describe('recouvre import: a negative amount', () => {
  it('is taken as a credit note, and the summary says so, with the line, the first time only', async () => {
    const dir = tempDir();
    const file = join(dir, 'factures.csv');
    writeFileSync(
      file,
      'N° facture;Client;Date facture;Montant TTC\nF1;Alpha;01/09/2026;100,00\nF2;Bêta;01/09/2026;-50,00\n',
    );
    const first = await recouvre(['import', file], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      '1 montant négatif lu comme un avoir (F2, ligne 3) : déduit de ce que doit le client.',
    );
    expect(invoices(dir).find((i) => i.number === 'F2')!.amount_cents).toBe(-5000);
    const again = await importJson(dir, file);
    expect(again.json.avoirs_crees).toBe(0);
    expect((await recouvre(['import', file], { cwd: dir })).stdout).not.toContain('avoir');
  });
});

describe('recouvre import: re-imports update, never duplicate', () => {
  it('re-importing the same file changes nothing; an updated export updates and journals', async () => {
    const dir = tempDir();
    const first = await importJson(dir, fixture('../../examples/factures.csv'));
    expect(first.json).toMatchObject({ crees: 10, mis_a_jour: 0, inchanges: 0, clients_crees: 6 });
    const same = await importJson(dir, fixture('../../examples/factures.csv'));
    expect(same.json).toMatchObject({ crees: 0, mis_a_jour: 0, inchanges: 10, rejetes: 0 });
    const updated = await importJson(dir, fixture('../../examples/factures-maj.csv'));
    expect(updated.json).toMatchObject({ crees: 1, mis_a_jour: 2, inchanges: 8, clients_mis_a_jour: 1 });

    const rows = invoices(dir);
    expect(rows).toHaveLength(11);
    expect(rows.find((r) => r.number === 'F2026-0102')).toMatchObject({
      amount_cents: 276050,
      paid_cents: 276050,
    });
    expect(rows.find((r) => r.number === 'F2026-0106')).toMatchObject({
      emails: 'atelier@menuiserie-ferrand.fr',
    });

    const db = join(dir, 'recouvre.db');
    const imports = query<{ file_name: string; sha256: string; created: number; updated: number }>(
      db,
      'SELECT file_name, sha256, created, updated FROM imports ORDER BY id',
    );
    expect(imports.map((i) => [i.file_name, i.created, i.updated])).toEqual([
      ['factures.csv', 10, 0],
      ['factures.csv', 0, 0],
      ['factures-maj.csv', 1, 2],
    ]);
    expect(imports[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const changes = query<{ details: string }>(
      db,
      "SELECT details FROM journal WHERE kind = 'facture_modifiee' ORDER BY id",
    ).map((r) => JSON.parse(r.details));
    expect(changes).toContainEqual({
      numero: 'F2026-0102',
      ligne: 3,
      avant: { regle_centimes: 100000 },
      apres: { regle_centimes: 276050 },
    });
    expect(query(db, "SELECT id FROM journal WHERE kind = 'import'")).toHaveLength(3);
  });

  it('refuses a re-import that would wipe an invoice or rewrite its amount, unless told it is meant', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'factures.csv'),
      'N° facture;Code client;Raison sociale;Date facture;Échéance;Montant TTC;Réglé\n' +
        'F1;C1;Alpha SARL;01/10/2026;31/10/2026;1 200,00;0,00\n' +
        'F2;C1;Alpha SARL;01/10/2026;31/10/2026;500,00;300,00\n',
    );
    expect((await importJson(dir, 'factures.csv')).json).toMatchObject({ crees: 2 });
    const db = join(dir, 'recouvre.db');
    const state = () => [
      invoices(dir),
      query(db, 'SELECT count(*) AS n FROM journal'),
      query(db, 'SELECT count(*) AS n FROM imports'),
    ];
    const before = state();
    // A broken export: F1 at zero, F2 lowered by more than what was paid on it.
    writeFileSync(
      join(dir, 'casse.csv'),
      'N° facture;Code client;Raison sociale;Date facture;Échéance;Montant TTC;Réglé\n' +
        'F1;C1;Alpha SARL;01/10/2026;31/10/2026;0,00;0,00\n' +
        'F2;C1;Alpha SARL;01/10/2026;31/10/2026;100,00;0,00\n',
    );
    const refused = await recouvre(['import', 'casse.csv'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(plain(refused.stderr)).toContain(
      'casse.csv:2, colonne « Montant TTC » : « 0,00 € » : facture F1 déjà importée : le montant passerait de 1 200,00 € à 0,00 €.',
    );
    expect(plain(refused.stderr)).toContain(
      'facture F2 déjà importée : le montant passerait de 500,00 € à 100,00 €, un écart plus grand que ce qui est réglé (300,00 €)',
    );
    expect(refused.stderr).toContain('--accepter-modifications');
    expect(state()).toEqual(before);
    // A correction within what was paid goes through; a meant change with the option.
    writeFileSync(
      join(dir, 'corrige.csv'),
      'N° facture;Code client;Raison sociale;Date facture;Échéance;Montant TTC;Réglé\n' +
        'F2;C1;Alpha SARL;01/10/2026;31/10/2026;450,00;300,00\n',
    );
    expect((await importJson(dir, 'corrige.csv')).json).toMatchObject({ mis_a_jour: 1 });
    expect((await importJson(dir, 'casse.csv', '--accepter-modifications')).json).toMatchObject({
      mis_a_jour: 2,
    });
    expect(invoices(dir).map((r) => [r.number, r.amount_cents])).toEqual([
      ['F1', 0],
      ['F2', 10000],
    ]);
  });

  it('--dry-run reports what would change and writes nothing', async () => {
    const dir = tempDir();
    await importJson(dir, fixture('../../examples/factures.csv'));
    const dry = await importJson(dir, fixture('../../examples/factures-maj.csv'), '--dry-run');
    expect(dry.json).toMatchObject({ simulation: true, importe: false, crees: 1, mis_a_jour: 2 });
    expect(invoices(dir)).toHaveLength(10);
    expect(query(join(dir, 'recouvre.db'), 'SELECT id FROM imports')).toHaveLength(1);
  });

  it('--liste-complete marks open invoices absent from the file as settled, and a later import reopens them', async () => {
    const dir = tempDir();
    await importJson(dir, fixture('../../examples/factures-maj.csv'));
    const partial = join(dir, 'ouvertes.csv');
    const lines = readFileSync(fixture('../../examples/factures-maj.csv'), 'latin1').split('\r\n');
    writeFileSync(
      partial,
      Buffer.from(lines.filter((l) => !l.startsWith('F2026-0101')).join('\r\n'), 'latin1'),
    );

    const withoutFlag = await importJson(dir, partial);
    expect(withoutFlag.json).toMatchObject({ soldees: 0 });
    const complete = await importJson(dir, partial, '--liste-complete');
    expect(complete.json).toMatchObject({ soldees: 1 });
    const late = await recouvre(['factures', '--en-retard', '--date', '2026-11-20', '--json'], { cwd: dir });
    expect(JSON.parse(late.stdout).factures.map((f: { numero: string }) => f.numero)).not.toContain(
      'F2026-0101',
    );

    const reopened = await importJson(dir, fixture('../../examples/factures-maj.csv'));
    expect(reopened.json).toMatchObject({ mis_a_jour: 1 });
    const again = await recouvre(['factures', '--en-retard', '--date', '2026-11-20', '--json'], { cwd: dir });
    expect(JSON.parse(again.stdout).factures.map((f: { numero: string }) => f.numero)).toContain(
      'F2026-0101',
    );
  });
});

describe('recouvre import: bad input is refused with a precise French message, and the store is unchanged', () => {
  const cases: readonly (readonly [string, RegExp])[] = [
    ['vide.csv', /« .*vide\.csv » est vide \(0 octet\)/],
    ['entete-seule.csv', /ne contient que la ligne d'en-tête \(ligne 1\) : aucune facture à importer/],
    [
      'colonnes-inconnues.csv',
      /aucune colonne reconnue[\s\S]*« foo », « bar », « baz »[\s\S]*--colonne numero=/,
    ],
    [
      'colonne-manquante.csv',
      /colonne-manquante\.csv:1 : colonne obligatoire absente : montant TTC[\s\S]*« Montant TTC »/,
    ],
    ['guillemet-non-ferme.csv', /guillemet-non-ferme\.csv:2 : guillemet ouvrant jamais fermé/],
    [
      'nombre-de-colonnes.csv',
      /nombre-de-colonnes\.csv:2 : 7 colonnes au lieu de 8[\s\S]*nombre-de-colonnes\.csv:3 : 9 colonnes au lieu de 8/,
    ],
    [
      'date-invalide.csv',
      /date-invalide\.csv:2, colonne « Date facture » : « 31\/02\/2026 » : le 31\/02\/2026 n'existe pas/,
    ],
    [
      'echeance-improbable.csv',
      /echeance-improbable\.csv:3, colonne « Échéance » : « 01\/09\/2020 » : échéance 01\/09\/2020 plus d'un an avant la date de facture \(01\/09\/2026\)[\s\S]*echeance-improbable\.csv:4, colonne « Échéance » : « 01\/10\/2206 » : échéance 01\/10\/2206 plus de dix ans après/,
    ],
    [
      'montant-invalide.csv',
      /montant-invalide\.csv:2, colonne « Montant TTC » : « 12,34,56 » : plusieurs séparateurs décimaux/,
    ],
    ['regle-negatif.csv', /regle-negatif\.csv:2, colonne « Réglé » : « -5,00 » : montant réglé négatif/],
    [
      'regle-superieur.csv',
      /regle-superieur\.csv:2, colonne « Réglé » : « 150,00 » : le montant réglé dépasse le montant de la facture \(100,00\u00a0€\)/,
    ],
    [
      'doublon-different.csv',
      /doublon-different\.csv:4, colonne « N° facture » : « F1 » : numéro déjà présent ligne 2 avec d'autres valeurs \(montant_centimes\)/,
    ],
    // A damaged header, and a client's address with « paiement » in it: still an invoice export.
    ['entete-abimee.csv', /entete-abimee\.csv:1 : colonne obligatoire absente : numéro de facture\.\n/],
    [
      'encodages-melanges.csv',
      /« .*encodages-melanges\.csv » mélange deux encodages : la ligne 1 est en UTF-8 \(« N° facture;[\s\S]*la ligne 3 ne l'est pas \(Windows-1252 \?\)[\s\S]*--encodage windows-1252/,
    ],
    ['binaire.csv', /n'est pas un fichier texte/],
    ['classeur.xlsx', /classeur Excel[\s\S]*enregistrez-le au format « CSV/],
  ];
  for (const [file, message] of cases) {
    it(`${file}: exit 1, message, nothing written`, async () => {
      const dir = tempDir();
      await importJson(dir, fixture('import/utf-8-bom.csv'));
      const before = invoices(dir);
      const result = await recouvre(['import', fixture(`import/${file}`)], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
      expect(invoices(dir)).toEqual(before);
      expect(query(join(dir, 'recouvre.db'), 'SELECT id FROM imports')).toHaveLength(1);
    });
  }

  it('a directory is read as a folder of e-invoices, and a missing file is named as such', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'exports'));
    const folder = await recouvre(['import', 'exports'], { cwd: dir });
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain('factures électroniques');
    const missing = await recouvre(['import', 'absent.csv'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('fichier introuvable : « absent.csv »');
    expect(existsSync(join(dir, 'recouvre.db'))).toBe(false);
  });

  it('lists every problem of the file, not only the first, and --json gives line and column', async () => {
    const dir = tempDir();
    const result = await importJson(dir, fixture('import/plusieurs-erreurs.csv'));
    expect(result.code).toBe(1);
    expect(result.json).toMatchObject({ importe: false, crees: 2, rejetes: 2, nombre_erreurs: 3 });
    expect(result.json.erreurs).toEqual([
      {
        ligne: 3,
        colonne: 'Montant TTC',
        valeur: '1O,00',
        message: "ce n'est pas un montant (attendu : 1 234,56)",
      },
      {
        ligne: 3,
        colonne: 'Email',
        valeur: 'pas-un-email',
        message: 'adresse e-mail invalide (attendu : nom@domaine.fr)',
      },
      { ligne: 4, colonne: 'Date facture', valeur: '01/13/2026', message: "le mois 13 n'existe pas" },
    ]);
    expect(existsSync(join(dir, 'recouvre.db'))).toBe(false);
  });

  it('while a first import writes without the log, another command reads what was kept, or says the base is busy', async () => {
    const dir = tempDir();
    const db = join(dir, 'recouvre.db');
    expect((await importJson(dir, fixture('import/utf-8-bom.csv'))).code).toBe(0);
    const total = async () => {
      const result = await recouvre(['rapport', '--format', 'json', '--date', '2026-12-31'], { cwd: dir });
      return { ...result, total: result.code === 0 ? JSON.parse(result.stdout).balance_agee.total : null };
    };
    const before = await total();
    expect(before.total).toBeGreaterThan(0);
    // What a first import does (withRollbackJournal), held open by this test.
    const importer = new Database(db);
    try {
      expect(importer.pragma('journal_mode = DELETE', { simple: true })).toBe('delete');
      importer.exec('BEGIN IMMEDIATE; UPDATE invoices SET paid_cents = amount_cents;');
      // Not written yet: the report reads the base as it was, and does not wait.
      expect(await total()).toMatchObject({ code: 0, total: before.total });
      importer.exec('ROLLBACK; BEGIN EXCLUSIVE;');
      // Writing its pages: the report waits 5 s, then says why it stops.
      const busy = await total();
      expect(busy.code).toBe(1);
      expect(busy.stderr).toContain('la base est occupée par un autre recouvre');
      expect(busy.stderr).not.toContain('erreur interne');
      importer.exec('ROLLBACK');
    } finally {
      importer.pragma('journal_mode = WAL');
      importer.close();
    }
    expect(await total()).toMatchObject({ code: 0, total: before.total });
  }, 30_000);

  it('a first import into an empty base builds its indexes at the end, and a failed one leaves them', async () => {
    const dir = tempDir();
    const db = join(dir, 'recouvre.db');
    const indexes = () =>
      query<{ name: string }>(
        db,
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'invoices' AND sql IS NOT NULL ORDER BY name",
      ).map((r) => r.name);
    expect((await recouvre(['init'], { cwd: dir })).code).toBe(0);
    const before = indexes();
    expect(before).toEqual(['invoices_client', 'invoices_due_date', 'invoices_paid_late']);
    expect((await recouvre(['import', fixture('import/plusieurs-erreurs.csv')], { cwd: dir })).code).toBe(1);
    expect(indexes()).toEqual(before);
    expect(query(db, 'SELECT 1 FROM invoices')).toEqual([]);
    copyFileSync(fixture('import/plusieurs-erreurs.csv'), join(dir, 'erreurs.csv'));
    // The valid lines go in (the exit code still says that some were rejected).
    await recouvre(['import', 'erreurs.csv', '--ignorer-erreurs'], { cwd: dir });
    expect(indexes()).toEqual(before);
    expect(
      query(db, 'SELECT number FROM invoices INDEXED BY invoices_client ORDER BY client_id, number').length,
    ).toBe(2);
    // Written through a rollback journal (see withRollbackJournal), the store has its log back.
    expect(query(db, 'PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
  });

  it('a first import checks the foreign keys of the whole base before keeping anything', async () => {
    // Into an empty base they are checked at once, before the commit, not row by row. A trigger
    // stands for a fault that would point an invoice at no client: nothing may be kept then.
    const dir = tempDir();
    const db = join(dir, 'recouvre.db');
    expect((await recouvre(['init'], { cwd: dir })).code).toBe(0);
    const sqlite = new Database(db);
    sqlite.exec(`CREATE TRIGGER fault AFTER INSERT ON invoices WHEN NEW.number = 'F-002'
      BEGIN UPDATE invoices SET client_id = 999999 WHERE id = NEW.id; END`);
    sqlite.close();
    const result = await recouvre(['import', fixture('import/utf-8-bom.csv')], { cwd: dir });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('renvoient à une ligne absente');
    expect(query(db, 'SELECT 1 FROM invoices')).toEqual([]);
    expect(query(db, 'SELECT 1 FROM clients')).toEqual([]);
    expect(query(db, 'SELECT 1 FROM imports')).toEqual([]);
    // A later import, into a base that is no longer empty, checks them row by row as usual.
    const cleaned = new Database(db);
    cleaned.exec('DROP TRIGGER fault');
    cleaned.close();
    expect((await recouvre(['import', fixture('import/utf-8-bom.csv')], { cwd: dir })).code).toBe(0);
    expect(query(db, 'PRAGMA foreign_key_check')).toEqual([]);
  });

  it('--ignorer-erreurs imports the valid lines and writes the rejected ones, with the reason, beside the input', async () => {
    const dir = tempDir();
    copyFileSync(fixture('import/plusieurs-erreurs.csv'), join(dir, 'export.csv'));
    const result = await recouvre(['import', 'export.csv', '--ignorer-erreurs'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('2 factures créées');
    expect(result.stdout).toContain('Lignes rejetées écrites dans export.rejets.csv');
    expect(invoices(dir).map((r) => r.number)).toEqual(['F1', 'F4']);
    const rejects = readFileSync(join(dir, 'export.rejets.csv'), 'utf8');
    expect(rejects.startsWith('\ufeffN° facture;')).toBe(true);
    expect(rejects).toContain(';Ligne;Motif du rejet');
    expect(rejects).toContain(
      "F3;C1;Client A;a@a.fr;01/13/2026;31/03/2026;10,00;0;4;Date facture : le mois 13 n'existe pas",
    );
  });
});
