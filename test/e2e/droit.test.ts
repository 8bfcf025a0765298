import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { amountAtEnd, printedSumProblems } from '../../src/domain/printed-sums.js';
import { creditorToml, fixture, plain, query, recouvrePlain as recouvre, tempDir } from './cli.js';
import { pdfLines } from './pdf.js';
import { smtpForTest, type TestSmtp } from './smtp.js';

// avoirs.csv, as of Monday 2026-12-07:
// K1 Boulangerie Lefèvre (pro): F2026-0101 1 440 € due 15/09, F2026-0104 318 € due 20/10, credit note A2026-0010 -120 €
// K2 Menuiserie Vieille (pro): F2021-0007 800 € due 30/06/2021, time-barred since 30/06/2026
// K3 Garage Sans Adresse (pro, no postal address): F2026-0301 980 € due 01/10
// K4 Élodie Martin (private): F2026-0401 1 000 € due 01/09
const MONDAY = '2026-12-07';

async function company(options: { rates: boolean }): Promise<{ dir: string; server: TestSmtp }> {
  const server = await smtpForTest();
  const dir = tempDir();
  writeFileSync(
    join(dir, 'recouvre.toml'),
    `${creditorToml()}
[smtp]
url = "${server.url}"
delai_secondes = 3
${options.rates ? '\n[taux]\nbce = { "2026-07-01" = 2.15 }\ninteret_legal = { "2026-S2" = 2.62 }\n' : ''}`,
  );
  expect((await recouvre(['import', fixture('droit/avoirs.csv')], { cwd: dir })).code).toBe(0);
  for (const who of ['K1', 'K2', 'K3'])
    expect(
      (await recouvre(['historique', who, '--ajouter', 'relance', '--date', '2026-11-02'], { cwd: dir }))
        .code,
    ).toBe(0);
  return { dir, server };
}

function actions(dir: string): { code: string; step: string; status: string }[] {
  return query(
    join(dir, 'recouvre.db'),
    `SELECT c.code, a.step, a.status FROM actions a JOIN clients c ON c.id = a.client_id
     WHERE a.origin = 'relancer' ORDER BY a.id`,
  );
}

describe('what the debtor receives is right to the cent and lawful, or it is not sent', () => {
  it('deducts a credit note once: every printed total of the e-mail, the letter and the JSON is the same sum', async () => {
    const { dir, server } = await company({ rates: true });
    const plan = await recouvre(['relancer', '--dry-run', '--json', '--date', MONDAY], { cwd: dir });
    expect(plan.code).toBe(0);
    const json = JSON.parse(plan.stdout);
    const k1 = json.actions.find((a: { client: string }) => a.client === 'K1');
    expect(k1.etape).toBe('mise_en_demeure');
    expect(k1.total_reclame_centimes).toBe(163800);
    expect(k1.total_du_centimes).toBe(
      k1.total_reclame_centimes + k1.total_penalites_centimes + k1.total_indemnites_centimes,
    );

    const result = await recouvre(['relancer', '--date', MONDAY, '--ignorer-anciennete'], { cwd: dir });
    const mail = server.messages.find((m) => m.envelopeTo.includes('compta@lefevre.fr'))!;
    const text = plain(mail.mail.text ?? '').split('\n');
    expect(text).toContain(
      '  - facture F2026-0101 du 15/08/2026, échue le 15/09/2026 (83 jours de retard) : 1 440,00 €',
    );
    expect(text).toContain('  - avoir A2026-0010 déduit : -120,00 €');
    expect(printedSumProblems(text)).toEqual([]);
    const total = text.find((l) => l.startsWith('Total réclamé'))!;
    expect(amountAtEnd(total)).toBe(k1.total_du_centimes);

    // The letter: the same total, and its annex details the penalties period by period.
    const letter = readdirSync(join(dir, 'courriers', MONDAY)).find((f) => f.startsWith('K1-'))!;
    const lines = await pdfLines(join(dir, 'courriers', MONDAY, letter));
    expect(lines.filter((l) => l.startsWith('Total réclamé')).map(amountAtEnd)).toEqual([
      k1.total_du_centimes,
    ]);
    expect(lines.some((l) => l.startsWith('Annexe : décompte des pénalités de retard'))).toBe(true);
    expect(lines.filter((l) => l.startsWith('Total des pénalités de retard')).map(amountAtEnd)).toEqual([
      k1.total_penalites_centimes,
    ]);
    // The credit note of 10/09 counts from before the due date: 1 320 € × 12,15 % × 83 / 365 = 36,47 €.
    expect(lines).toContain('F2026-0101 16/09/2026 – 07/12/2026 83 1 320,00 € 12,15 % 36,47 €');

    // The time-barred claim is set aside, never chased.
    const barred = json.exclues.find((e: { numero: string }) => e.numero === 'F2021-0007');
    expect(barred).toMatchObject({ raison: 'prescrite' });
    expect(barred.detail).toContain('prescrite le 30/06/2026');
    expect(server.messages.some((m) => m.envelopeTo.includes('contact@vieille.fr'))).toBe(false);

    // K3 has no postal address: its mise en demeure is held, the rest went out; exit 1 for cron.
    expect(result.stdout).toContain('K3 (mise en demeure) : adresse postale du client K3 inconnue');
    expect(result.stdout).toContain('Ajoutez les colonnes Adresse, Code postal et Ville');
    expect(result.code).toBe(1);
    expect(actions(dir)).toEqual([
      { code: 'K1', step: 'mise_en_demeure', status: 'fait' },
      { code: 'K4', step: 'relance', status: 'fait' },
    ]);
    expect(readdirSync(join(dir, 'courriers', MONDAY)).some((f) => f.startsWith('K3-'))).toBe(false);
  });

  it('holds a mise en demeure whose penalties rest on an unknown rate, unless told', async () => {
    const { dir, server } = await company({ rates: false });
    const dry = await recouvre(['relancer', '--dry-run', '--date', MONDAY], { cwd: dir });
    expect(dry.stdout).toContain('ne partiraient pas lors de la relance réelle');
    expect(dry.stdout).toContain(
      'K1 (mise en demeure) : les pénalités reposent sur un taux que recouvre ne connaît pas (2e semestre 2026)',
    );
    expect(dry.stdout).toContain('bce = { "2026-07-01" = … }');
    const held = await recouvre(['relancer', '--date', MONDAY, '--ignorer-anciennete'], { cwd: dir });
    expect(held.code).toBe(1);
    expect(server.messages.filter((m) => m.envelopeTo.includes('compta@lefevre.fr'))).toHaveLength(0);
    expect(actions(dir).filter((a) => a.code === 'K1')).toEqual([]);
    const forced = await recouvre(
      ['relancer', '--date', MONDAY, '--ignorer-anciennete', '--accepter-taux-estimes'],
      { cwd: dir },
    );
    expect(forced.stdout).not.toContain('K1 (mise en demeure) : les pénalités');
    expect(actions(dir).filter((a) => a.code === 'K1')).toEqual([
      { code: 'K1', step: 'mise_en_demeure', status: 'fait' },
    ]);
    expect(server.messages.filter((m) => m.envelopeTo.includes('compta@lefevre.fr'))).toHaveLength(1);
  });

  it('chases a time-barred claim again once an acknowledgement of the debt is recorded, and shows it', async () => {
    const { dir } = await company({ rates: true });
    const noted = await recouvre(
      [
        'historique',
        'F2021-0007',
        '--ajouter',
        'reconnaissance_dette',
        '--date',
        '2024-03-01',
        '--note',
        'courrier du client',
      ],
      { cwd: dir },
    );
    expect(noted.code).toBe(0);
    expect(noted.stdout).toContain(
      'reconnaissance de dette (art. 2240 C. civ.) le 01/03/2024 pour F2021-0007',
    );
    const history = await recouvre(['historique', 'F2021-0007'], { cwd: dir });
    expect(history.stdout).toContain('prescription interrompue');
    const plan = JSON.parse(
      (await recouvre(['relancer', '--dry-run', '--json', '--date', MONDAY], { cwd: dir })).stdout,
    );
    expect(plan.exclues.map((e: { numero: string }) => e.numero)).not.toContain('F2021-0007');
    expect(plan.actions.find((a: { client: string }) => a.client === 'K2')?.etape).toBe('mise_en_demeure');
    const report = await recouvre(['rapport', '--date', MONDAY, '--format', 'json'], { cwd: dir });
    expect(report.stdout).not.toContain('F2021-0007');
  });

  it('sends a written reminder before a mise en demeure when the last one was a call', async () => {
    const { dir } = await company({ rates: true });
    // K4 was only called: what comes next is a reminder in writing, not a mise en demeure.
    await recouvre(['historique', 'K4', '--ajouter', 'relance', '--canal', 'appel', '--date', '2026-11-02'], {
      cwd: dir,
    });
    const plan = JSON.parse(
      (await recouvre(['relancer', '--dry-run', '--json', '--date', MONDAY], { cwd: dir })).stdout,
    );
    expect(plan.actions.find((a: { client: string }) => a.client === 'K4')).toMatchObject({
      etape: 'relance',
      canal: 'email',
    });
  });

  it('runs a private client’s legal interest from the receipt of the mise en demeure', async () => {
    const { dir } = await company({ rates: true });
    for (const [step, date] of [
      ['relance', '2026-10-01'],
      ['mise_en_demeure', '2026-10-10'],
    ])
      await recouvre(['historique', 'K4', '--ajouter', step!, '--date', date!], { cwd: dir });
    const presumed = JSON.parse(
      (await recouvre(['penalites', 'F2026-0401', '--json', '--date', '2026-11-20'], { cwd: dir })).stdout,
    );
    // Taken as received 3 days after sending (13/10): 38 days at 2,62 % on 1 000 € → 2,73 €.
    expect(presumed).toMatchObject({
      mise_en_demeure_recue_le: '2026-10-13',
      reception_presumee: true,
      interets_centimes: 273,
    });
    const received = await recouvre(['historique', 'K4', '--ajouter', 'reception', '--date', '2026-10-12'], {
      cwd: dir,
    });
    expect(received.stdout).toContain('la mise en demeure du 10/10/2026 a été reçue le 12/10/2026');
    const after = JSON.parse(
      (await recouvre(['penalites', 'F2026-0401', '--json', '--date', '2026-11-20'], { cwd: dir })).stdout,
    );
    expect(after).toMatchObject({
      mise_en_demeure_recue_le: '2026-10-12',
      reception_presumee: false,
      interets_centimes: 280,
    });
    expect((await recouvre(['historique', 'K4'], { cwd: dir })).stdout).toContain('reçue le 12/10/2026');
  });

  it('refuses to record a receipt when no mise en demeure was sent', async () => {
    const { dir } = await company({ rates: true });
    const result = await recouvre(['historique', 'K1', '--ajouter', 'reception'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Aucune mise en demeure envoyée à K1');
    expect(existsSync(join(dir, 'recouvre.db'))).toBe(true);
  });
});
