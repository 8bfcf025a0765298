import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import type { Kysely, Migration } from 'kysely';
import { migrations } from '../../../migrations/index.js';
import { UserError } from '../../errors.js';
import type { Database } from './schema.js';

/**
 * An open store, as the rest of recouvre holds it: a handle that the named functions of the
 * modules under adapters/db read and write through. Nothing outside adapters/db sees the
 * connection (`connection.ts`, guarded by the lint configuration), so a second store (a server
 * database) can implement the same functions.
 */
export interface Store {
  readonly path: string;
  close(): Promise<void>;
}

/** The SQLite store behind the handle, for the modules of adapters/db only (`sqliteOf`). */
export interface SqliteStore extends Store {
  /**
   * The query builder over the same connection, made on first use: loading kysely costs about
   * 90 ms, which the commands that only run prepared statements do not pay.
   */
  kysely(): Promise<Kysely<Database>>;
  readonly sqlite: SQLite.Database;
}

async function queryBuilder(sqlite: SQLite.Database): Promise<Kysely<Database>> {
  const { Kysely, SqliteDialect } = await import('kysely');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

/** Applies the migrations the store has not had yet, with kysely's migrator. */
async function migrate(sqlite: SQLite.Database, path: string): Promise<void> {
  const { Migrator } = await import('kysely');
  const loaded: Record<string, Migration> = {};
  for (const [name, load] of Object.entries(migrations)) loaded[name] = await load();
  // Not destroyed afterwards: that would close the connection the store goes on with.
  const db = await queryBuilder(sqlite);
  const { error } = await new Migrator({
    db,
    provider: { getMigrations: async () => loaded },
  }).migrateToLatest();
  if (error) {
    sqlite.close();
    throw new UserError(
      `La mise à jour du schéma de la base « ${path} » a échoué : ${String((error as Error).message ?? error)}`,
    );
  }
}

const SQLITE_MAGIC = 'SQLite format 3\0';

/** Whether a file starts as every SQLite database does. */
export function isSqliteFile(path: string): boolean {
  const head = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  return head.toString('latin1') === SQLITE_MAGIC;
}

function checkFile(path: string, create: boolean): void {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) {
      throw new UserError(
        `« ${path} » est un dossier, pas une base recouvre : indiquez un fichier avec --db.`,
      );
    }
    size = stat.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    if (create) return;
    throw new UserError(`Aucune base recouvre à « ${path} ».`, [
      'Créez-la avec « recouvre init » ou importez des factures avec « recouvre import <fichier.csv> »,',
      'ou indiquez une autre base avec --db <fichier> (ou la variable RECOUVRE_DB).',
    ]);
  }
  if (size === 0) return;
  if (!isSqliteFile(path)) {
    throw new UserError(`« ${path} » n'est pas une base recouvre (ce n'est pas un fichier SQLite).`, [
      'Vérifiez le chemin donné à --db ou à RECOUVRE_DB.',
    ]);
  }
}

/**
 * How long a connection waits for another that holds the store (the message of `main.ts` for
 * SQLITE_BUSY says 5 seconds).
 */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (or creates) the store and brings its schema up to date. A file written by a newer
 * recouvre, whose migrations this version does not know, is refused rather than damaged.
 */
export async function openStore(path: string, options: { readonly create: boolean }): Promise<Store> {
  checkFile(path, options.create);
  let sqlite: SQLite.Database;
  let pending: boolean;
  try {
    sqlite = new SQLite(path, { fileMustExist: !options.create });
  } catch (error) {
    throw new UserError(`Impossible d'ouvrir la base « ${path} » : ${(error as Error).message}`);
  }
  try {
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    writeAheadLog(sqlite);
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    pending = pendingMigrations(sqlite, path);
  } catch (error) {
    sqlite.close();
    if ((error as { code?: string }).code === 'SQLITE_NOTADB') {
      throw new UserError(`« ${path} » n'est pas une base recouvre (fichier SQLite illisible).`);
    }
    throw error;
  }
  if (pending) await migrate(sqlite, path);
  let db: Promise<Kysely<Database>> | null = null;
  const store: SqliteStore = {
    path,
    kysely: () => {
      db ??= queryBuilder(sqlite);
      return db;
    },
    sqlite,
    close: async () => {
      if (db !== null) await (await db).destroy();
      else sqlite.close();
    },
  };
  return store;
}

/**
 * Whether some migration is still to apply. A file written by a newer recouvre (a migration this
 * version does not know) is refused.
 */
function pendingMigrations(sqlite: SQLite.Database, path: string): boolean {
  const table = sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kysely_migration'")
    .get();
  if (!table) return true;
  const applied = sqlite.prepare('SELECT name FROM kysely_migration ORDER BY name').pluck().all() as string[];
  const unknown = applied.filter((name) => !(name in migrations));
  if (unknown.length > 0) {
    throw new UserError(
      `La base « ${path} » a été écrite par une version plus récente de recouvre (évolution « ${unknown.at(-1)} » inconnue ici).`,
      ['Mettez recouvre à jour pour l’utiliser ; la base n’a pas été modifiée.'],
    );
  }
  return Object.keys(migrations).some((name) => !applied.includes(name));
}

/** Runs `work` on the company's existing store, closed afterwards whatever happens. */
export async function onStore<T>(path: string, work: (store: Store) => T | Promise<T>): Promise<T> {
  const store = await openStore(path, { create: false });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * Runs `work` with a rollback journal rather than the write-ahead log, when no other connection
 * has the store open: a first import writes every page of the store, and the log would have each
 * written twice, once into the log and once when it is copied back (a tenth of a first import).
 * Meanwhile every commit is synced in full, as a rollback journal needs to survive a power cut.
 * The log comes back afterwards, whatever happens; a store left in the middle by a crash gets it
 * back at its next opening, once SQLite has rolled back the journal.
 */
export async function withRollbackJournal<T>(sqlite: SQLite.Database, work: () => Promise<T>): Promise<T> {
  // Another connection (a report running) keeps the log: never wait for it.
  sqlite.pragma('busy_timeout = 0');
  let switched: boolean;
  try {
    switched = sqlite.pragma('journal_mode = DELETE', { simple: true }) === 'delete';
  } catch {
    switched = false;
  } finally {
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
  if (!switched) return work();
  sqlite.pragma('synchronous = FULL');
  try {
    return await work();
  } finally {
    // A transaction `work` left open is not to be kept (and would keep the journal mode).
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    writeAheadLog(sqlite);
    sqlite.pragma('synchronous = NORMAL');
  }
}

/**
 * Puts the store in write-ahead-log mode. SQLite refuses at once while another connection uses
 * the store in the other mode, and that is left as it is: at an opening, a first import is writing
 * through a rollback journal and puts the log back when it ends (`withRollbackJournal`); at the
 * end of that import, another command is reading, and the next opening puts the log back.
 */
function writeAheadLog(sqlite: SQLite.Database): void {
  try {
    sqlite.pragma('journal_mode = WAL');
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN') {
      // The log and its index are files beside the base: a folder that cannot be written stops
      // even a command that only reads.
      throw new UserError(
        `Le dossier de la base (« ${dirname(sqlite.name)} ») est en lecture seule : recouvre doit pouvoir y écrire, même pour lire (le journal de la base s'y trouve).`,
        [
          'Donnez-vous le droit d’écrire dans ce dossier, ou travaillez sur une copie de la base : --db <copie.db>.',
        ],
      );
    }
    if (code !== 'SQLITE_BUSY') throw error;
  }
}
