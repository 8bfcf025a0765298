import { spawnSync } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BIN, fixture, query, recouvrePlain as recouvre, tempDir } from './cli.js';

async function company(): Promise<string> {
  const dir = tempDir();
  expect((await recouvre(['import', fixture('relances/factures.csv')], { cwd: dir })).code).toBe(0);
  expect((await recouvre(['paiement', 'R-001', '250,00', '--date', '2026-11-02'], { cwd: dir })).code).toBe(
    0,
  );
  return dir;
}

const payments = (db: string) => query<{ n: number }>(db, 'SELECT count(*) AS n FROM payments')[0]!.n;

async function backup(dir: string, ...args: string[]): Promise<string> {
  const result = await recouvre(['sauvegarde', '--json', ...args], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout).fichier as string;
}

describe('recouvre sauvegarde and restaurer', () => {
  it('copies the last writes (still in the write-ahead log) while another connection reads', async () => {
    const dir = await company();
    const db = join(dir, 'recouvre.db');
    // Another program has just written (still in the write-ahead log, not in the base file) and
    // is in the middle of a read: the backup has the write, and does not wait for the read.
    const other = new Database(db);
    other.pragma('wal_autocheckpoint = 0');
    other.prepare("UPDATE clients SET name = 'Alpha SARL (renommée)' WHERE code = 'C1'").run();
    other.exec('BEGIN');
    other.prepare('SELECT count(*) FROM invoices').get();
    try {
      expect(existsSync(`${db}-wal`)).toBe(true);
      const file = await backup(dir);
      expect(file).toMatch(/sauvegardes\/recouvre-\d{4}-\d{2}-\d{2}-\d{6}\.db$/);
      // One self-contained file, with no log beside it.
      expect(existsSync(`${file}-wal`)).toBe(false);
      expect(payments(file)).toBe(1);
      expect(query(file, "SELECT name FROM clients WHERE code = 'C1'")).toEqual([
        { name: 'Alpha SARL (renommée)' },
      ]);
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    const named = await recouvre(['sauvegarde', join(dir, 'copie.db')], { cwd: dir });
    expect(named.stdout).toContain(`Pour revenir à cet état : recouvre restaurer ${join(dir, 'copie.db')}`);
    const again = await recouvre(['sauvegarde', join(dir, 'copie.db')], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("existe déjà : rien n'a été écrit");
  });

  it('restores a backup, and keeps the base it replaces aside', async () => {
    const dir = await company();
    const db = join(dir, 'recouvre.db');
    const file = await backup(dir);
    expect((await recouvre(['paiement', 'R-002', '50,00', '--date', '2026-11-03'], { cwd: dir })).code).toBe(
      0,
    );
    expect(payments(db)).toBe(2);

    const restored = await recouvre(['restaurer', file], { cwd: dir });
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(`Base restaurée depuis ${file}`);
    expect(payments(db)).toBe(1);
    const aside = /La base d'avant est gardée dans (.*)\n/.exec(restored.stdout)![1]!;
    expect(aside).toMatch(/-avant-restauration\.db$/);
    expect(payments(aside)).toBe(2);
    // The restored base works as before.
    expect((await recouvre(['factures'], { cwd: dir })).code).toBe(0);
  });

  it('refuses what is not a whole recouvre base, and leaves the current one as it was', async () => {
    const dir = await company();
    const db = join(dir, 'recouvre.db');
    const good = await backup(dir);
    writeFileSync(join(dir, 'texte.db'), 'pas une base\n');
    copyFileSync(good, join(dir, 'abimee.db'));
    const fd = openSync(join(dir, 'abimee.db'), 'r+');
    writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, 8192);
    closeSync(fd);
    copyFileSync(good, join(dir, 'future.db'));
    const future = new Database(join(dir, 'future.db'));
    future.prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('2099-01-01-future', '')").run();
    future.close();
    writeFileSync(join(dir, 'autre.db'), '');
    const other = new Database(join(dir, 'autre.db'));
    other.exec('CREATE TABLE t (x)');
    other.close();

    for (const [file, message] of [
      ['texte.db', "n'est pas une sauvegarde recouvre (ce n'est pas un fichier SQLite)"],
      ['abimee.db', 'est endommagée'],
      ['future.db', 'a été écrite par une version plus récente de recouvre'],
      ['autre.db', 'est un fichier SQLite, mais pas une base recouvre'],
      ['absente.db', 'Aucun fichier'],
    ] as const) {
      const result = await recouvre(['restaurer', file], { cwd: dir });
      expect(result.code, file).toBe(1);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(payments(db)).toBe(1);
    }
    expect(readdirSync(join(dir, 'sauvegardes'))).toHaveLength(1);
  });

  it('is the way out of a damaged base: the damaged files are kept as they are', async () => {
    const dir = await company();
    const db = join(dir, 'recouvre.db');
    const good = await backup(dir);
    // Close every log into the base, then damage its middle.
    const sqlite = new Database(db);
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.close();
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.alloc(16384, 0x5a), 0, 16384, 4096);
    closeSync(fd);
    const broken = await recouvre(['factures'], { cwd: dir });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('la base est endommagée');
    expect(broken.stderr).toContain('recouvre restaurer');
    expect(broken.stderr).not.toMatch(/\n\s+at /);

    const restored = await recouvre(['restaurer', good], { cwd: dir });
    expect(restored.code, restored.stderr).toBe(0);
    expect(payments(db)).toBe(1);
    const aside = readdirSync(join(dir, 'sauvegardes')).filter((f) => f.includes('avant-restauration'));
    expect(aside.length).toBeGreaterThan(0);
  });

  it('--garder keeps the newest of its own backups, for a daily cron job', async () => {
    const dir = await company();
    for (let k = 0; k < 3; k++) await backup(dir);
    writeFileSync(join(dir, 'sauvegardes', 'a-garder.db'), 'à moi');
    const last = await recouvre(['sauvegarde', '--garder', '2'], { cwd: dir });
    expect(last.stdout).toContain('2 anciennes sauvegardes supprimées (--garder 2).');
    const left = readdirSync(join(dir, 'sauvegardes')).sort();
    expect(left).toHaveLength(3);
    expect(left).toContain('a-garder.db');
  });
});

describe('a full disk', () => {
  it('stops an import with a French message, and leaves the base byte for byte as it was', () => {
    const dir = tempDir();
    const lines = ['N° facture;Code client;Raison sociale;Date facture;Échéance;Montant TTC'];
    for (let i = 0; i < 30_000; i++)
      lines.push(
        `G-${i};C${i % 500};Client numéro ${i % 500} au nom assez long;01/09/2026;01/10/2026;${100 + i},00`,
      );
    writeFileSync(join(dir, 'gros.csv'), `${lines.join('\n')}\n`);
    mkdirSync(join(dir, 'plein'));
    // A 2 MB disk of its own (a tmpfs in a private mount namespace, no root needed), where the
    // small export fits and the large one does not.
    const script = `
      mount -t tmpfs -o size=2m none "$1/plein" || { echo "tmpfs impossible"; exit 99; }
      cd "$1/plein"
      "$2" import "$3" > /dev/null || exit 98
      sha256sum recouvre.db > "$1/avant.sha"
      "$2" import "$1/gros.csv"; echo "import=$?"
      sha256sum recouvre.db > "$1/apres.sha"
      ls > "$1/fichiers.txt"
      "$2" factures --json > "$1/factures.json"; echo "factures=$?"
    `;
    const run = spawnSync(
      'unshare',
      [
        '--user',
        '--map-root-user',
        '--mount',
        'sh',
        '-c',
        script,
        'sh',
        dir,
        BIN,
        fixture('relances/factures.csv'),
      ],
      { encoding: 'utf8' },
    );
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('import=1');
    expect(run.stderr).toContain(
      'recouvre : disque plein. Libérez de la place puis relancez : rien n’a été enregistré.',
    );
    expect(run.stderr).not.toMatch(/\n\s+at |SQLITE_/);
    expect(readFileSync(join(dir, 'apres.sha'), 'utf8')).toBe(readFileSync(join(dir, 'avant.sha'), 'utf8'));
    expect(readFileSync(join(dir, 'fichiers.txt'), 'utf8').trim()).toBe('recouvre.db');
    // The base still works, with the small export only.
    expect(run.stdout).toContain('factures=0');
    const open = JSON.parse(readFileSync(join(dir, 'factures.json'), 'utf8'));
    expect(JSON.stringify(open)).not.toContain('G-1');
    expect(JSON.stringify(open)).toContain('R-001');
  });
});
