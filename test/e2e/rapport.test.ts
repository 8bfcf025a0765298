import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture, query, recouvre, tempDir } from './cli.js';
import { pdfText } from './pdf.js';
import { startSmtp, type TestSmtp } from './smtp.js';

const DATE = ['--date', '2026-11-20'];
const nbsp = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

/**
 * A small book whose figures are worked out by hand (test/fixtures/rapport):
 * F1 1 000 € due 1 Oct, 400 € paid 20 Oct → 600 € 50 days late; F2 200 € due 14 Nov, 50 € paid
 * 16 Nov → 150 €; F9 300 € due 20 Oct, paid 2 Nov (13 days late, 43 days after issue); F3 400 €
 * due 15 Aug (97 days); F4 150 € of a private client due 1 July 2024 (time-barred since 1 July
 * 2026); F5 600 € not due; F8 300 € disputed; F6 500 € paid before the first import; F7 250 € due
 * 31 Dec 2021 (time-barred on 31 Dec 2026).
 */
async function book(): Promise<string> {
  const dir = tempDir();
  for (const file of ['factures.csv', 'reglements.csv']) {
    const result = await recouvre(['import', fixture(`rapport/${file}`)], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
  }
  expect((await recouvre(['litige', 'F8', '--motif', 'quantités contestées'], { cwd: dir })).code).toBe(0);
  return dir;
}

let server: TestSmtp | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('recouvre rapport', () => {
  it('gives the aged balance, DSO, delays, recovery, disputes, penalties and the trend in JSON', async () => {
    const dir = await book();
    const result = await recouvre(['rapport', ...DATE, '--format', 'json'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({
      date: '2026-11-20',
      periode: { du: '2026-10-22', au: '2026-11-20', jours: 30 },
      devise: 'EUR',
      balance_agee: {
        non_echu: 60000,
        j1_30: 15000,
        j31_60: 60000,
        j61_90: 0,
        plus_90: 80000,
        total: 215000,
      },
      litiges_centimes: 30000,
    });
    expect(json.indicateurs).toMatchObject({
      encours_centimes: 245000,
      en_retard_centimes: 155000,
      // Count-back: 2 450 € less November's 600 € (20 days) and October's 500 € (31 days) leaves
      // 1 350 € of September's 1 800 €: 30 × 1 350 / 1 800 = 22,5 days → 73,5.
      dso: { methode: 'epuisement', jours: 73.5, minimum: false },
      // F9 alone was settled in the period, with a known date.
      delai_moyen_paiement_jours: 43,
      retard_moyen_jours: 13,
      factures_soldees_periode: 1,
      // Due in the period: F2 (200 €, 50 € collected) and F8 (300 €, disputed, nothing).
      recouvrement: { echu_centimes: 50000, encaisse_centimes: 5000, taux: 0.1 },
      litiges: { montant_centimes: 30000, factures: 1, taux: 0.122 },
      // €40 for each late invoice of a professional still owing: F1, F2, F3, F7.
      indemnites_centimes: 16000,
      factures_en_retard_professionnels: 4,
      // F6, paid before recouvre first saw it: dated by its due date.
      reglements_dates_estimees_centimes: 50000,
    });
    expect(json.tendance).toHaveLength(12);
    expect(json.tendance.map((p: { date: string }) => p.date).slice(-3)).toEqual([
      '2026-09-30',
      '2026-10-31',
      '2026-11-20',
    ]);
    // 30 Sept.: issued 2 600 €, nothing paid yet; late then: F3, F4, F7.
    expect(json.tendance[9]).toMatchObject({ en_retard_centimes: 80000, encours_centimes: 260000 });
    // 31 Oct.: F1 400 € and F6 paid by then; late: F1 600, F3, F4, F7, F9 300 (F8 disputed).
    expect(json.tendance[10]).toMatchObject({ en_retard_centimes: 170000, encours_centimes: 220000 });
    expect(json.tendance[11]).toMatchObject({
      en_retard_centimes: 155000,
      encours_centimes: 245000,
      dso_jours: 73.5,
    });
    expect(json.activite.prescription).toEqual([
      expect.objectContaining({ facture: 'F4', prescrite_le: '2026-07-01', jours_restants: -142 }),
      expect.objectContaining({ facture: 'F7', prescrite_le: '2026-12-31', jours_restants: 41 }),
    ]);

    // The simple formula: 2 450 € of receivables over the 600 € invoiced in the last 30 days.
    const simple = JSON.parse(
      (await recouvre(['rapport', ...DATE, '--format', 'json', '--dso', 'simple'], { cwd: dir })).stdout,
    );
    expect(simple.indicateurs.dso).toEqual({ methode: 'simple', jours: 122.5, minimum: false });

    // One client: its penalties are those `recouvre penalites` explains for its only invoice.
    const one = JSON.parse(
      (await recouvre(['rapport', ...DATE, '--format', 'json', '--client', 'C2'], { cwd: dir })).stdout,
    );
    const explained = JSON.parse(
      (await recouvre(['penalites', 'F3', ...DATE, '--json'], { cwd: dir })).stdout,
    );
    expect(one.client).toEqual({ code: 'C2', nom: '=SOMME(A1:A9)' });
    expect(one.balance_agee.total).toBe(40000);
    expect(one.indicateurs.penalites_centimes).toBe(explained.interets_centimes);
    expect(one.indicateurs.indemnites_centimes).toBe(4000);
  });

  it('shows what the dunning did in the period, what comes in the next 7 days, and the tasks left', async () => {
    const dir = await book();
    // Before any run, the week ahead starts with what `relancer` would do today.
    const before = JSON.parse(
      (await recouvre(['rapport', ...DATE, '--format', 'json'], { cwd: dir })).stdout,
    );
    const dry = JSON.parse(
      (await recouvre(['relancer', '--dry-run', '--json', ...DATE], { cwd: dir })).stdout,
    );
    const today = (items: { client: string; etape: string; date?: string }[]) =>
      items
        .filter((i) => i.date === undefined || i.date === '2026-11-20')
        .map((i) => `${i.client}:${i.etape}`)
        .sort();
    expect(dry.actions.length).toBeGreaterThan(0);
    expect(today(before.activite.a_venir)).toEqual(today(dry.actions));

    // Private clients get a phone call first: a task, not a message.
    writeFileSync(
      join(dir, 'recouvre.toml'),
      `[creancier]
raison_sociale = "Atelier Test SARL"
siren = "732829320"
adresse = "1 rue du Test\\n75001 Paris"
email = "compta@atelier-test.fr"
telephone = "01 02 03 04 05"
iban = "FR7630006000011234567890189"
bic = "BNPAFRPPXXX"

[relances.scenarios.particuliers]
type_client = "particulier"
etapes = [{ etape = "appel", jours = 5, canal = "appel" }]
`,
    );
    const run = await recouvre(['relancer', ...DATE, '--sortie', 'envoi'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const json = JSON.parse((await recouvre(['rapport', ...DATE, '--format', 'json'], { cwd: dir })).stdout);
    const recorded = query<{ step: string; channel: string; status: string; n: number }>(
      join(dir, 'recouvre.db'),
      "SELECT step, channel, status, count(*) AS n FROM actions WHERE status <> 'a_faire' GROUP BY step, channel, status ORDER BY step, channel, status",
    );
    expect(recorded.length).toBeGreaterThan(0);
    const sent = json.activite.relances.map(
      (r: { etape: string; canal: string; statut: string; nombre: number }) => ({
        step: r.etape,
        channel: r.canal,
        status: r.statut,
        n: r.nombre,
      }),
    );
    const order = ['preavis', 'rappel', 'relance', 'appel', 'mise_en_demeure', 'contentieux'];
    // The same counts, in the order of the scenario.
    expect([...sent].sort((a, b) => order.indexOf(a.step) - order.indexOf(b.step))).toEqual(sent);
    const key = (r: { step: string; channel: string; status: string }) =>
      `${r.step}|${r.channel}|${r.status}`;
    expect([...sent].sort((a, b) => (key(a) < key(b) ? -1 : 1))).toEqual(recorded);
    // C3's only invoice (private, due 01/07/2024) is time-barred since 01/07/2026: no call, no task.
    expect(json.activite.taches).toEqual([]);
    expect(dry.exclues).toContainEqual(expect.objectContaining({ numero: 'F4', raison: 'prescrite' }));
    // Nothing is due again today: what was done is no longer planned.
    expect(json.activite.a_venir.filter((p: { date: string }) => p.date === '2026-11-20')).toEqual([]);
  });

  it('prints tables for a person, without colour codes when the output is not a terminal', async () => {
    const dir = await book();
    // Tables are the default, whether the output is a terminal or a file (`rapport > rapport.txt`).
    const result = await recouvre(['rapport', ...DATE], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect((await recouvre(['rapport', ...DATE, '--format', 'table'], { cwd: dir })).stdout).toBe(
      result.stdout,
    );
    const json = await recouvre(['rapport', ...DATE, '--json'], { cwd: dir });
    expect(JSON.parse(json.stdout)).toMatchObject({ date: '2026-11-20' });
    const both = await recouvre(['rapport', ...DATE, '--json', '--format', 'csv'], { cwd: dir });
    expect(both.code).toBe(2);
    const out = nbsp(result.stdout);
    expect(out.includes('\u001b[')).toBe(false);
    for (const title of [
      'Rapport de recouvrement au 20/11/2026',
      'Indicateurs',
      'Balance âgée',
      'Évolution sur 12 mois',
      'Relances de la période',
      'À venir dans les 7 jours',
      'Tâches à faire',
      'Prescription',
    ]) {
      expect(out).toContain(title);
    }
    expect(out).toContain('73,5 j');
    expect(out).toContain('méthode de l’épuisement du chiffre d’affaires');
    expect(out).toContain('2 150,00 €');
    expect(out).toContain('10,0 %');
    expect(out).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('writes a CSV that Excel opens: BOM, semicolons, decimal comma, formulas made inert', async () => {
    const dir = await book();
    const result = await recouvre(['rapport', ...DATE, '--sortie', 'rapport.csv'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('rapport.csv');
    const raw = readFileSync(join(dir, 'rapport.csv'), 'utf8');
    expect(raw.startsWith('\ufeff')).toBe(true);
    const rows = Papa.parse<string[]>(raw.slice(1), { delimiter: ';' }).data;
    const total = rows.find((r) => r[0] === 'Total');
    expect(total).toEqual(['Total', '600,00', '150,00', '600,00', '0,00', '800,00', '2150,00', '300,00']);
    // Headers need no guard: none starts like a formula, so none carries an apostrophe.
    expect(rows.find((r) => r[0] === 'Client' && r.includes('Total'))).toEqual(
      expect.arrayContaining(['Non échu', '61–90 j', 'Plus de 90 j']),
    );
    expect(rows.flat().filter((cell) => cell.startsWith("'") && !cell.includes('SOMME'))).toEqual([]);
    const somme = rows.find((r) => r[0]?.includes('SOMME'));
    expect(somme?.[0]).toBe("'=SOMME(A1:A9) (C2)");
    // No cell can start a formula; a leading minus only on numbers.
    for (const cell of rows.flat()) {
      expect(cell).not.toMatch(/^[=+@\t\r]/);
      if (cell.startsWith('-')) expect(cell).toMatch(/^-\d+(,\d+)?%?$/);
    }
    expect(rows.find((r) => r[0] === 'DSO')?.[1]).toBe('73,5');
    expect(rows.find((r) => r[0] === 'Taux de recouvrement')?.[1]).toBe('10%');
  });

  it('writes one self-contained HTML page that a real browser renders without error', async () => {
    const dir = await book();
    const result = await recouvre(['rapport', ...DATE, '--sortie', 'rapport.html'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const html = readFileSync(join(dir, 'rapport.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|src="http|href="http|url\(/i);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('=SOMME(A1:A9) (C2)');
    expect(html).toContain('Gamma &amp; Fils &lt;SAS&gt; (C4)');

    if (!existsSync('/usr/bin/chromium')) {
      throw new Error('Chromium absent : « apt-get install chromium » (ce que fait .ci/run).');
    }
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) requests.push(request.url());
      });
      await page.goto(`file://${join(dir, 'rapport.html')}`);
      expect(await page.locator('h1').textContent()).toBe('Rapport de recouvrement au 20/11/2026');
      // The charts are drawn: five bars of the aged balance, twelve months and a DSO line.
      const bars = await page
        .locator('svg')
        .first()
        .locator('rect')
        .evaluateAll((rects) => rects.map((r) => r.getBoundingClientRect().height));
      expect(bars).toHaveLength(5);
      expect(bars.filter((h) => h > 0)).toHaveLength(4);
      expect(await page.locator('svg').nth(1).locator('rect').count()).toBe(12);
      expect(await page.locator('svg').nth(1).locator('polyline').count()).toBe(1);
      const shots = join(process.cwd(), 'node_modules', '.cache', 'recouvre');
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, 'rapport.png'), fullPage: true });
      expect(readFileSync(join(shots, 'rapport.png')).length).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('writes a PDF whose text says what the table says', async () => {
    const dir = await book();
    const result = await recouvre(['rapport', ...DATE, '--sortie', 'rapport.pdf'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const text = await pdfText(join(dir, 'rapport.pdf'));
    for (const expected of [
      'Rapport de recouvrement au 20/11/2026',
      'Balance âgée',
      '2 150,00 €',
      '73,5 j',
      'Taux de recouvrement',
      'Évolution sur 12 mois',
      'Prescription',
      'F7',
    ]) {
      expect(text).toContain(expected);
    }
    // What a person must read is wrapped inside its cell, never cut.
    expect(text).not.toContain('…');
    // A PDF does not go to a terminal or a pipe: it needs a file.
    const refused = await recouvre(['rapport', ...DATE, '--format', 'pdf'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--sortie rapport.pdf');
  });

  it('wraps a long client name and a long header in the PDF instead of cutting them', async () => {
    const dir = tempDir();
    const name = 'Boulangerie Lefèvre et Fils, artisans boulangers-pâtissiers depuis 1950';
    writeFileSync(
      join(dir, 'factures.csv'),
      `N° facture;Code client;Raison sociale;Courriel;Date facture;Échéance;Montant TTC;Réglé
F1;C1;${name};compta@lefevre.fr;01/08/2026;31/08/2026;2 400,00;0,00
`,
    );
    expect((await recouvre(['import', 'factures.csv'], { cwd: dir })).code).toBe(0);
    const noted = ['historique', 'F1', '--ajouter', 'relance', '--canal', 'courrier', '--date', '19/11/2026'];
    expect((await recouvre(noted, { cwd: dir })).code).toBe(0);
    const result = await recouvre(['rapport', ...DATE, '--sortie', 'rapport.pdf'], { cwd: dir });
    expect(result.code, result.stderr).toBe(0);
    const text = (await pdfText(join(dir, 'rapport.pdf'))).replace(/\s+/g, ' ');
    expect(text).not.toContain('…');
    for (const word of name.split(' ')) expect(text).toContain(word);
    expect(text).toContain('Montant relancé');
  });

  it('mails the report for cron: HTML body, PDF attached, through the configured SMTP server', async () => {
    const dir = await book();
    server = await startSmtp();
    writeFileSync(
      join(dir, 'recouvre.toml'),
      `[smtp]\nurl = "${server.url}"\nexpediteur = "Compta <compta@atelier-test.fr>"\n\n[rapport]\ndestinataires = ["direction@atelier-test.fr"]\n`,
    );
    const sent = await recouvre(
      ['rapport', ...DATE, '--envoyer', 'expert@cabinet.fr,direction@atelier-test.fr'],
      {
        cwd: dir,
      },
    );
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain(
      'Rapport du 2026-11-20 envoyé à expert@cabinet.fr, direction@atelier-test.fr',
    );
    expect(server.messages).toHaveLength(1);
    const { mail, envelopeTo } = server.messages[0]!;
    expect(envelopeTo).toEqual(['expert@cabinet.fr', 'direction@atelier-test.fr']);
    expect(nbsp(mail.subject ?? '')).toBe(
      'Rapport de recouvrement au 20/11/2026 : 2 450,00 € d’encours, dont 1 550,00 € en retard',
    );
    expect(mail.html).toContain('<svg');
    expect(nbsp(String(mail.html))).toContain('2 150,00 €');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['rapport-recouvrement-2026-11-20.pdf']);
    const attached = join(dir, 'joint.pdf');
    writeFileSync(attached, mail.attachments[0]!.content);
    expect(await pdfText(attached)).toContain('Balance âgée');

    // Without addresses: those of [rapport] destinataires.
    const configured = await recouvre(['rapport', ...DATE, '--envoyer'], { cwd: dir });
    expect(configured.code, configured.stderr).toBe(0);
    expect(server.messages[1]?.envelopeTo).toEqual(['direction@atelier-test.fr']);
  });

  it('says what is missing to send, and sends nothing', async () => {
    const dir = await book();
    const noServer = await recouvre(['rapport', '--envoyer', 'a@b.fr'], {
      cwd: dir,
      env: { RECOUVRE_SMTP_URL: '' },
    });
    expect(noServer.code).toBe(1);
    expect(noServer.stderr).toContain('Aucun serveur d’envoi configuré');
    expect(noServer.stderr).not.toMatch(/at .*\.js:\d+/);
    const nobody = await recouvre(['rapport', '--envoyer'], { cwd: dir });
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain('--envoyer : à qui ?');
    const bad = await recouvre(['rapport', '--envoyer', 'pas-une-adresse'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('adresse invalide « pas-une-adresse »');
    const nowhere = await recouvre(['rapport', '--sortie', 'absent/rapport.html'], { cwd: dir });
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain(
      'Impossible d’écrire le rapport dans « absent/rapport.html » : son dossier n’existe pas.',
    );
    const format = await recouvre(['rapport', '--format', 'xls'], { cwd: dir });
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('--format « xls » : attendu table, json, csv, html, pdf');
  });

  it('stays sensible on an empty base, with only credit notes, and when everything is paid', async () => {
    for (const file of [null, 'rapport/avoirs.csv', 'rapport/soldees.csv']) {
      const dir = tempDir();
      if (file) expect((await recouvre(['import', fixture(file)], { cwd: dir })).code).toBe(0);
      else expect((await recouvre(['init'], { cwd: dir })).code).toBe(0);
      const result = await recouvre(['rapport', ...DATE, '--format', 'json'], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      // JSON turns NaN into null silently: every figure must be a number, or null on purpose.
      const json = JSON.parse(result.stdout);
      const numbers: unknown[] = [];
      JSON.stringify(json, (_key, value) => {
        if (typeof value === 'number') numbers.push(value);
        return value;
      });
      expect(numbers.every((n) => Number.isFinite(n))).toBe(true);
      expect(json.tendance).toHaveLength(12);
      for (const format of ['table', 'csv', 'html']) {
        const out = await recouvre(['rapport', ...DATE, '--format', format], { cwd: dir });
        expect(out.code, out.stderr).toBe(0);
        expect(out.stdout).not.toMatch(/NaN|Infinity|undefined/);
      }
      if (file === null) {
        expect(json.balance_agee).toEqual({
          non_echu: 0,
          j1_30: 0,
          j31_60: 0,
          j61_90: 0,
          plus_90: 0,
          total: 0,
        });
        expect(json.indicateurs.dso.jours).toBe(0);
        expect(json.indicateurs.recouvrement.taux).toBeNull();
      }
      if (file === 'rapport/avoirs.csv') {
        // 150 € owed to the client: negative receivables, no DSO to speak of, no penalty.
        expect(json.indicateurs.encours_centimes).toBe(-15000);
        expect(json.indicateurs.dso.jours).toBe(0);
        expect(json.indicateurs.penalites_centimes).toBe(0);
        expect(json.indicateurs.litiges.taux).toBe(0);
      }
      if (file === 'rapport/soldees.csv') {
        expect(json.balance_agee.total).toBe(0);
        expect(json.indicateurs.encours_centimes).toBe(0);
        // S2 fell due on 31 Oct. and is paid: everything due in the period was collected.
        expect(json.indicateurs.recouvrement.taux).toBe(1);
      }
    }
  });
});
