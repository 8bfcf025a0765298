import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
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
import { BIN, creditorToml, fixture, query, recouvrePlain as recouvre, tempDir } from './cli.js';

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

/**
 * Runs a shell script as root of a private user and mount namespace (no privilege needed), where it
 * may mount a small tmpfs of its own; `args` are its $1, $2…
 */
function inPrivateMount(script: string, ...args: string[]) {
  return spawnSync('unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', script, 'sh', ...args], {
    encoding: 'utf8',
  });
}

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
    const run = inPrivateMount(script, dir, BIN, fixture('relances/factures.csv'));
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

describe('a full disk during relancer', () => {
  // The disk fills when about this many kilobytes are left: at the first letter, or later on.
  for (const free of [60, 200]) {
    it(`with ${free} kB left: what was done stays recorded, nothing is half-written, nothing is done twice`, () => {
      const dir = tempDir();
      mkdirSync(join(dir, 'plein'));
      writeFileSync(join(dir, 'recouvre.toml'), `${creditorToml()}\n[taux]\nbce = { "2026-07-01" = 2.15 }\n`);
      const script = `
        mount -t tmpfs -o size=4m none "$1/plein" || { echo "tmpfs impossible"; exit 99; }
        cd "$1/plein"
        cp "$1/recouvre.toml" .
        "$2" import "$3" > /dev/null || exit 98
        "$2" historique K1 --ajouter relance --date 20/10/2026 > /dev/null || exit 97
        dd if=/dev/zero of=rempli bs=1k 2>/dev/null; rm rempli
        dd if=/dev/zero of=rempli bs=1k count=$(( $(df -k --output=avail . | tail -1) - $4 )) 2>/dev/null
        "$2" relancer --date 20/11/2026 --sortie envois > "$1/premier.txt" 2>&1; echo "premier=$?"
        find . -name '*.partiel' > "$1/partiels.txt"
        for f in envois/*.pdf; do [ -e "$f" ] || continue; tail -c 6 "$f" | grep -q EOF || echo "$f"; done > "$1/pdf-coupes.txt"
        cp recouvre.db* "$1/" 2>/dev/null
        rm rempli
        "$2" relancer --date 20/11/2026 --sortie envois > "$1/second.txt" 2>&1; echo "second=$?"
        ls envois > "$1/envois.txt"
        "$2" historique K1 --json > "$1/k1.json"
      `;
      const run = inPrivateMount(script, dir, BIN, fixture('relances/courriers.csv'), String(free));
      expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
      const first = readFileSync(join(dir, 'premier.txt'), 'utf8');
      // The run says what stopped it, and exits 1; no stack trace, no SQLite code.
      expect(run.stdout, first).toContain('premier=1');
      expect(first).toMatch(/disque plein/);
      expect(first).not.toMatch(/\n\s+at |SQLITE_|erreur interne/);
      // Nothing half-written: no temporary file left, every PDF whole.
      expect(readFileSync(join(dir, 'partiels.txt'), 'utf8')).toBe('');
      expect(readFileSync(join(dir, 'pdf-coupes.txt'), 'utf8')).toBe('');
      // Once room is made, the next run finishes the work and does nothing twice.
      const second = readFileSync(join(dir, 'second.txt'), 'utf8');
      expect(run.stdout, second).toContain('second=0');
      const files = readFileSync(join(dir, 'envois.txt'), 'utf8').trim().split('\n');
      expect(files.filter((f) => /-\d\.(pdf|eml)$/.test(f))).toEqual([]);
      for (const code of ['K1', 'K2', 'K3', 'K4']) {
        expect(
          files.some((f) => f.startsWith(`${code}-`)),
          `${code}: ${files.join(', ')}`,
        ).toBe(true);
      }
      // The mise en demeure was made once, whatever the first run had done of it.
      const k1 = JSON.parse(readFileSync(join(dir, 'k1.json'), 'utf8')) as {
        etape: string;
        statut: string;
        action: number;
      }[];
      const notices = new Set(
        k1.filter((e) => e.etape === 'mise_en_demeure' && e.statut === 'fait').map((e) => e.action),
      );
      expect(notices.size).toBe(1);
    });
  }
});

describe('a base that cannot be written', () => {
  /**
   * Runs recouvre as a user without rights on the folder. Root ignores file permissions, so under
   * root (CI containers) the command runs as « nobody » through util-linux setpriv.
   */
  const asUser = (dir: string, args: readonly string[]) => {
    const root = process.getuid?.() === 0;
    const command = [process.execPath, BIN, ...args];
    const run = spawnSync(
      root ? 'setpriv' : command[0]!,
      root ? ['--reuid=65534', '--regid=65534', '--clear-groups', ...command] : command.slice(1),
      { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', RECOUVRE_DB: '' } },
    );
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  const owned = async () => {
    const dir = tempDir();
    expect((await recouvre(['import', fixture('relances/factures.csv')], { cwd: dir })).code).toBe(0);
    chmodSync(dir, 0o755);
    if (process.getuid?.() === 0) {
      chownSync(dir, 65534, 65534);
      for (const f of readdirSync(dir)) chownSync(join(dir, f), 65534, 65534);
    }
    return dir;
  };
  const digest = (dir: string) =>
    createHash('sha256')
      .update(readFileSync(join(dir, 'recouvre.db')))
      .digest('hex');
  const writes = [
    ['import', fixture('relances/factures.csv')],
    ['litige', 'R-001', '--motif', 'contesté'],
    ['paiement', 'R-001', '10,00'],
  ];

  it('read-only file: reading works, every write is refused in French, the base unchanged', async () => {
    const dir = await owned();
    chmodSync(join(dir, 'recouvre.db'), 0o444);
    const before = digest(dir);
    const listed = asUser(dir, ['factures', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).factures.length).toBeGreaterThan(0);
    for (const args of writes) {
      const result = asUser(dir, args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain(
        'la base ne peut pas être modifiée (fichier ou dossier en lecture seule)',
      );
      expect(result.stderr).not.toMatch(/\n\s+at |erreur interne|SQLITE_/);
    }
    expect(digest(dir)).toBe(before);
  });

  it('read-only folder: every command says the folder must be writable, the base unchanged', async () => {
    const dir = await owned();
    const before = digest(dir);
    chmodSync(dir, 0o555);
    try {
      for (const args of [['factures'], ['relancer', '--dry-run'], ['sauvegarde'], ...writes]) {
        const result = asUser(dir, args);
        expect(result.code, args.join(' ')).toBe(1);
        expect(result.stderr).toContain(`Le dossier de la base (« ${dir} ») est en lecture seule`);
        expect(result.stderr).not.toMatch(/\n\s+at |erreur interne|SQLITE_/);
      }
    } finally {
      chmodSync(dir, 0o755);
    }
    expect(digest(dir)).toBe(before);
    expect(readdirSync(dir)).toEqual(['recouvre.db']);
  });
});
