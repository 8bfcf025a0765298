import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addDays, formatDateFr, localDate } from '../../src/domain/dates.js';
import { fixture, plain, query, recouvre, tempDir } from './cli.js';

// factures.csv of test/fixtures/relances: R-001 1 000 € (C1, due 01/10), R-002 200 € (C1, due 14/11),
// R-003 500 € (C2), R-004 300 € (C3, a private client), R-005 800 $ (C4), R-006 4 € (C5),
// R-007 900 € already paid (C6), R-008 700 € not yet due (C7), credit note A-001 -100 € (C1).
const FRIDAY = '2026-11-20';
// import and statuts work as of the real day (only relancer, rapport… take --date).
const TODAY = localDate(new Date());

async function company(): Promise<string> {
  const dir = tempDir();
  expect((await recouvre(['import', fixture('relances/factures.csv')], { cwd: dir })).code).toBe(0);
  return dir;
}

async function run(dir: string, ...args: string[]) {
  const result = await recouvre(args, { cwd: dir });
  return { ...result, json: args.includes('--json') && result.stdout ? JSON.parse(result.stdout) : null };
}

interface PlanJson {
  actions: {
    client: string;
    factures: { numero: string; reclame_centimes: number; conteste_centimes: number }[];
  }[];
  exclues: { numero: string; raison: string; detail: string }[];
}

async function plan(dir: string, date = FRIDAY): Promise<PlanJson> {
  const result = await recouvre(['relancer', '--dry-run', '--json', '--date', date], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as PlanJson;
}

const excluded = (p: PlanJson, number: string) => p.exclues.find((e) => e.numero === number);
const claimed = (p: PlanJson, number: string) =>
  p.actions.flatMap((a) => a.factures).find((f) => f.numero === number);

function count(dir: string, sql: string): number {
  return query<{ n: number }>(join(dir, 'recouvre.db'), `SELECT count(*) AS n FROM ${sql}`)[0]!.n;
}

describe('recouvre import statuts.csv: the lifecycle statuses of e-invoices', () => {
  it('disputes 207, chases only the accepted part of a 206, pauses 208 and 211, keeps 205 in the history', async () => {
    const dir = await company();
    const before = await plan(dir);
    expect(claimed(before, 'R-001')).toBeDefined();

    const { code, json, stderr } = await run(dir, 'import', fixture('statuts/statuts.csv'), '--json');
    expect(code, stderr).toBe(0);
    expect(json).toMatchObject({
      type: 'statuts',
      format: 'csv',
      crees: 5,
      deja_connus: 0,
      rejetes: 0,
      en_litige: 1,
      en_litige_partiel: 1,
      en_pause: 2,
      encaissees: 0,
      retirees: 0,
    });

    const p = await plan(dir);
    expect(excluded(p, 'R-001')).toMatchObject({ raison: 'litige' });
    expect(excluded(p, 'R-001')!.detail).toContain('Livraison incomplète');
    // 500 € invoice, 300 € accepted: 300 € claimed, 200 € left out as contested.
    expect(claimed(p, 'R-003')).toMatchObject({ reclame_centimes: 30000, conteste_centimes: 20000 });
    expect(excluded(p, 'R-002')).toMatchObject({ raison: 'pause' });
    expect(excluded(p, 'R-004')).toMatchObject({ raison: 'pause' });
    expect(excluded(p, 'R-004')!.detail).toContain('28/11/2026');
    // 211 on 18/11 waits 10 days for the bank: chased again after that.
    const later = await plan(dir, '2026-11-30');
    expect(excluded(later, 'R-004')).toBeUndefined();

    const table = plain((await run(dir, 'relancer', '--dry-run', '--date', FRIDAY)).stdout);
    expect(table).toContain('R-003 (part acceptée ; 200,00 € contestés, non réclamés)');
    expect(table).toContain('statut 207 « En litige » du 10/11/2026 : Livraison incomplète');

    const history = plain((await run(dir, 'historique', 'R-007')).stdout);
    expect(history).toContain('statut 205 « Approuvée » du 02/10/2026');
    const r003 = plain((await run(dir, 'historique', 'R-003')).stdout);
    expect(r003).toContain('200,00 € contestés, seule la part acceptée est relancée');
  });

  it('reads the same file twice without a change, and never undoes a dispute lifted by hand', async () => {
    const dir = await company();
    expect((await run(dir, 'import', fixture('statuts/statuts.csv'))).code).toBe(0);
    expect((await run(dir, 'litige', 'R-001', '--lever')).code).toBe(0);
    const again = await run(dir, 'import', fixture('statuts/statuts.csv'), '--json');
    expect(again.json).toMatchObject({ crees: 0, deja_connus: 5, en_litige: 0 });
    expect(count(dir, 'invoice_statuses')).toBe(5);
    expect(excluded(await plan(dir), 'R-001')).toBeUndefined();
  });

  it("reads a platform's JSON: 212 records the payment, 213 takes the invoice out, and the report says why", async () => {
    const dir = await company();
    const { code, json, stderr } = await run(dir, 'import', fixture('statuts/plateforme.json'), '--json');
    expect(code, stderr).toBe(0);
    expect(json).toMatchObject({ format: 'json', crees: 2, encaissees: 1, retirees: 1 });
    expect(
      query<{ number: string; date: string; amount_cents: number; source: string }>(
        join(dir, 'recouvre.db'),
        'SELECT i.number, p.date, p.amount_cents, p.source FROM payments p JOIN invoices i ON i.id = p.invoice_id',
      ),
    ).toEqual([{ number: 'R-003', date: '2026-11-19', amount_cents: 10000, source: 'statut' }]);

    const p = await plan(dir);
    expect(claimed(p, 'R-003')?.reclame_centimes).toBe(40000);
    expect(excluded(p, 'R-006')).toMatchObject({ raison: 'retiree' });
    expect(excluded(p, 'R-006')!.detail).toContain('SIRET du destinataire inconnu');

    const report = JSON.parse((await run(dir, 'rapport', '--date', FRIDAY, '--format', 'json')).stdout);
    expect(report.activite.retirees_du_recouvrement).toEqual([
      expect.objectContaining({ facture: 'R-006', code_statut: 213, reste_du_centimes: 400 }),
    ]);
    const text = plain((await run(dir, 'rapport', '--date', FRIDAY)).stdout);
    expect(text).toContain('Factures retirées du recouvrement');
    expect(text).toContain('statut 213 « Rejetée » du 16/11/2026 : SIRET du destinataire inconnu');
  });

  it('refuses a file naming an unknown invoice or status, with the line, and leaves the base as it was', async () => {
    const dir = await company();
    const { code, stderr } = await run(dir, 'import', fixture('statuts/inconnue.csv'));
    expect(code).toBe(1);
    const text = plain(stderr);
    expect(text).toMatch(/inconnue\.csv:3, colonne « Numéro de facture » : « R-999 » : facture inconnue/);
    expect(text).toMatch(/inconnue\.csv:4, colonne « Statut » : « 999 »/);
    expect(text).toContain("rien n'a été importé, la base est inchangée");
    expect(text).not.toMatch(/\n\s+at /);
    expect(count(dir, 'invoice_statuses')).toBe(0);
    expect(count(dir, 'invoices WHERE disputed = 1')).toBe(0);

    const bad = join(dir, 'casse.json');
    writeFileSync(bad, '{"statuts": [\n  {"numero": "R-001", "code": 207,\n');
    const broken = await run(dir, 'import', bad);
    expect(broken.code).toBe(1);
    expect(plain(broken.stderr)).toMatch(/casse\.json:3, colonne 1 : JSON mal formé/);
  });
});

describe('recouvre statuts --encaissees', () => {
  it('writes each recorded payment once as a 212, and the platform echoing it back records nothing twice', async () => {
    const dir = await company();
    expect((await run(dir, 'import', fixture('statuts/plateforme.json'))).code).toBe(0);
    expect(
      (await run(dir, 'paiement', 'R-001', '250,00', '--date', '2026-11-19', '--reference', 'VIR-77')).code,
    ).toBe(0);

    const dry = await run(dir, 'statuts', '--encaissees', '--dry-run', '--json');
    expect(dry.json).toMatchObject({ simulation: true, nombre: 1, csv: null });
    expect(readdirSync(dir).filter((f) => f.startsWith('statuts-'))).toEqual([]);

    const first = await run(dir, 'statuts', '--encaissees');
    expect(first.code, first.stderr).toBe(0);
    expect(plain(first.stdout)).toContain('1 statut 212 « Encaissée » écrit');
    const csv = readFileSync(join(dir, `statuts-encaissees-${TODAY}.csv`), 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    // The 212 that came from the platform is not sent back to it.
    expect(csv.split('\r\n').slice(1, -1)).toEqual([
      'R-001;212;Encaissée;19/11/2026;250,00;EUR;VIR-77;saisi dans recouvre',
    ]);
    const written = JSON.parse(readFileSync(join(dir, `statuts-encaissees-${TODAY}.json`), 'utf8'));
    expect(written.statuts).toEqual([
      expect.objectContaining({
        numero_facture: 'R-001',
        code: 212,
        date: '2026-11-19',
        montant_centimes: 25000,
      }),
    ]);

    const second = await run(dir, 'statuts', '--encaissees', '--json');
    expect(second.json).toMatchObject({ nombre: 0, csv: null });
    const since = await run(dir, 'statuts', '--encaissees', '--depuis', '01/11/2026', '--json');
    expect(since.json).toMatchObject({
      nombre: 1,
      statuts: [expect.objectContaining({ deja_transmis: true })],
    });
    expect(since.json.csv).toBe(join(dir, `statuts-encaissees-${TODAY}-2.csv`));
    expect(existsSync(since.json.csv)).toBe(true);

    expect(plain((await run(dir, 'historique', 'R-001')).stdout)).toContain(
      'statut 212 « Encaissée » écrit pour la plateforme (règlement de 250,00 € du 19/11/2026)',
    );

    // The platform's next export carries the 212 recouvre gave it: history only, no second payment.
    const echo = await run(dir, 'import', join(dir, `statuts-encaissees-${TODAY}.json`), '--json');
    expect(echo.json).toMatchObject({ crees: 1, encaissees: 0, encaissees_deja_connues: 1 });
    expect(count(dir, 'payments')).toBe(2);
  });

  it('marks nothing as sent when the files cannot be written', async () => {
    const dir = await company();
    expect((await run(dir, 'paiement', 'R-001', '250,00', '--date', '2026-11-19')).code).toBe(0);
    const failed = await run(
      dir,
      'statuts',
      '--encaissees',
      '--sortie',
      join(dir, 'recouvre.db', 'sous-dossier'),
    );
    expect(failed.code).toBe(1);
    expect(plain(failed.stderr)).toContain("aucun règlement n'est marqué comme transmis");
    expect(count(dir, 'payments WHERE status_export_id IS NOT NULL')).toBe(0);
    expect(count(dir, 'status_exports')).toBe(0);
    expect((await run(dir, 'statuts', '--encaissees', '--json')).json).toMatchObject({ nombre: 1 });
  });

  it('asks what to write when --encaissees is missing', async () => {
    const dir = await company();
    const result = await run(dir, 'statuts');
    expect(result.code).toBe(2);
    expect(plain(result.stderr)).toContain('--encaissees');
  });
});

describe('recouvre import factures.csv: the status words of an export', () => {
  it('pauses « Suspendue » and « Paiement transmis », withdraws « Rejetée » and an « Annulée » already imported, once', async () => {
    const dir = await company();
    const head = 'N° facture;Code client;Raison sociale;Date facture;Échéance;Montant TTC;Réglé;Statut';
    const lines = [
      'R-001;C1;Alpha SARL;01/09/2026;01/10/2026;1 000,00;0,00;Suspendue',
      'R-002;C1;Alpha SARL;01/10/2026;14/11/2026;200,00;0,00;Paiement transmis',
      'R-003;C2;Bêta SA;01/09/2026;15/10/2026;500,00;0,00;Rejetée',
      'R-004;C3;Jeanne Martin;01/09/2026;01/10/2026;300,00;0,00;Annulée',
      'R-009;C3;Jeanne Martin;01/09/2026;01/10/2026;90,00;0,00;Annulée',
    ];
    const file = join(dir, 'export.csv');
    writeFileSync(file, `${head}\n${lines.join('\n')}\n`);
    const { code, json, stderr } = await run(dir, 'import', file, '--json');
    expect(code, stderr).toBe(0);
    expect(json).toMatchObject({ pauses_selon_statut: 2, retraits_selon_statut: 2, ignorees: 2 });
    // A cancelled invoice recouvre never had is not imported.
    expect(count(dir, "invoices WHERE number = 'R-009'")).toBe(0);

    const p = await plan(dir);
    expect(excluded(p, 'R-001')).toMatchObject({ raison: 'pause' });
    expect(excluded(p, 'R-002')).toMatchObject({ raison: 'pause' });
    // « Paiement transmis » in an export has no date: the wait runs from the import.
    expect(excluded(p, 'R-002')!.detail).toContain(formatDateFr(addDays(TODAY, 10)));
    expect(excluded(p, 'R-003')).toMatchObject({ raison: 'retiree' });
    expect(excluded(p, 'R-004')).toMatchObject({ raison: 'retiree' });

    expect((await run(dir, 'pause', 'R-001', '--reprendre')).code).toBe(0);
    const again = await run(dir, 'import', file, '--json');
    expect(again.json).toMatchObject({ pauses_selon_statut: 0, retraits_selon_statut: 0 });
    expect(excluded(await plan(dir), 'R-001')).toBeUndefined();
  });
});
