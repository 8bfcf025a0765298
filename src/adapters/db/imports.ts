import { resolve } from 'node:path';
import type SQLite from 'better-sqlite3';

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
export function recordImport(sqlite: SQLite.Database, kind: string, header: ImportHeader): number {
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
