import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { creditorToml, fixture, query, recouvre, tempDir } from './cli.js';

const EXAMPLE = fixture('../../examples/factures.csv');

describe('recouvre: the command line', () => {
  it('speaks French in --help, and --version prints the version', async () => {
    const dir = tempDir();
    const help = await recouvre(['--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Utilisation : recouvre [options] <commande>');
    expect(help.stdout).toContain('Commandes :');
    expect(help.stdout).toContain("afficher l'aide");
    const importHelp = await recouvre(['import', '--help'], { cwd: dir });
    expect(importHelp.stdout).toContain('--ignorer-erreurs');
    expect(importHelp.stdout).toContain('Exemples :');
    const modeles = await recouvre(['modeles', '--help'], { cwd: dir });
    expect(modeles.stdout).toContain('Utilisation : recouvre modeles [options] [commande]');
    // Every command's help speaks French: no English word of commander's left.
    for (const command of ['sauvegarde', 'restaurer', 'relancer', 'rapport', 'penalites', 'historique']) {
      const text = (await recouvre([command, '--help'], { cwd: dir })).stdout;
      expect(text, command).toContain('Utilisation : recouvre');
      expect(text, command).not.toMatch(/\[command\]|\bdefault:|Usage:|Options:/);
    }
    const version = await recouvre(['--version'], { cwd: dir });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('bad usage exits 2 with a French message', async () => {
    const dir = tempDir();
    const unknown = await recouvre(['import', 'x.csv', '--bogus'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('erreur : option inconnue « --bogus »');
    const missing = await recouvre(['import'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Quel fichier importer ? Donnez-le : recouvre import factures.csv');
    const command = await recouvre(['relancr'], { cwd: dir });
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('erreur : commande inconnue « relancr »');
    for (const bad of ['2026/12/31', '31/02/2026', '31-12-26']) {
      const date = await recouvre(['factures', '--date', bad], { cwd: dir });
      expect(date.code, bad).toBe(2);
      expect(date.stderr).toContain(
        'date attendue au format jj/mm/aaaa (ou aaaa-mm-jj), par exemple 03/12/2026',
      );
    }
  });

  it('init creates the store and a commented configuration, and is safe to rerun', async () => {
    const dir = tempDir();
    const first = await recouvre(['init'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Base créée : recouvre.db');
    expect(existsSync(join(dir, 'recouvre.toml'))).toBe(true);
    const second = await recouvre(['init'], { cwd: dir });
    expect(second.stdout).toContain('Configuration déjà présente, laissée telle quelle');
    const tables = query<{ name: string }>(
      join(dir, 'recouvre.db'),
      "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['clients', 'imports', 'invoices', 'journal', 'payments']),
    );
    const [mode] = query<{ journal_mode: string }>(join(dir, 'recouvre.db'), 'PRAGMA journal_mode');
    expect(mode?.journal_mode).toBe('wal');
  });

  it('finds the store with --db or RECOUVRE_DB, and says so when there is none', async () => {
    const dir = tempDir();
    const none = await recouvre(['factures'], { cwd: dir });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('Aucune base recouvre à');
    expect(none.stderr).toContain('recouvre init');
    await recouvre(['--db', 'societe-a.db', 'import', EXAMPLE], { cwd: dir });
    expect(existsSync(join(dir, 'societe-a.db'))).toBe(true);
    const viaEnv = await recouvre(['factures', '--json', '--date', '2026-11-20'], {
      cwd: dir,
      env: { RECOUVRE_DB: 'societe-a.db' },
    });
    expect(JSON.parse(viaEnv.stdout).factures).toHaveLength(9);
  });

  it('factures --en-retard lists what is open and late, with the amount still due', async () => {
    const dir = tempDir();
    await recouvre(['import', EXAMPLE], { cwd: dir });
    const table = await recouvre(['factures', '--en-retard', '--date', '2026-11-20'], { cwd: dir });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('F2026-0102');
    expect(table.stdout).toContain('Garage Étoile (C002)');
    expect(table.stdout).toContain('1\u00a0760,50\u00a0€');
    expect(table.stdout).not.toContain('F2026-0106'); // paid
    expect(table.stdout).not.toContain('F2026-0108'); // not yet due
    expect(table.stdout).toContain('6 factures en retard au 20/11/2026');
    expect(table.stdout.includes('\u001b[')).toBe(false); // no colour in a pipe

    const json = JSON.parse(
      (await recouvre(['factures', '--en-retard', '--date', '2026-11-20', '--json'], { cwd: dir })).stdout,
    );
    expect(json.factures[0]).toEqual({
      numero: 'F2026-0101',
      client: 'C001',
      client_nom: 'Boulangerie Lefèvre SARL',
      date: '2026-08-15',
      echeance: '2026-09-14',
      montant_centimes: 144000,
      regle_centimes: 0,
      reste_du_centimes: 144000,
      devise: 'EUR',
      jours_retard: 67,
      litige: false,
    });
    const client = await recouvre(['factures', '--client', 'C002', '--json', '--date', '2026-11-20'], {
      cwd: dir,
    });
    expect(JSON.parse(client.stdout).factures.map((f: { numero: string }) => f.numero)).toEqual([
      'F2026-0102',
      'F2026-0107',
    ]);
    const unknown = await recouvre(['factures', '--client', 'C999'], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Client « C999 » inconnu');
  });

  it('gives the same dates in every time zone', async () => {
    const outputs: string[] = [];
    for (const tz of ['Pacific/Kiritimati', 'America/Adak', 'Europe/Paris', 'UTC']) {
      const dir = tempDir();
      await recouvre(['import', EXAMPLE], { cwd: dir, env: { TZ: tz } });
      const result = await recouvre(['factures', '--json', '--date', '2026-11-20'], {
        cwd: dir,
        env: { TZ: tz },
      });
      outputs.push(result.stdout);
    }
    expect(new Set(outputs).size).toBe(1);
    expect(
      JSON.parse(outputs[0] ?? '').factures.find((f: { numero: string }) => f.numero === 'F2026-0109')
        .echeance,
    ).toBe('2026-12-05');
  });

  it('refuses a store written by a newer recouvre, without touching it', async () => {
    const dir = tempDir();
    await recouvre(['init'], { cwd: dir });
    const db = new Database(join(dir, 'recouvre.db'));
    db.prepare(
      "INSERT INTO kysely_migration (name, timestamp) VALUES ('2099-01-01-future', '2099-01-01T00:00:00Z')",
    ).run();
    db.close();
    const result = await recouvre(['import', EXAMPLE], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('écrite par une version plus récente de recouvre');
    expect(query(join(dir, 'recouvre.db'), 'SELECT id FROM invoices')).toHaveLength(0);
  });

  it('refuses a file that is not a recouvre store', async () => {
    const dir = tempDir();
    copyFileSync(EXAMPLE, join(dir, 'pas-une-base.db'));
    const result = await recouvre(['--db', 'pas-une-base.db', 'factures'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("n'est pas une base recouvre");
  });

  it('names the key and the line of a bad configuration', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'recouvre.toml'),
      '# société\n[import]\ndelai_paiement_jours = -3\ndevize = "EUR"\n',
    );
    const result = await recouvre(['import', EXAMPLE], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('recouvre.toml:3, clé « import.delai_paiement_jours »');
    expect(result.stderr).toContain('recouvre.toml:4, clé « import.devize » : clé inconnue');
    writeFileSync(join(dir, 'recouvre.toml'), '[import]\ndevise = EUR\n');
    const syntax = await recouvre(['import', EXAMPLE], { cwd: dir });
    expect(syntax.stderr).toContain('recouvre.toml:2, colonne');
    expect(syntax.stderr).toContain('syntaxe TOML invalide');
  });

  it('says, line by line in the order of the file, what each wrong value should look like', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'recouvre.toml'),
      [
        '[creancier]',
        'raison_sociale = 42',
        'email = "pas-une-adresse"',
        '[smtp]',
        'url = "http://serveur"',
        'delai_secondes = "trente"',
        'expediteur = "compta"',
        '[rapport]',
        'destinataires = "direction@exemple.fr"',
        '[relances]',
        'etapes = [ { etape = "relance", jours = "dix", canal = "pigeon" } ]',
        '',
      ].join('\n'),
    );
    const result = await recouvre(['relancer', '--dry-run'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/\n\s+at |Invalid|expected/);
    const lines = result.stderr.split('\n').filter((l) => l.includes('recouvre.toml:'));
    expect(lines.map((l) => /recouvre\.toml:(\d+), clé « ([^»]+) »/.exec(l)?.slice(1).join(' '))).toEqual([
      '2 creancier.raison_sociale',
      '3 creancier.email',
      '5 smtp.url',
      '6 smtp.delai_secondes',
      '7 smtp.expediteur',
      '9 rapport.destinataires',
      '11 relances.etapes[1].jours',
      '11 relances.etapes[1].canal',
    ]);
    expect(result.stderr).toContain('attendu un texte entre guillemets (par exemple "EUR"), reçu 42');
    expect(result.stderr).toContain(
      'attendu un nombre, sans guillemets (par exemple 30), reçu le texte "trente"',
    );
    expect(result.stderr).toContain('smtp://utilisateur@serveur:587');
    expect(result.stderr).toContain('attendu une liste entre crochets');
    expect(result.stderr).toContain('"email"|"courrier"|"appel"|"tache"');
  });

  it('names the template, its line and what is wrong: syntax, unknown variable, not UTF-8', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'recouvre.toml'), creditorToml());
    expect((await recouvre(['import', fixture('relances/factures.csv')], { cwd: dir })).code).toBe(0);
    mkdirSync(join(dir, 'modeles', 'email'), { recursive: true });
    const template = join(dir, 'modeles', 'email', 'relance.texte.hbs');
    const run = () =>
      recouvre(['relancer', '--dry-run', '--date', '2026-11-20', '--sortie', 'apercu'], { cwd: dir });
    const cases: readonly (readonly [Buffer | string, string])[] = [
      [
        'Bonjour,\n{{#if client.professionnel}}\nMadame, Monsieur\n',
        'relance.texte.hbs:4 : erreur de syntaxe Handlebars',
      ],
      ['Bonjour {{client.prenom}},\n', "relance.texte.hbs:1 : la variable « prenom » n'existe pas"],
      [
        Buffer.from('Bonjour,\nMerci \xe0 vous.\n', 'latin1'),
        "relance.texte.hbs:2 : le fichier n'est pas enregistré en UTF-8",
      ],
    ];
    for (const [text, message] of cases) {
      writeFileSync(template, text);
      const result = await run();
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
    // Saved in UTF-8 with a BOM (Notepad's « UTF-8 »), it is fine.
    writeFileSync(template, '\ufeffBonjour {{client.nom}}, merci à vous.\n');
    expect((await run()).code).toBe(0);
  });

  it('an internal error prints a short French line, the stack only with RECOUVRE_DEBUG=1', async () => {
    const dir = tempDir();
    await recouvre(['init'], { cwd: dir });
    // A store whose invoices table was damaged by hand: recouvre cannot make sense of it.
    const db = new Database(join(dir, 'recouvre.db'));
    db.exec('DROP TABLE journal');
    db.close();
    const plain = await recouvre(['import', EXAMPLE], { cwd: dir });
    expect(plain.code).toBe(3);
    expect(plain.stderr).toContain('erreur interne inattendue');
    expect(plain.stderr).toContain('RECOUVRE_DEBUG=1');
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await recouvre(['import', EXAMPLE], { cwd: dir, env: { RECOUVRE_DEBUG: '1' } });
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it('demo runs the main job on the bundled examples in a temporary folder', async () => {
    const dir = tempDir();
    const result = await recouvre(['demo'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Démonstration de recouvre dans .*recouvre-demo-/);
    expect(result.stdout).toContain('10 factures créées');
    expect(result.stdout).toContain('1 facture créée, 2 mises à jour, 8 inchangées');
    expect(result.stdout).toContain('5 factures en retard au 20/11/2026');
    expect(existsSync(join(dir, 'recouvre.db'))).toBe(false);
  });
});
