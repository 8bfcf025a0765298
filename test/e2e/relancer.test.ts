import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, query, recouvre as run, tempDir } from './cli.js';

/** The real CLI; amounts carry no-break spaces (1 234,56 €), read here as plain ones. */
async function recouvre(...args: Parameters<typeof run>) {
  const result = await run(...args);
  const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');
  return { ...result, stdout: plain(result.stdout), stderr: plain(result.stderr) };
}

// The fixture, as of Friday 2026-11-20 (amounts in cents):
// C1 Alpha (pro): R-001 1 000 € due 01/10, R-002 200 € due 14/11, credit note A-001 -100 €
// C2 Bêta (pro, no e-mail): R-003 500 € due 15/10
// C3 Jeanne Martin (private): R-004 300 € due 01/10
// C4 Delta (pro, USD): R-005 800 $ due 01/10
// C5 Epsilon: R-006 4 € (under the 5 € threshold)      C6 Zêta: R-007 paid
// C7 Êta: R-008 700 € due 01/12 (not due yet)
const FRIDAY = '2026-11-20';

async function company(): Promise<string> {
  const dir = tempDir();
  const result = await recouvre(['import', fixture('relances/factures.csv')], { cwd: dir });
  expect(result.code).toBe(0);
  return dir;
}

interface PlanJson {
  date: string;
  jour_ouvre: boolean;
  jour_non_ouvre: string | null;
  actions: {
    client: string;
    etape: string;
    canal: string;
    devise: string;
    factures: {
      numero: string;
      reclame_centimes: number;
      penalites_centimes: number;
      indemnite_centimes: number;
    }[];
    total_reclame_centimes: number;
  }[];
  exclues: { numero: string; raison: string; detail: string }[];
  en_attente: { numero: string; etape: string; date: string; raison: string }[];
  avertissements: string[];
}

async function plan(dir: string, ...args: string[]): Promise<PlanJson> {
  const result = await recouvre(['relancer', '--dry-run', '--json', '--date', FRIDAY, ...args], { cwd: dir });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as PlanJson;
}

const steps = (p: PlanJson) => p.actions.map((a) => [a.client, a.etape, a.canal]);

function storeSnapshot(dir: string): unknown {
  const db = join(dir, 'recouvre.db');
  return ['invoices', 'clients', 'payments', 'journal', 'actions', 'payment_plans'].map((table) =>
    query(db, `SELECT * FROM ${table} ORDER BY rowid`),
  );
}

describe('recouvre relancer --dry-run', () => {
  it('plans one action per client and currency, lists what is left out, and changes nothing', async () => {
    const dir = await company();
    const before = storeSnapshot(dir);
    const p = await plan(dir);
    expect(p).toMatchObject({ date: FRIDAY, jour_ouvre: true });
    expect(steps(p)).toEqual([
      ['C1', 'relance', 'email'],
      ['C2', 'relance', 'courrier'],
      ['C3', 'relance', 'email'],
      ['C4', 'relance', 'email'],
    ]);
    const alpha = p.actions[0]!;
    // The credit note goes to the oldest invoice: 1 000 € - 100 € claimed; both invoices covered.
    expect(alpha.factures.map((f) => [f.numero, f.reclame_centimes, f.indemnite_centimes])).toEqual([
      ['R-001', 90000, 4000],
      ['R-002', 20000, 4000],
    ]);
    expect(alpha.total_reclame_centimes).toBe(110000);
    // A private client owes no €40 and no interest before a mise en demeure.
    expect(p.actions[2]!.factures[0]).toMatchObject({ penalites_centimes: 0, indemnite_centimes: 0 });
    expect(p.actions[3]!.devise).toBe('USD');
    expect(p.exclues).toEqual([
      {
        numero: 'R-006',
        client: 'C5',
        raison: 'sous_seuil',
        detail: 'reste 4,00 € < seuil 5,00 €',
        reste_du_centimes: 400,
      },
    ]);
    expect(p.avertissements).toContainEqual(expect.stringContaining('taux BCE du 2e semestre 2026 inconnu'));
    expect(storeSnapshot(dir)).toEqual(before);
  });

  it('shows the plan as a table for a person', async () => {
    const dir = await company();
    const result = await recouvre(['relancer', '--dry-run', '--date', FRIDAY], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Plan de relance du vendredi 20/11/2026');
    expect(result.stdout).toContain('4 actions');
    expect(result.stdout).toContain('Alpha SARL (C1)');
    expect(result.stdout).toContain("pas d'adresse e-mail pour ce client");
    expect(result.stdout).toContain('avoir A-001 : -100,00 €');
    expect(result.stdout).toContain('1 facture en retard écartée');
    expect(result.stdout).toContain('sous le seuil');
  });

  it('does nothing on a public holiday unless forced, and says when it will', async () => {
    const dir = await company();
    const christmas = await plan(dir, '--date', '2026-12-25');
    expect(christmas).toMatchObject({ jour_ouvre: false, jour_non_ouvre: 'Noël (jour férié)', actions: [] });
    expect(christmas.en_attente.every((w) => w.date === '2026-12-28' && w.raison === 'jour_non_ouvre')).toBe(
      true,
    );
    const forced = await plan(dir, '--date', '2026-12-25', '--forcer');
    expect(forced.actions.length).toBeGreaterThan(0);
    const table = await recouvre(['relancer', '--dry-run', '--date', '2026-12-25'], { cwd: dir });
    expect(table.stdout).toContain("n'est pas un jour ouvré (Noël (jour férié))");
  });

  it('finds Easter Monday in any time zone, daylight saving changes included', async () => {
    const dir = await company();
    for (const tz of ['Australia/Sydney', 'Pacific/Kiritimati', 'America/Adak', 'Europe/Paris']) {
      const result = await recouvre(['relancer', '--dry-run', '--json', '--date', '2026-04-06'], {
        cwd: dir,
        env: { TZ: tz },
      });
      expect(JSON.parse(result.stdout).jour_non_ouvre, tz).toBe('Lundi de Pâques (jour férié)');
    }
    const utc = await recouvre(['relancer', '--dry-run', '--json', '--date', FRIDAY], {
      cwd: dir,
      env: { TZ: 'UTC' },
    });
    const kiritimati = await recouvre(['relancer', '--dry-run', '--json', '--date', FRIDAY], {
      cwd: dir,
      env: { TZ: 'Pacific/Kiritimati' },
    });
    expect(kiritimati.stdout).toBe(utc.stdout);
  });

  it('follows the scenario set in recouvre.toml', async () => {
    const dir = await company();
    writeFileSync(
      join(dir, 'recouvre.toml'),
      `[relances]
regroupement = "facture"
seuil = 3
sans_email = "appel"
`,
    );
    const p = await plan(dir);
    expect(steps(p)).toEqual([
      ['C1', 'relance', 'email'],
      ['C1', 'rappel', 'email'],
      ['C2', 'relance', 'appel'],
      ['C3', 'relance', 'email'],
      ['C4', 'relance', 'email'],
      ['C5', 'relance', 'email'],
    ]);
  });

  it('says which configuration key is wrong, and where', async () => {
    const dir = await company();
    writeFileSync(
      join(dir, 'recouvre.toml'),
      `[relances]
etapes = [
  { etape = "relance", jours = 15, canal = "email" },
  { etape = "rappel", jours = 5, canal = "email" },
]
regroupemnt = "facture"
`,
    );
    const result = await recouvre(['relancer', '--dry-run', '--date', FRIDAY], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('recouvre.toml:6, clé « relances.regroupemnt » : clé inconnue');
    expect(result.stderr).toContain("les étapes vont dans l'ordre des délais");
  });

  it('refuses a real run while the company identity is incomplete, without touching anything', async () => {
    const dir = await company();
    const before = storeSnapshot(dir);
    const result = await recouvre(['relancer', '--date', FRIDAY], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "L'identité de votre société est incomplète dans " +
        join(dir, 'recouvre.toml') +
        ' : creancier.raison_sociale, creancier.siren, creancier.adresse, creancier.email, creancier.telephone.',
    );
    expect(storeSnapshot(dir)).toEqual(before);
  });

  it('limits the plan to one client, and names an unknown one', async () => {
    const dir = await company();
    expect(steps(await plan(dir, '--client', 'C2'))).toEqual([['C2', 'relance', 'courrier']]);
    const unknown = await recouvre(['relancer', '--dry-run', '--client', 'C99'], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Client « C99 » inconnu');
  });
});

describe('keeping the state right: what stops or resumes the reminders', () => {
  it('litige: a disputed invoice is left out until the dispute is lifted', async () => {
    const dir = await company();
    const set = await recouvre(['litige', 'R-003', '--motif', 'prestation contestée'], { cwd: dir });
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('Facture R-003 en litige');
    expect((await plan(dir)).exclues).toContainEqual(
      expect.objectContaining({ numero: 'R-003', raison: 'litige', detail: 'prestation contestée' }),
    );
    // A re-import of the same export keeps the dispute.
    await recouvre(['import', fixture('relances/factures.csv')], { cwd: dir });
    expect((await plan(dir)).exclues.map((e) => e.numero)).toContain('R-003');
    expect((await recouvre(['litige', 'R-003', '--lever'], { cwd: dir })).code).toBe(0);
    expect(steps(await plan(dir))).toContainEqual(['C2', 'relance', 'courrier']);
  });

  it('pause: a client paused until a date is left out, and comes back the day after', async () => {
    const dir = await company();
    const set = await recouvre(
      ['pause', 'C1', '--jusqu-au', '2099-01-01', '--motif', 'promesse de paiement'],
      {
        cwd: dir,
      },
    );
    expect(set.code).toBe(0);
    expect(set.stdout).toContain("jusqu'au 01/01/2099 inclus");
    const p = await plan(dir);
    expect(p.exclues.filter((e) => e.raison === 'pause_client').map((e) => e.numero)).toEqual([
      'R-001',
      'R-002',
    ]);
    expect(p.exclues[0]!.detail).toBe("jusqu'au 01/01/2099 : promesse de paiement");
    expect((await recouvre(['pause', 'C1', '--reprendre'], { cwd: dir })).code).toBe(0);
    expect(steps(await plan(dir))[0]).toEqual(['C1', 'relance', 'email']);
    expect((await recouvre(['pause', 'R-004'], { cwd: dir })).code).toBe(0);
    expect((await plan(dir)).exclues).toContainEqual(
      expect.objectContaining({ numero: 'R-004', raison: 'pause' }),
    );
  });

  it('paiement: a fully paid invoice is no longer chased, even when the export still says unpaid', async () => {
    const dir = await company();
    const paid = await recouvre(
      ['paiement', 'R-003', '500,00', '--date', '2026-11-18', '--reference', 'VIR-12'],
      {
        cwd: dir,
      },
    );
    expect(paid.code).toBe(0);
    expect(paid.stdout).toContain('Règlement de 500,00 € du 18/11/2026 enregistré sur la facture R-003');
    expect(paid.stdout).toContain('Elle est soldée');
    expect(steps(await plan(dir)).map(([client]) => client)).not.toContain('C2');
    // A partial payment lowers what is claimed.
    await recouvre(['paiement', 'R-004', '100'], { cwd: dir });
    const jeanne = (await plan(dir)).actions.find((a) => a.client === 'C3')!;
    expect(jeanne.total_reclame_centimes).toBe(20000);
  });

  it('paiement: bad input is refused with a French message and changes nothing', async () => {
    const dir = await company();
    const before = storeSnapshot(dir);
    const cases: [string[], string][] = [
      [['paiement', 'R-003', '600,00'], 'dépasse le reste dû de la facture R-003 (500,00 €)'],
      [['paiement', 'R-999', '10'], 'Facture « R-999 » inconnue'],
      [['paiement', 'R-003', '12,3O'], "Montant « 12,3O » : ce n'est pas un montant"],
      [['paiement', 'R-003', '-5'], 'un règlement est un montant positif'],
      [['paiement', 'R-003', '10', '--date', '2999-01-01'], 'dans le futur'],
      [['paiement', 'R-007', '10'], 'déjà soldée'],
      [['paiement', 'A-001', '10'], 'A-001 est un avoir'],
      [['litige', 'R-999', '--motif', 'x'], 'Facture « R-999 » inconnue'],
      [['litige', 'R-001'], 'Indiquez soit --motif'],
      [['litige', 'R-001', '--lever'], "n'est pas en litige"],
      [['pause', 'C9'], "« C9 » n'est ni un numéro de facture ni un code client connus"],
      [['pause', 'C1', '--jusqu-au', '2020-01-01'], 'est passé'],
      [['pause', 'C1', '--jusqu-au', '2026-02-31'], 'date attendue au format jj/mm/aaaa'],
      [['echeancier', 'C1', '--echeances', '3'], 'demande --echeances (le nombre) et --debut'],
      [['echeancier', 'C6', '--echeances', '2', '--debut', '2099-01-01'], "n'a aucune facture ouverte"],
      [['echeancier', 'C1', '--annuler'], 'Aucun échéancier en cours'],
      [
        ['historique', 'C1', '--ajouter', 'relancer'],
        '« relancer » inconnu : une étape (preavis, rappel, relance, appel, mise_en_demeure, contentieux, penalites), ou reception, reconnaissance_dette, demande_en_justice.',
      ],
      [['historique', 'C1', '--ajouter', 'relance', '--date', '2999-01-01'], 'dans le futur'],
      [['historique', 'C1', '--ajouter', 'relance', '--canal', 'fax'], 'Canal « fax » inconnu'],
    ];
    for (const [args, message] of cases) {
      const result = await recouvre(args, { cwd: dir });
      expect(result.code, args.join(' ')).toBeGreaterThan(0);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    expect(storeSnapshot(dir)).toEqual(before);
  });

  it('avoir and scenario_termine: a fully covered invoice and a finished scenario are left out', async () => {
    const dir = await company();
    // 900 € paid on R-001 leaves 100 €, which the 100 € credit note A-001 covers.
    await recouvre(['paiement', 'R-001', '900'], { cwd: dir });
    await recouvre(['historique', 'R-003', '--ajouter', 'contentieux', '--date', '2026-11-01'], { cwd: dir });
    const p = await plan(dir);
    expect(p.exclues).toContainEqual(
      expect.objectContaining({ numero: 'R-001', raison: 'avoir', detail: 'avoir A-001' }),
    );
    expect(p.exclues).toContainEqual(
      expect.objectContaining({
        numero: 'R-003',
        raison: 'scenario_termine',
        detail: 'dernière étape faite : contentieux',
      }),
    );
    // R-002 (200 €) is still chased, alone, by a rappel.
    expect(p.actions.find((a) => a.client === 'C1')).toMatchObject({
      etape: 'rappel',
      total_reclame_centimes: 20000,
    });
  });

  it('echeancier: honoured, the invoices are left out; a missed instalment resumes the scenario', async () => {
    const dir = await company();
    const set = await recouvre(['echeancier', 'R-003', '--echeances', '2', '--debut', '2026-11-19'], {
      cwd: dir,
    });
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('500,00 € en 2 échéances pour R-003');
    // 19/11: 250 € due that day, not yet missed on the 19th; paid on the 19th, honoured on the 20th.
    expect((await plan(dir, '--date', '2026-11-19')).exclues).toContainEqual(
      expect.objectContaining({ numero: 'R-003', raison: 'echeancier' }),
    );
    const missed = await plan(dir);
    expect(steps(missed)).toContainEqual(['C2', 'relance', 'courrier']);
    expect(missed.avertissements).toContainEqual(
      expect.stringContaining('échéancier du client C2 non respecté'),
    );
    await recouvre(['paiement', 'R-003', '250'], { cwd: dir, env: {} });
    expect((await plan(dir)).exclues).toContainEqual(
      expect.objectContaining({
        numero: 'R-003',
        raison: 'echeancier',
        detail: 'prochaine échéance le 19/12/2026 : 250,00 €',
      }),
    );
    const twice = await recouvre(['echeancier', 'C2', '--echeances', '3', '--debut', '2026-12-01'], {
      cwd: dir,
    });
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('Déjà sous échéancier : R-003');
    expect((await recouvre(['echeancier', 'C2', '--annuler'], { cwd: dir })).stdout).toContain(
      '1 échéancier annulé',
    );
  });

  it('--json on litige, pause, paiement and echeancier: one JSON document each, saying what was recorded', async () => {
    const dir = await company();
    const json = async (args: string[]) => {
      const result = await recouvre([...args, '--json'], { cwd: dir });
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout);
    };
    expect(await json(['litige', 'R-003', '--motif', 'quantités'])).toEqual({
      facture: 'R-003',
      litige: true,
      motif: 'quantités',
    });
    expect(await json(['litige', 'R-003', '--lever'])).toEqual({
      facture: 'R-003',
      litige: false,
      motif: null,
    });
    expect(await json(['pause', 'C1', '--jusqu-au', '01/01/2099', '--motif', 'promesse'])).toMatchObject({
      client: 'C1',
      en_pause: true,
      jusqu_au: '2099-01-01',
      motif: 'promesse',
    });
    expect(await json(['pause', 'R-004'])).toMatchObject({
      facture: 'R-004',
      en_pause: true,
      jusqu_au: null,
    });
    expect(
      await json(['paiement', 'R-003', '100,50', '--date', '18/11/2026', '--reference', 'VIR-1']),
    ).toEqual({
      facture: 'R-003',
      date: '2026-11-18',
      montant_centimes: 10050,
      devise: 'EUR',
      reference: 'VIR-1',
      reste_du_centimes: 39950,
      soldee: false,
    });
    const made = await json(['echeancier', 'R-003', '--echeances', '2', '--debut', '19/12/2026']);
    expect(made.enregistre).toMatchObject({
      total_centimes: 39950,
      factures: ['R-003'],
      echeances: [
        { date: '2026-12-19', montant_centimes: 19975 },
        { date: '2027-01-19', montant_centimes: 19975 },
      ],
    });
    expect((await json(['echeancier', 'C2'])).en_cours).toEqual([made.enregistre]);
    expect((await json(['echeancier', 'C2', '--annuler'])).annules).toEqual([made.enregistre]);
    expect(await json(['echeancier', 'C2'])).toEqual({ en_cours: [] });
    // What was recorded is what the next run sees.
    const p = await plan(dir);
    expect(p.exclues).toContainEqual(expect.objectContaining({ numero: 'R-004', raison: 'pause' }));
    expect(p.exclues).not.toContainEqual(expect.objectContaining({ numero: 'R-003' }));
  });

  it('historique --ajouter: a reminder sent by hand moves the scenario on and counts for the interval', async () => {
    const dir = await company();
    const added = await recouvre(
      [
        'historique',
        'C1',
        '--ajouter',
        'relance',
        '--canal',
        'courrier',
        '--date',
        '2026-11-02',
        '--note',
        'lettre simple',
      ],
      { cwd: dir },
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Noté : relance par courrier le 02/11/2026 pour R-001');
    // R-001 (due 01/10) had its relance: next is the mise en demeure at J+30, due since 31/10.
    expect(steps(await plan(dir))[0]).toEqual(['C1', 'mise_en_demeure', 'courrier']);
    // A call yesterday: nothing to C1 before a week has passed.
    await recouvre(['historique', 'C1', '--ajouter', 'appel', '--date', '2026-11-19'], { cwd: dir });
    const p = await plan(dir);
    expect(p.actions.map((a) => a.client)).not.toContain('C1');
    expect(p.en_attente).toContainEqual(
      expect.objectContaining({
        numero: 'R-001',
        etape: 'mise_en_demeure',
        date: '2026-11-26',
        raison: 'intervalle',
      }),
    );
  });

  it('historique --json: every event in date order, the actions with their step and channel', async () => {
    const dir = await company();
    await recouvre(['historique', 'R-001', '--ajouter', 'rappel', '--date', '2026-10-07'], { cwd: dir });
    await recouvre(['paiement', 'R-001', '300,00', '--date', '2026-10-20'], { cwd: dir });
    await recouvre(['litige', 'R-001', '--motif', 'remise promise'], { cwd: dir });
    const result = await recouvre(['historique', 'R-001', '--json'], { cwd: dir });
    expect(result.code).toBe(0);
    const events = JSON.parse(result.stdout) as {
      date: string;
      type: string;
      etape?: string;
      canal?: string;
    }[];
    expect(events.map((e) => e.type)).toEqual(['relance', 'paiement', 'import', 'litige']);
    expect(events[0]).toMatchObject({
      date: '2026-10-07',
      etape: 'rappel',
      canal: 'email',
      facture: 'R-001',
    });
    expect(events[1]).toMatchObject({ date: '2026-10-20', montant_centimes: 30000 });
    const dates = events.map((e) => e.date);
    expect([...dates].sort()).toEqual(dates);
    const table = await recouvre(['historique', 'C1'], { cwd: dir });
    expect(table.stdout).toContain('Client C1 (Alpha SARL)');
    expect(table.stdout).toContain('rappel amical par e-mail (saisie à la main)');
  });
});

describe('recouvre penalites', () => {
  it('explains the interest period by period, the indemnity and the total', async () => {
    const dir = await company();
    writeFileSync(join(dir, 'recouvre.toml'), '[taux]\nbce = { "2026-07-01" = 2.15 }\n');
    const result = await recouvre(['penalites', 'R-003', '--date', FRIDAY], { cwd: dir });
    expect(result.code).toBe(0);
    // 500 € due 15/10: 36 days at 12,15 %: 500 × 0,1215 × 36 / 365 = 5,9918 € → 5,99 €.
    expect(result.stdout).toContain(
      'du 16/10/2026 au 20/11/2026 : 500,00 € × 12,15 % × 36 jours / 365 = 5,9918 €',
    );
    expect(result.stdout).toContain('Total des intérêts, arrondi au centime : 5,99 €');
    expect(result.stdout).toContain('(art. D441-5 du Code de commerce) : 40,00 €');
    expect(result.stdout).toContain('Total réclamable : 545,99 €');
    // The rate was given for 2026-H2, so no estimate warning.
    expect(result.stdout).not.toContain('Attention');
    const json = JSON.parse(
      (await recouvre(['penalites', 'R-003', '--date', FRIDAY, '--json'], { cwd: dir })).stdout,
    );
    expect(json).toMatchObject({
      interets_centimes: 599,
      indemnite_centimes: 4000,
      periodes: [{ jours: 36, taux_points_de_base: 1215 }],
    });
  });

  it('tells a private client owes no interest before the mise en demeure', async () => {
    const dir = await company();
    const result = await recouvre(['penalites', 'R-004', '--date', FRIDAY], { cwd: dir });
    expect(result.stdout).toContain(
      "les intérêts au taux légal ne courent qu'à partir de la mise en demeure",
    );
    expect(result.stdout).toContain('Pas d’indemnité forfaitaire de 40 €');
  });

  it('keeps the config file untouched', async () => {
    const dir = await company();
    const config = '[taux]\ninteret_legal = { "2026-S2" = 2.5 }\n';
    writeFileSync(join(dir, 'recouvre.toml'), config);
    await recouvre(['penalites', 'R-001', '--date', FRIDAY], { cwd: dir });
    expect(readFileSync(join(dir, 'recouvre.toml'), 'utf8')).toBe(config);
  });
});
