import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { amountAtEnd, htmlLines, printedSumProblems } from '../../src/domain/printed-sums.js';
import { creditorToml, fixture, plain, recouvrePlain as recouvre, tempDir } from './cli.js';
import { pdfLines } from './pdf.js';
import { smtpForTest } from './smtp.js';

// payees-en-retard.csv, every invoice then paid by hand (recouvre paiement):
// P1 Transports Morel (pro): F2026-0201 1 200 € due 31/03, paid 30/04 (30 days late);
//   F2026-0202 500 € due 30/06, 200 € on 15/07 and 300 € on 20/08 (51 days); F2026-0203 paid on its due date
// P2 Jardins Roux (pro): F2026-0204 640 € due 30/04, paid 04/05 (4 days late)
// P3 Paul Girard (private, never put on notice): F2026-0205 450 € due 30/04, paid 30/06
const MONDAY = '2026-12-07';
const PAYMENTS = [
  ['F2026-0201', '1 200,00', '30/04/2026'],
  ['F2026-0202', '200,00', '2026-07-15'],
  ['F2026-0202', '300,00', '2026-08-20'],
  ['F2026-0203', '300,00', '2026-07-31'],
  ['F2026-0204', '640,00', '2026-05-04'],
  ['F2026-0205', '450,00', '2026-06-30'],
];

async function company(options: { step: boolean; rates: boolean; smtp?: string }): Promise<string> {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'recouvre.toml'),
    `${creditorToml()}${options.smtp ? `\n[smtp]\nurl = "${options.smtp}"\ndelai_secondes = 3\n` : ''}
${
  options.step
    ? `[relances]
etapes = [
  { etape = "rappel", jours = 5, canal = "email" },
  { etape = "relance", jours = 15, canal = "email" },
  { etape = "mise_en_demeure", jours = 30, canal = "courrier" },
  { etape = "penalites", jours = 10, canal = "email" },
]
`
    : ''
}${options.rates ? '\n[taux]\nbce = { "2026-07-01" = 2.15 }\n' : ''}`,
  );
  expect((await recouvre(['import', fixture('droit/payees-en-retard.csv')], { cwd: dir })).code).toBe(0);
  for (const [number, amount, date] of PAYMENTS)
    expect((await recouvre(['paiement', number!, amount!, '--date', date!], { cwd: dir })).code).toBe(0);
  return dir;
}

describe('the penalties of an invoice paid late stay due', () => {
  it('penalites shows what became due up to the payment, and the report what can be claimed', async () => {
    const dir = await company({ step: false, rates: true });
    // A date typed the French way.
    const explained = await recouvre(['penalites', 'F2026-0201', '--date', '07/12/2026'], { cwd: dir });
    expect(explained.code).toBe(0);
    const lines = explained.stdout.split('\n');
    expect(lines).toContain(
      "Réglée le 30/04/2026, 30 jours après l'échéance du 31/03/2026 : ce retard a fait courir des sommes qui restent dues.",
    );
    expect(lines).toContain(
      '  du 01/04/2026 au 30/04/2026 : 1 200,00 € × 12,15 % × 30 jours / 365 = 11,9836 € (taux BCE + 10 points, 2026-S1)',
    );
    expect(lines).toContain('Total dû au titre du retard : 51,98 € (réclamable)');
    const json = JSON.parse(
      (await recouvre(['penalites', 'F2026-0202', '--date', MONDAY, '--json'], { cwd: dir })).stdout,
    );
    expect(json).toMatchObject({ reglee_le: '2026-08-20', etat: 'reclamable', interets_centimes: 609 });
    expect(json.periodes.map((p: { base_centimes: number }) => p.base_centimes)).toEqual([50000, 30000]);

    expect((await recouvre(['penalites', 'F2026-0203', '--date', MONDAY], { cwd: dir })).stdout).toBe(
      "La facture F2026-0203 est soldée le 31/07/2026, sans retard : il n'y a rien à réclamer.\n",
    );
    expect((await recouvre(['penalites', 'F2026-0205', '--date', MONDAY], { cwd: dir })).stdout).toContain(
      'Total dû au titre du retard : 0,00 € (rien à réclamer)',
    );

    const report = JSON.parse(
      (await recouvre(['rapport', '--format', 'json', '--date', MONDAY], { cwd: dir })).stdout,
    );
    expect(report.activite.penalites_factures_payees_en_retard).toEqual([
      expect.objectContaining({ client: 'P1', factures: 2, reclamable_centimes: 1198 + 609 + 8000 }),
      expect.objectContaining({ client: 'P2', factures: 1, reclamable_centimes: 85 + 4000 }),
    ]);
    // Claimed by hand (or given up): recorded per invoice, it is no longer counted.
    const byHand = await recouvre(
      ['historique', 'F2026-0204', '--ajouter', 'penalites', '--date', '2026-12-01'],
      {
        cwd: dir,
      },
    );
    expect(byHand.code).toBe(0);
    const perClient = await recouvre(['historique', 'P1', '--ajouter', 'penalites'], { cwd: dir });
    expect(perClient.code).toBe(2);
    expect(perClient.stderr).toContain('se notent facture par facture');
    const after = JSON.parse(
      (await recouvre(['rapport', '--format', 'json', '--date', MONDAY], { cwd: dir })).stdout,
    );
    expect(
      after.activite.penalites_factures_payees_en_retard.map((r: { client: string }) => r.client),
    ).toEqual(['P1']);
    // Off by default: no scenario claims them.
    const plan = JSON.parse(
      (await recouvre(['relancer', '--dry-run', '--json', '--date', MONDAY], { cwd: dir })).stdout,
    );
    expect(plan.actions).toEqual([]);
  });

  it('the penalites step claims them from a client in one e-mail, once, and each printed total adds up', async () => {
    const server = await smtpForTest();
    const dir = await company({ step: true, rates: true, smtp: server.url });
    const plan = JSON.parse(
      (await recouvre(['relancer', '--dry-run', '--json', '--date', MONDAY], { cwd: dir })).stdout,
    );
    // P2 paid 4 days late, under the step's 10 days; P3 owes nothing.
    expect(plan.actions.map((a: { client: string; etape: string }) => [a.client, a.etape])).toEqual([
      ['P1', 'penalites'],
    ]);
    const [claim] = plan.actions;
    expect(claim.total_du_centimes).toBe(1198 + 609 + 8000);
    expect(claim.factures.map((f: { reglee_le: string }) => f.reglee_le)).toEqual([
      '2026-04-30',
      '2026-08-20',
    ]);

    const run = await recouvre(['relancer', '--date', MONDAY, '--ignorer-anciennete'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(server.messages).toHaveLength(1);
    const mail = server.messages[0]!;
    expect(mail.envelopeTo).toEqual(['compta@morel.fr']);
    const text = plain(mail.mail.text ?? '').split('\n');
    expect(text).toContain(
      '  - facture F2026-0201 de 1 200,00 €, échue le 31/03/2026, réglée le 30/04/2026 (30 jours de retard), pénalités de retard : 11,98 €',
    );
    expect(text).toContain(
      '  - facture F2026-0201, indemnité forfaitaire pour frais de recouvrement : 40,00 €',
    );
    expect(printedSumProblems(text)).toEqual([]);
    expect(amountAtEnd(text.find((l) => l.startsWith('Total réclamé'))!)).toBe(claim.total_du_centimes);
    expect(text.join(' ')).toContain('en indiquant les références F2026-0201 et F2026-0202.');
    const html = htmlLines(plain(String(mail.mail.html)));
    expect(printedSumProblems(html)).toEqual([]);
    expect(html.filter((l) => l.includes('Total réclamé')).map(amountAtEnd)).toEqual([
      claim.total_du_centimes,
    ]);

    // Once: a week later nothing is claimed again, and the report no longer counts it.
    const later = JSON.parse(
      (await recouvre(['relancer', '--dry-run', '--json', '--date', '2026-12-14'], { cwd: dir })).stdout,
    );
    expect(later.actions).toEqual([]);
    expect(
      (await recouvre(['penalites', 'F2026-0201', '--date', '2026-12-14'], { cwd: dir })).stdout,
    ).toContain('Total dû au titre du retard : 51,98 € (déjà réclamé le 07/12/2026)');
    const report = JSON.parse(
      (await recouvre(['rapport', '--format', 'json', '--date', '2026-12-14'], { cwd: dir })).stdout,
    );
    expect(
      report.activite.penalites_factures_payees_en_retard.map((r: { client: string }) => r.client),
    ).toEqual(['P2']);
    expect(report.activite.relances).toEqual([
      expect.objectContaining({ etape: 'penalites', montant_centimes: claim.total_du_centimes }),
    ]);
  });

  it('holds a claim on a rate recouvre does not know, as it holds a mise en demeure', async () => {
    const dir = await company({ step: true, rates: false });
    const plan = JSON.parse(
      (await recouvre(['relancer', '--dry-run', '--json', '--date', MONDAY], { cwd: dir })).stdout,
    );
    expect(plan.actions[0].blocages).toEqual([expect.objectContaining({ code: 'taux_estime' })]);
    expect(plan.actions[0].blocages[0].message).toContain(
      'une réclamation de pénalités ne peut pas affirmer',
    );

    // By post, the letter lists each invoice with its payment date, and its totals add up.
    const toml = join(dir, 'recouvre.toml');
    writeFileSync(
      toml,
      readFileSync(toml, 'utf8').replace(
        '{ etape = "penalites", jours = 10, canal = "email" }',
        '{ etape = "penalites", jours = 0, canal = "courrier" }',
      ),
    );
    const out = join(dir, 'sortie');
    expect(
      (await recouvre(['relancer', '--dry-run', '--date', MONDAY, '--sortie', out], { cwd: dir })).code,
    ).toBe(0);
    const letter = await pdfLines(join(out, `P2-penalites-${MONDAY}.pdf`));
    expect(letter).toContain("Objet : Pénalités de retard sur la facture F2026-0204 réglée après l'échéance");
    expect(letter.some((l) => /^F2026-0204 .*30\/04\/2026 .*04\/05\/2026 .*0,85 € .*40,00 €$/.test(l))).toBe(
      true,
    );
    expect(letter.filter((l) => l.startsWith('Total réclamé')).map(amountAtEnd)).toEqual([4085]);
    expect(letter).toContain('Annexe : décompte des pénalités de retard');
    expect(letter.join(' ')).toContain('en indiquant la référence F2026-0204.');
  });
});
