import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, plain, query, recouvre, tempDir } from './cli.js';
import { pdfText } from './pdf.js';
import { smtpForTest } from './smtp.js';

const FRIDAY = '2026-11-20';

/** Writes `[import] source = …` (and more keys) into the [import] section a company's init made. */
function configure(company: string, lines: string): void {
  const path = join(company, 'recouvre.toml');
  writeFileSync(path, readFileSync(path, 'utf8').replace('[import]\n', `[import]\n${lines}\n`));
}

function invoices(company: string): number {
  return query<{ n: number }>(join(company, 'recouvre.db'), 'SELECT count(*) AS n FROM invoices')[0]!.n;
}

/**
 * A firm with three companies: Alpha (Marie) reads the relances fixture, Bêta (Paul) a broken export,
 * Gamma (Marie) is switched off in cabinet.toml.
 */
async function firm(): Promise<string> {
  const dir = tempDir();
  for (const [folder, name, manager] of [
    ['alpha', 'Alpha Conseil', 'Marie'],
    ['beta', 'Bêta Bâtiment', 'Paul'],
    ['gamma', 'Gamma Négoce', 'Marie'],
  ] as const) {
    const added = await recouvre(['cabinet', 'ajouter', folder, '--nom', name, '--responsable', manager], {
      cwd: dir,
    });
    expect(added.code, added.stderr).toBe(0);
  }
  mkdirSync(join(dir, 'alpha', 'exports'));
  copyFileSync(fixture('relances/factures.csv'), join(dir, 'alpha', 'exports', 'factures.csv'));
  configure(join(dir, 'alpha'), 'source = "exports/factures.csv"');
  writeFileSync(
    join(dir, 'beta', 'export.csv'),
    'N° facture;Client;Date facture;Montant TTC\nB-1;Client B;01/09/2026;12,3O\n',
  );
  configure(join(dir, 'beta'), 'source = "export.csv"');
  copyFileSync(fixture('relances/factures.csv'), join(dir, 'gamma', 'factures.csv'));
  configure(join(dir, 'gamma'), 'source = "factures.csv"');
  const toml = join(dir, 'cabinet.toml');
  writeFileSync(
    toml,
    readFileSync(toml, 'utf8').replace('dossier = "gamma"\n', 'dossier = "gamma"\nactif = false\n'),
  );
  return dir;
}

describe('recouvre cabinet: a firm’s portfolio', () => {
  it('init lists the company folders found, and never overwrites cabinet.toml', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'dupont'));
    expect((await recouvre(['init'], { cwd: join(dir, 'dupont') })).code).toBe(0);
    mkdirSync(join(dir, 'pas-une-societe'));
    const first = await recouvre(['cabinet', 'init'], { cwd: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(plain(first.stdout)).toContain('1 société trouvée (dupont)');
    expect(readFileSync(join(dir, 'cabinet.toml'), 'utf8')).toContain('[[societe]]\ndossier = "dupont"');
    const again = await recouvre(['cabinet', 'init'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(plain(again.stderr)).toContain('cabinet.toml existe déjà');

    const twice = await recouvre(['cabinet', 'ajouter', 'dupont'], { cwd: dir });
    expect(twice.code).toBe(1);
    expect(plain(twice.stderr)).toContain('déjà dans le portefeuille');
  });

  it('imports each company’s own source: one broken export is reported, the others go on, its base stays as it was', async () => {
    const dir = await firm();
    expect(existsSync(join(dir, 'beta', 'recouvre.db'))).toBe(true);
    const result = await recouvre(['cabinet', 'import', '--json'], { cwd: dir });
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json.societes.map((s: { dossier: string }) => s.dossier)).toEqual(['alpha', 'beta']);
    const [alpha, beta] = json.societes;
    expect(alpha).toMatchObject({ code_sortie: 0, a_regarder: false, resultat: { crees: 9 } });
    expect(beta).toMatchObject({ code_sortie: 1, a_regarder: true });
    expect(beta.erreur).toMatch(/export\.csv:2, colonne « Montant TTC » : « 12,3O »/);
    expect(invoices(join(dir, 'alpha'))).toBe(9);
    expect(invoices(join(dir, 'beta'))).toBe(0);
    // Switched off: not touched.
    expect(invoices(join(dir, 'gamma'))).toBe(0);

    const table = plain((await recouvre(['cabinet', 'import'], { cwd: dir })).stdout);
    expect(table).toContain('0 créée(s), 0 mise(s) à jour, 9 inchangée(s)');
    expect(table).toContain('2 sociétés traitées, 1 à regarder : Bêta Bâtiment.');
  });

  it('plans each company’s day with its own rules, one at a time or in parallel alike', async () => {
    const dir = await firm();
    await recouvre(['cabinet', 'import'], { cwd: dir });
    // Bêta's rules are its own: a threshold no invoice reaches there changes nothing at Alpha.
    const path = join(dir, 'beta', 'recouvre.toml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('seuil = 5\n', 'seuil = 100000\n'));
    copyFileSync(fixture('relances/factures.csv'), join(dir, 'beta', 'export.csv'));
    const fixed = await recouvre(['cabinet', 'import'], { cwd: dir });
    expect(fixed.code, fixed.stdout).toBe(0);

    const run = async (...extra: string[]) => {
      const result = await recouvre(
        ['cabinet', 'relancer', '--dry-run', '--json', '--date', FRIDAY, ...extra],
        {
          cwd: dir,
        },
      );
      // Alpha has a letter for a client without a postal address: something to look at.
      expect(result.code, result.stderr).toBe(1);
      return JSON.parse(result.stdout).societes as {
        dossier: string;
        a_regarder: boolean;
        resultat: { actions: unknown[] };
      }[];
    };
    const parallel = await run();
    const alphaActions = parallel.find((s) => s.dossier === 'alpha')!.resultat.actions.length;
    expect(alphaActions).toBeGreaterThan(0);
    expect(parallel.find((s) => s.dossier === 'beta')).toMatchObject({
      a_regarder: false,
      resultat: { actions: [] },
    });
    expect(parallel.find((s) => s.dossier === 'alpha')!.a_regarder).toBe(true);
    const serial = await run('--paralleles', '1');
    expect(serial.map((s) => s.resultat.actions.length)).toEqual(
      parallel.map((s) => s.resultat.actions.length),
    );
    // A dry run records nothing.
    expect(query(join(dir, 'alpha', 'recouvre.db'), 'SELECT * FROM actions')).toEqual([]);
  });

  it('reports the firm’s morning: what needs a person first, per staff member, in JSON, HTML and PDF', async () => {
    const dir = await firm();
    await recouvre(['cabinet', 'import'], { cwd: dir });
    const result = await recouvre(['cabinet', 'rapport', '--json', '--date', FRIDAY], { cwd: dir });
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    // Alpha has a letter that cannot go (a client without a postal address): before Bêta's empty base.
    expect(json.societes.map((s: { dossier: string }) => s.dossier)).toEqual(['alpha', 'beta']);
    expect(json.societes[0].a_regarder[0]).toMatch(
      /^1 relance\(s\) bloquée\(s\) : adresse postale du client C2 inconnue/,
    );
    expect(json.societes[1].a_regarder).toContain('aucun import : la base est vide');
    expect(json.societes[0]).toMatchObject({
      nom: 'Alpha Conseil',
      responsable: 'Marie',
      erreur: null,
      envoyees_aujourdhui: 0,
    });
    expect(json.societes[0].encours_centimes).toBeGreaterThan(0);
    expect(json.societes[0].a_faire_aujourdhui).toBeGreaterThan(0);

    const marie = JSON.parse(
      (
        await recouvre(['cabinet', 'rapport', '--json', '--date', FRIDAY, '--responsable', 'marie'], {
          cwd: dir,
        })
      ).stdout,
    );
    expect(marie.societes.map((s: { dossier: string }) => s.dossier)).toEqual(['alpha']);

    const html = await recouvre(['cabinet', 'rapport', '--date', FRIDAY, '--sortie', 'matin.html'], {
      cwd: dir,
    });
    expect(html.stderr).toContain('Rapport écrit : matin.html');
    const page = readFileSync(join(dir, 'matin.html'), 'utf8');
    expect(page).toContain('Alpha Conseil');
    expect(page).toContain('Bêta Bâtiment');
    expect(page).toContain('<svg');
    expect(page).not.toContain('Gamma Négoce');

    expect(
      (await recouvre(['cabinet', 'rapport', '--date', FRIDAY, '--sortie', 'matin.pdf'], { cwd: dir })).code,
    ).toBe(1);
    const printed = plain(await pdfText(join(dir, 'matin.pdf'))).replace(/\s+/g, ' ');
    expect(printed).toContain('Portefeuille du cabinet au 20/11/2026');
    expect(printed).toContain('Alpha Conseil');
    expect(printed).toContain('aucun import : la base est vide');

    const table = plain((await recouvre(['cabinet', 'rapport', '--date', FRIDAY], { cwd: dir })).stdout);
    expect(table).toContain('Portefeuille du cabinet au 20/11/2026');
    expect(table).toContain('2 société(s), 2 à regarder');
  });

  it('sends each company’s reminders from that company only, never twice, and goes on past a busy base', async () => {
    const dir = tempDir();
    const server = await smtpForTest();
    const creditors = [
      ['nord', 'Menuiserie du Nord SARL', '732 829 320', 'compta@menuiserie-nord.fr'],
      ['sud', 'Plomberie du Sud SAS', '552 100 554', 'factures@plomberie-sud.fr'],
    ] as const;
    for (const [folder, name, siren, email] of creditors) {
      expect((await recouvre(['cabinet', 'ajouter', folder], { cwd: dir })).code).toBe(0);
      writeFileSync(
        join(dir, folder, 'recouvre.toml'),
        `[import]\nsource = "factures.csv"\n\n[creancier]\nraison_sociale = "${name}"\nsiren = "${siren}"\nadresse = "1 rue de la Paix\\n75002 Paris"\nemail = "${email}"\ntelephone = "01 23 45 67 89"\n\n[smtp]\nurl = "${server.url}"\nexpediteur = "${name} <${email}>"\n\n[taux]\nbce = { "2026-07-01" = 2.15 }\n`,
      );
      copyFileSync(fixture('relances/factures.csv'), join(dir, folder, 'factures.csv'));
    }
    expect((await recouvre(['cabinet', 'import'], { cwd: dir })).code).toBe(0);

    // Nord's base is busy (another run holds its lock): Nord is refused, Sud goes on.
    const lock = join(dir, 'nord', 'recouvre.db.verrou');
    writeFileSync(lock, String(process.pid));
    const busy = JSON.parse(
      (await recouvre(['cabinet', 'relancer', '--date', FRIDAY, '--json'], { cwd: dir })).stdout,
    );
    const nordBusy = busy.societes.find((c: { dossier: string }) => c.dossier === 'nord');
    expect(nordBusy.erreur).toContain('Une autre relance ou restauration est en cours sur cette base');
    expect(server.messages.length).toBeGreaterThan(0);
    const sudFirst = server.messages.length;
    for (const { mail } of server.messages) expect(mail.from?.text).toContain('Plomberie du Sud SAS');
    rmSync(lock);

    const first = await recouvre(['cabinet', 'relancer', '--date', FRIDAY, '--json'], { cwd: dir });
    const json = JSON.parse(first.stdout);
    const sent = (folder: string) =>
      json.societes
        .find((c: { dossier: string }) => c.dossier === folder)
        .resultat.actions.filter((a: { resultat: string }) => a.resultat === 'envoye').length;
    expect(sent('nord')).toBeGreaterThan(0);
    // Sud's reminders went on the busy run: nothing goes twice.
    expect(sent('sud')).toBe(0);
    expect(server.messages.length).toBeGreaterThanOrEqual(sudFirst + sent('nord'));
    for (const { mail } of server.messages) {
      const from = mail.from?.text ?? '';
      const mine = creditors.find(([, name]) => from.includes(name))!;
      const other = creditors.find((c) => c !== mine)!;
      expect(mine, from).toBeDefined();
      expect(mail.text).toContain(mine[1]);
      expect(mail.text).not.toContain(other[1]);
      expect(mail.text).not.toContain(other[3]);
    }
    const count = server.messages.length;
    const again = await recouvre(['cabinet', 'relancer', '--date', FRIDAY, '--json'], { cwd: dir });
    // What went is not sent again; what was blocked (a client without a postal address) still waits.
    const results = JSON.parse(again.stdout).societes.flatMap(
      (c: { resultat: { actions: { resultat: string }[] } }) => c.resultat.actions.map((a) => a.resultat),
    );
    expect(results).not.toContain('envoye');
    expect(results.every((r: string) => r === 'bloque')).toBe(true);
    expect(server.messages).toHaveLength(count);
  });

  it('mails the morning report through the firm’s own SMTP server', async () => {
    const dir = await firm();
    await recouvre(['cabinet', 'import'], { cwd: dir });
    const server = await smtpForTest();
    writeFileSync(
      join(dir, 'recouvre.toml'),
      `[smtp]\nurl = "${server.url}"\nexpediteur = "Cabinet <cabinet@exemple.fr>"\n\n[rapport]\ndestinataires = ["associes@exemple.fr"]\n`,
    );
    const sent = await recouvre(['cabinet', 'rapport', '--date', FRIDAY, '--envoyer'], { cwd: dir });
    expect(sent.code).toBe(1);
    expect(sent.stdout).toContain('Rapport du cabinet du 2026-11-20 envoyé à associes@exemple.fr.');
    expect(server.messages).toHaveLength(1);
    const { mail, envelopeTo } = server.messages[0]!;
    expect(envelopeTo).toEqual(['associes@exemple.fr']);
    expect(plain(mail.subject ?? '')).toMatch(
      /^Portefeuille du cabinet au 20\/11\/2026 : .* d’encours, dont .* en retard ; 2 sociétés à regarder$/,
    );
    expect(String(mail.html)).toContain('Alpha Conseil');
    expect(mail.attachments.map((a) => a.filename)).toEqual(['cabinet-2026-11-20.pdf']);
  });

  it('reports a company whose folder has gone, and goes on with the others', async () => {
    const dir = await firm();
    writeFileSync(
      join(dir, 'cabinet.toml'),
      `${readFileSync(join(dir, 'cabinet.toml'), 'utf8')}\n[[societe]]\ndossier = "disparue"\n`,
    );
    const result = await recouvre(['cabinet', 'rapport', '--json', '--date', FRIDAY], { cwd: dir });
    const json = JSON.parse(result.stdout);
    expect(json.societes[0]).toMatchObject({ dossier: 'disparue' });
    expect(json.societes[0].erreur).toContain('dossier de société introuvable');
    expect(json.societes.map((s: { dossier: string }) => s.dossier)).toContain('alpha');
    expect(existsSync(join(dir, 'disparue'))).toBe(false);
  });

  it('says where to start when there is no portfolio', async () => {
    const dir = tempDir();
    const result = await recouvre(['cabinet', 'rapport'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(plain(result.stderr)).toContain('recouvre cabinet init');
    expect(plain(result.stderr)).not.toMatch(/\n\s+at /);
  });
});
