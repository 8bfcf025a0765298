import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { migrations } from '../../../migrations/index.js';
import { UserError } from '../../errors.js';
import { sqliteOf } from './connection.js';
import { isSqliteFile, type Store } from './open.js';

/**
 * Backups of a store, through SQLite's online backup: a consistent copy of what is committed,
 * write-ahead log included, even while another command reads or writes (copying the file alone
 * may miss the last writes, still in the log). A backup is one self-contained file.
 */

export interface BackupFacts {
  readonly path: string;
  readonly bytes: number;
  readonly invoices: number;
  readonly clients: number;
  readonly actions: number;
  /** The business date of the last import it holds, or null. */
  readonly lastImport: string | null;
}

/** What a store failed to write, in French, for an error of the file system or of SQLite. */
function writeProblem(error: unknown, path: string): string {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return `le disque est plein (${path})`;
  if (code === 'SQLITE_READONLY' || code === 'SQLITE_CANTOPEN' || code === 'EACCES' || code === 'EROFS')
    return `écriture impossible dans « ${path} » (droits du dossier ou du fichier)`;
  return `${(error as Error).message ?? String(error)} (${path})`;
}

/**
 * Writes a backup of `store` at `destination`, which must not exist: first into a temporary file
 * beside it, checked, then renamed, so that a failed backup (a full disk) leaves nothing behind.
 */
export async function backupStore(store: Store, destination: string): Promise<BackupFacts> {
  if (existsSync(destination))
    throw new UserError(`« ${destination} » existe déjà : rien n'a été écrit.`, [
      'Choisissez un autre nom, ou laissez recouvre le choisir (recouvre sauvegarde).',
    ]);
  const partial = `${destination}.partielle`;
  rmSync(partial, { force: true });
  try {
    await sqliteOf(store).backup(partial);
    const copy = new SQLite(partial, { fileMustExist: true });
    try {
      // One file, with no log beside it, to copy or send as it is.
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    checkBackup(partial);
    renameSync(partial, destination);
  } catch (error) {
    rmSync(partial, { force: true });
    rmSync(`${partial}-journal`, { force: true });
    if (error instanceof UserError) throw error;
    throw new UserError(`Sauvegarde impossible : ${writeProblem(error, destination)}. Rien n'a été écrit.`);
  }
  return checkBackup(destination);
}

/**
 * Checks that a file is a whole recouvre store this version can open: SQLite, intact
 * (`integrity_check`), with recouvre's schema, not written by a newer version. Throws a French
 * error that says what is wrong; returns what it holds.
 */
export function checkBackup(path: string): BackupFacts {
  let bytes: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new UserError(`« ${path} » n'est pas un fichier.`);
    bytes = stat.size;
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`Aucun fichier « ${path} ».`);
  }
  if (!isSqliteFile(path))
    throw new UserError(`« ${path} » n'est pas une sauvegarde recouvre (ce n'est pas un fichier SQLite).`);
  let db: SQLite.Database;
  try {
    db = new SQLite(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new UserError(`« ${path} » ne s'ouvre pas : ${(error as Error).message}`);
  }
  try {
    let problems: string[];
    try {
      problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map(
        (r) => r.integrity_check,
      );
    } catch (error) {
      throw new UserError(`« ${path} » est endommagée : ${(error as Error).message}.`, [
        'Prenez une autre sauvegarde.',
      ]);
    }
    if (problems.length !== 1 || problems[0] !== 'ok')
      throw new UserError(`« ${path} » est endommagée (${problems.slice(0, 3).join(' ; ')}).`, [
        'Prenez une autre sauvegarde.',
      ]);
    const known = db
      .prepare(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name IN ('kysely_migration', 'invoices')",
      )
      .all();
    if (known.length < 2)
      throw new UserError(`« ${path} » est un fichier SQLite, mais pas une base recouvre.`);
    const applied = db.prepare('SELECT name FROM kysely_migration').pluck().all() as string[];
    const unknown = applied.filter((name) => !(name in migrations));
    if (unknown.length > 0)
      throw new UserError(
        `« ${path} » a été écrite par une version plus récente de recouvre (évolution « ${unknown.sort().at(-1)} » inconnue ici).`,
        ['Mettez recouvre à jour pour la restaurer.'],
      );
    const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all());
    const count = (table: string) =>
      tables.has(table) ? (db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number) : 0;
    return {
      path,
      bytes,
      invoices: count('invoices'),
      clients: count('clients'),
      actions: count('actions'),
      lastImport: tables.has('journal')
        ? (db.prepare("SELECT max(date) FROM journal WHERE kind = 'import'").pluck().get() as string | null)
        : null,
    };
  } finally {
    db.close();
  }
}

/** The files of a store: the base, and its write-ahead log and shared memory when they exist. */
export function storeFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`].filter((p) => existsSync(p));
}
