import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { SqliteStore, Store } from './open.js';
import type { Database } from './schema.js';

/**
 * The connection behind a store handle. Only the modules of adapters/db may import this (the lint
 * configuration refuses it elsewhere): everything else goes through their named functions.
 */
export function sqliteOf(store: Store): SQLite.Database {
  return (store as SqliteStore).sqlite;
}

export function kyselyOf(store: Store): Promise<Kysely<Database>> {
  return (store as SqliteStore).kysely();
}

/**
 * A handle over a connection opened elsewhere (a worker thread's own, or the one a module of
 * adapters/db already holds), for the functions that take a handle; closing it is the owner's.
 */
export function storeOver(sqlite: SQLite.Database): Store {
  const handle: SqliteStore = {
    path: sqlite.name,
    sqlite,
    kysely: () => Promise.reject(new Error('storeOver: no query builder over a borrowed connection')),
    close: async () => {},
  };
  return handle;
}
