import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { type BackupFacts, backupStore, checkBackup, storeFiles } from '../adapters/db/backup.js';
import { acquireLock } from '../adapters/db/lock.js';
import { openStore } from '../adapters/db/open.js';
import type { Context } from '../context.js';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import { UserError } from '../errors.js';
import { plural } from './format.js';

export interface SauvegardeOptions {
  /** Keep only this many of recouvre's own backups in the folder, the newest. */
  readonly garder?: number;
  readonly json?: boolean;
}

/** `sauvegardes/` beside the store: where backups go unless a file is named. */
function backupsDir(dbPath: string): string {
  return join(dirname(dbPath), 'sauvegardes');
}

/** `recouvre-2026-12-03-145501` for `recouvre.db` at 14:55:01 UTC. */
function stampedName(dbPath: string, now: Date, suffix = ''): string {
  const time = now.toISOString().slice(11, 19).replaceAll(':', '');
  return `${basename(dbPath).replace(/\.db$/i, '')}-${now.toISOString().slice(0, 10)}-${time}${suffix}.db`;
}

function describe(facts: BackupFacts): string {
  const size = `${(facts.bytes / 1_048_576).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
  const last = facts.lastImport ? `, dernier import du ${formatDateFr(facts.lastImport as IsoDate)}` : '';
  return `${plural(facts.invoices, 'facture', 'factures')}, ${plural(facts.clients, 'client', 'clients')}, ${plural(facts.actions, 'action', 'actions')}${last} ; ${size}`;
}

/**
 * `recouvre sauvegarde [fichier]`: a consistent copy of the store, safe while another command
 * runs; by default into `sauvegardes/`, named by date and time. With `--garder N` (for a daily
 * cron job), only the N newest of those are kept.
 */
export async function runSauvegarde(
  context: Context,
  file: string | undefined,
  options: SauvegardeOptions,
): Promise<number> {
  let destination = file
    ? resolve(context.cwd, file)
    : join(backupsDir(context.dbPath), stampedName(context.dbPath, context.now));
  // Two backups in the same second: the second gets a number.
  for (let k = 2; !file && existsSync(destination); k++)
    destination = join(backupsDir(context.dbPath), stampedName(context.dbPath, context.now, `-${k}`));
  if (options.garder !== undefined && file)
    throw new UserError(
      '--garder ne trie que les sauvegardes nommées par recouvre : ne donnez pas de nom de fichier.',
    );
  const store = await openStore(context.dbPath, { create: false });
  let facts: BackupFacts;
  try {
    mkdirSync(dirname(destination), { recursive: true });
    facts = await backupStore(store, destination);
  } finally {
    await store.close();
  }
  const removed = options.garder === undefined ? [] : prune(context.dbPath, options.garder, destination);
  if (options.json) {
    context.stdout.write(
      `${JSON.stringify({ fichier: facts.path, octets: facts.bytes, factures: facts.invoices, clients: facts.clients, actions: facts.actions, dernier_import: facts.lastImport, supprimees: removed })}\n`,
    );
    return 0;
  }
  context.stdout.write(`Sauvegarde écrite : ${facts.path}\n  ${describe(facts)}\n`);
  if (removed.length > 0)
    context.stdout.write(
      `  ${plural(removed.length, 'ancienne sauvegarde supprimée', 'anciennes sauvegardes supprimées')} (--garder ${options.garder}).\n`,
    );
  context.stdout.write(`Pour revenir à cet état : recouvre restaurer ${facts.path}\n`);
  return 0;
}

/** Deletes recouvre's own dated backups beyond the `keep` newest (never `current`, never another file). */
function prune(dbPath: string, keep: number, current: string): string[] {
  const dir = backupsDir(dbPath);
  const prefix = basename(dbPath).replace(/\.db$/i, '');
  const own = new RegExp(
    `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{4}-\\d{2}-\\d{2}-\\d{6}(-\\d+)?\\.db$`,
  );
  // Newest first: by the date and time in the name, then by the number of a second one that second.
  const order = (name: string) =>
    name.replace(/(\d{6})\.db$/, '$1-1.db').replace(/-(\d+)\.db$/, (_, n) => `-${n.padStart(4, '0')}.db`);
  const dated = readdirSync(dir)
    .filter((name) => own.test(name))
    .sort((a, b) => (order(a) < order(b) ? 1 : -1));
  const removed: string[] = [];
  for (const name of dated.slice(Math.max(1, keep))) {
    const path = join(dir, name);
    if (path === current) continue;
    rmSync(path, { force: true });
    removed.push(path);
  }
  return removed;
}

/**
 * `recouvre restaurer <fichier>`: checks the backup, keeps the current store aside in
 * `sauvegardes/` (a consistent copy when it opens; its files as they are when it is damaged),
 * then puts the backup in its place and brings its schema up to date.
 */
export async function runRestaurer(
  context: Context,
  file: string,
  options: { readonly json?: boolean },
): Promise<number> {
  const source = resolve(context.cwd, file);
  const facts = checkBackup(source);
  const target = context.dbPath;
  if (source === target) throw new UserError('Ce fichier est la base elle-même : rien à restaurer.');
  const release = await acquireLock(target);
  let aside: string | null = null;
  try {
    mkdirSync(backupsDir(target), { recursive: true });
    if (existsSync(target)) {
      aside = join(backupsDir(target), stampedName(target, context.now, '-avant-restauration'));
      await keepAside(target, aside);
    }
    const partial = `${target}.restauration`;
    rmSync(partial, { force: true });
    try {
      copyFileSync(source, partial);
      checkBackup(partial);
      for (const path of storeFiles(target)) rmSync(path, { force: true });
      renameSync(partial, target);
    } catch (error) {
      rmSync(partial, { force: true });
      if (error instanceof UserError) throw error;
      throw new UserError(`Restauration impossible : ${(error as Error).message}.`, [
        aside ? `La base d'avant est intacte, et copiée dans ${aside}.` : 'Rien n’a été modifié.',
      ]);
    }
    // A backup made by an older recouvre gets this version's schema.
    await (await openStore(target, { create: false })).close();
  } finally {
    release();
  }
  if (options.json) {
    context.stdout.write(
      `${JSON.stringify({ restauree: source, base: target, ancienne_base: aside, factures: facts.invoices, clients: facts.clients, actions: facts.actions, dernier_import: facts.lastImport })}\n`,
    );
    return 0;
  }
  context.stdout.write(`Base restaurée depuis ${source}\n  ${describe(facts)}\n`);
  if (aside) context.stdout.write(`La base d'avant est gardée dans ${aside}\n`);
  return 0;
}

/**
 * A copy of the current store at `aside`: through SQLite when it opens (its log included), else
 * its files as they are (a damaged store is kept for whoever may want to rescue it).
 */
async function keepAside(target: string, aside: string): Promise<void> {
  try {
    checkBackup(target);
  } catch {
    for (const path of storeFiles(target)) copyFileSync(path, `${aside}${path.slice(target.length)}`);
    return;
  }
  const store = await openStore(target, { create: false });
  try {
    await backupStore(store, aside);
  } finally {
    await store.close();
  }
}
