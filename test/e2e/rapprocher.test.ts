import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, fixture, query, recouvre, tempDir } from './cli.js';

// factures.csv of test/fixtures/relances; releve.csv (Windows-1252): a credit quoting R-001, one
// from « BÊTA SA » for R-003's exact amount, a debit, an unknown payer, a partial cheque.
async function company(): Promise<string> {
  const dir = tempDir();
  expect((await recouvre(['import', fixture('relances/factures.csv')], { cwd: dir })).code).toBe(0);
  return dir;
}

function bankPayments(dir: string) {
  return query<{ number: string; date: string; amount_cents: number }>(
    join(dir, 'recouvre.db'),
    "SELECT i.number, p.date, p.amount_cents FROM payments p JOIN invoices i ON i.id = p.invoice_id WHERE p.source = 'releve' ORDER BY p.id",
  );
}

describe('recouvre rapprocher', () => {
  it('applies the sure matches of a CSV statement, lists the others, and reads a statement once', async () => {
    const dir = await company();
    const result = await recouvre(['rapprocher', fixture('releves/releve.csv'), '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({
      rapprochees: 2,
      a_confirmer: 1,
      sans_correspondance: 1,
      deja_lues: 0,
      debits_ignores: 1,
    });
    expect(json.lignes.map((l: { statut: string; regle: string | null }) => [l.statut, l.regle])).toEqual([
      ['rapprochee', 'numero'],
      ['rapprochee', 'montant_client'],
      ['non_rapprochee', null],
      ['a_confirmer', null],
    ]);
    expect(bankPayments(dir)).toEqual([
      { number: 'R-001', date: '2026-11-18', amount_cents: 100000 },
      { number: 'R-003', date: '2026-11-19', amount_cents: 50000 },
    ]);
    const again = JSON.parse(
      (await recouvre(['rapprocher', fixture('releves/releve.csv'), '--json'], { cwd: dir })).stdout,
    );
    expect(again).toMatchObject({ rapprochees: 0, deja_lues: 4 });
    expect(bankPayments(dir)).toHaveLength(2);

    // What is paid is no longer chased.
    const plan = JSON.parse(
      (await recouvre(['relancer', '--dry-run', '--json', '--date', '2026-11-20'], { cwd: dir })).stdout,
    ) as { actions: { client: string; factures: { numero: string }[] }[] };
    const chased = plan.actions.flatMap((a) => a.factures.map((f) => f.numero));
    expect(chased).not.toContain('R-001');
    expect(chased).not.toContain('R-003');
  });

  it('lets the user confirm a waiting line, and refuses a wrong confirmation without changing anything', async () => {
    const dir = await company();
    await recouvre(['rapprocher', fixture('releves/releve.csv')], { cwd: dir });
    const waiting = await recouvre(['rapprocher'], { cwd: dir });
    expect(waiting.stdout).toContain("2 lignes à vérifier (aucun règlement n'est enregistré pour elles)");
    expect(waiting.stdout).toContain('« REMISE CHEQUES JEANNE MARTIN »');
    const line = /n° (\d+)\s+20\/11\/2026/.exec(waiting.stdout)![1]!;
    // The same list in JSON, for a script.
    const listed = JSON.parse((await recouvre(['rapprocher', '--json'], { cwd: dir })).stdout);
    expect(listed.en_attente).toHaveLength(2);
    expect(listed.en_attente).toContainEqual(
      expect.objectContaining({ ligne: Number(line), date: '2026-11-20' }),
    );
    const unknown = await recouvre(['rapprocher', '--confirmer', line, 'R-999'], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Facture « R-999 » inconnue ou déjà soldée : rien n'a été modifié.");
    const confirmed = await recouvre(['rapprocher', '--confirmer', line, 'R-004'], { cwd: dir });
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain('rapprochée : R-004 150,00');
    expect(bankPayments(dir).at(-1)).toEqual({ number: 'R-004', date: '2026-11-20', amount_cents: 15000 });
    const twice = await recouvre(['rapprocher', '--confirmer', line, 'R-004'], { cwd: dir });
    expect(twice.stderr).toContain('déjà rapprochée');
    expect((await recouvre(['rapprocher'], { cwd: dir })).stdout).toContain(
      "1 ligne à vérifier (aucun règlement n'est enregistré pour elle)",
    );
  });

  const FORMATS: Record<string, string> = {
    'releve.ofx': 'OFX',
    'releve-camt053.xml': 'CAMT.053',
    'releve-cfonb.txt': 'CFONB 120',
  };
  const ACCOUNTS: Record<string, string> = {
    'releve.ofx': '30004 00001 00012345678',
    'releve-camt053.xml': 'FR7630006000011234567890189',
    'releve-cfonb.txt': '30004 00001 00012345678',
  };

  it('says what it read (format, account, period), what this statement matched, and what waits from before', async () => {
    const dir = await company();
    const csv = await recouvre(['rapprocher', fixture('releves/releve.csv')], { cwd: dir });
    expect(csv.stdout).toContain(
      'Relevé CSV, compte non indiqué, du 18/11/2026 au 20/11/2026 : 5 opérations.',
    );
    expect(csv.stdout).toContain('Dans ce relevé : 2 virements rapprochés, 2 à vérifier, 1 débit ignoré.');
    expect(csv.stdout).toContain('2 lignes à vérifier de ce relevé');
    const ofx = await recouvre(['rapprocher', fixture('releves/releve.ofx')], { cwd: dir });
    expect(ofx.stdout).toContain(
      'Relevé OFX, compte 30004 00001 00012345678, du 18/11/2026 au 19/11/2026 : 3 opérations.',
    );
    expect(ofx.stdout).toContain('Dans ce relevé : 0 virement rapproché, 0 à vérifier, 2 déjà lus');
    // The lines the CSV left waiting are not this statement's.
    expect(ofx.stdout).toContain('2 lignes à vérifier des relevés précédents');
    expect(ofx.stdout).not.toContain('de ce relevé');
    const help = await recouvre(['rapprocher', '--help'], { cwd: dir });
    for (const format of ['CSV', 'OFX', 'CAMT.053', 'CFONB 120']) expect(help.stdout).toContain(format);
  });

  for (const file of ['releve.ofx', 'releve-camt053.xml', 'releve-cfonb.txt']) {
    it(`reads the ${file.split('.').at(-1) === 'txt' ? 'CFONB 120' : file.endsWith('.xml') ? 'CAMT.053' : 'OFX'} statement ${file} the same way`, async () => {
      const dir = await company();
      const first = JSON.parse(
        (await recouvre(['rapprocher', fixture(`releves/${file}`), '--json'], { cwd: dir })).stdout,
      );
      expect(first).toMatchObject({
        rapprochees: 2,
        a_confirmer: 0,
        sans_correspondance: 0,
        debits_ignores: 1,
      });
      expect(bankPayments(dir)).toEqual([
        { number: 'R-001', date: '2026-11-18', amount_cents: 100000 },
        { number: 'R-003', date: '2026-11-19', amount_cents: 50000 },
      ]);
      // What was read, as the user checks it against the bank's own statement.
      expect(first.releve).toEqual({
        format: FORMATS[file],
        compte: ACCOUNTS[file],
        du: '2026-11-18',
        au: '2026-11-19',
        operations: 3,
      });
      const again = JSON.parse(
        (await recouvre(['rapprocher', fixture(`releves/${file}`), '--json'], { cwd: dir })).stdout,
      );
      expect(again).toMatchObject({ rapprochees: 0, deja_lues: 2 });
      const plan = JSON.parse(
        (await recouvre(['relancer', '--dry-run', '--json', '--date', '2026-11-20'], { cwd: dir })).stdout,
      ) as { actions: { factures: { numero: string }[] }[] };
      const chased = plan.actions.flatMap((a) => a.factures.map((f) => f.numero));
      expect(chased).not.toContain('R-001');
      expect(chased).not.toContain('R-003');
      expect(chased).toContain('R-004');
    });
  }

  it('points a statement given to `import` by mistake to `rapprocher`, and imports nothing', async () => {
    const dir = tempDir();
    for (const [file, format] of [
      ['releve-camt053.xml', 'CAMT.053'],
      ['releve.ofx', 'OFX'],
      ['releve-cfonb.txt', 'CFONB 120'],
    ] as const) {
      const result = await recouvre(['import', fixture(`releves/${file}`)], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `${file} est un relevé bancaire (${format}), pas un export de factures.`,
      );
      expect(result.stderr).toContain(`recouvre rapprocher ${fixture(`releves/${file}`)}`);
    }
    // Refused before anything is opened: no base is even created.
    expect(existsSync(join(dir, 'recouvre.db'))).toBe(false);
  });

  it('says which statement formats it reads when it cannot read one', async () => {
    const dir = await company();
    writeFileSync(join(dir, 'export.csv'), 'Compte;Solde\n12345;100,00\n');
    const result = await recouvre(['rapprocher', 'export.csv'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'export.csv : relevé bancaire dans un format que recouvre ne reconnaît pas.',
    );
    expect(result.stderr).toContain('Formats acceptés : OFX (.ofx), CAMT.053 (.xml), CFONB 120, ou CSV');
  });
});

describe('the command line', () => {
  it('stops quietly when its reader goes away (recouvre … | head)', async () => {
    const dir = await company();
    const child = spawn(process.execPath, [BIN, 'historique', 'C1'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(0);
  });
});
