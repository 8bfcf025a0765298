import { resolve } from 'node:path';
import { UserError } from '../../errors.js';
import { sqliteOf } from './connection.js';
import type { Store } from './open.js';

/** What the store keeps of a file read: name, where it was, its hash, how it was read. */
export interface ImportHeader {
  readonly startedAt: string;
  readonly fileName: string;
  readonly filePath: string;
  readonly sha256: string;
  readonly encoding: string;
  readonly separator: string;
  readonly options: Record<string, unknown>;
}

/** The header of a file read now: `separator` is how it was split (a statement: its format). */
export function importHeader(
  source: {
    readonly name: string;
    readonly path: string;
    readonly sha256: string;
    readonly encoding: string;
  },
  now: Date,
  separator: string,
  options: Record<string, unknown> = {},
): ImportHeader {
  return {
    startedAt: now.toISOString(),
    fileName: source.name,
    filePath: resolve(source.path),
    sha256: source.sha256,
    encoding: source.encoding,
    separator,
    options,
  };
}

/** Records a file read (invoices, payments, statement) and returns its id, for the journal. */
export function recordImport(store: Store, kind: string, header: ImportHeader): number {
  const sqlite = sqliteOf(store);
  return Number(
    sqlite
      .prepare(
        `INSERT INTO imports (started_at, file_name, file_path, sha256, kind, encoding, separator, options)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        header.startedAt,
        header.fileName,
        header.filePath,
        header.sha256,
        kind,
        header.encoding,
        header.separator,
        JSON.stringify(header.options),
      ).lastInsertRowid,
  );
}

/** Opens the import's one transaction, or says that another recouvre is writing to the base. */
export function beginImport(store: Store): void {
  try {
    sqliteOf(store).exec('BEGIN IMMEDIATE');
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new UserError(
        `La base « ${store.path} » est occupée par un autre recouvre : réessayez quand il aura fini.`,
      );
    }
    throw error;
  }
}

/** Ends the import's transaction: kept when it may be, undone on errors or in a dry run. */
export function endImport(store: Store, keep: boolean): boolean {
  sqliteOf(store).exec(keep ? 'COMMIT' : 'ROLLBACK');
  return keep;
}

/** Undoes the import's transaction if it is still open (after an error). */
export function abortImport(store: Store): void {
  const sqlite = sqliteOf(store);
  if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
}
