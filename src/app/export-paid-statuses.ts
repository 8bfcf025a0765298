import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../adapters/db/open.js';
import {
  type PaidStatus,
  paidStatusesToExport,
  recordPaidStatusExport,
} from '../adapters/db/status-store.js';
import { paidStatusCsv, paidStatusJson } from '../adapters/status-files.js';
import type { Instant, IsoDate } from '../domain/dates.js';
import { UserError } from '../errors.js';

export interface PaidStatusExportRequest {
  /** Where the files go. */
  readonly dir: string;
  /** Every payment dated from this day, written again if an earlier export had it. */
  readonly since: IsoDate | null;
  readonly dryRun: boolean;
}

export interface PaidStatusExport {
  readonly paid: readonly PaidStatus[];
  /** Null when nothing was written (nothing new, or a dry run). */
  readonly csvFile: string | null;
  readonly jsonFile: string | null;
}

/**
 * `recouvre statuts --encaissees`: the 212 « Encaissée » statuses of the payments recouvre recorded
 * (bank statement, payment file, typed in), each written once for the platform: the files and the
 * marks on the payments land together or not at all.
 */
/** Cleaning up after a failed write: a path that cannot even be looked at was never written. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {}
}

export function exportPaidStatuses(
  store: Store,
  request: PaidStatusExportRequest,
  clock: Instant,
): PaidStatusExport {
  const paid = paidStatusesToExport(store, request.since);
  if (paid.length === 0 || request.dryRun) return { paid, csvFile: null, jsonFile: null };
  const recordedAt = clock.now.toISOString();
  const base = join(request.dir, `statuts-encaissees-${clock.today}`);
  let stem = base;
  for (let k = 2; existsSync(`${stem}.csv`) || existsSync(`${stem}.json`); k++) stem = `${base}-${k}`;
  const files = { csv: `${stem}.csv`, json: `${stem}.json` };
  recordPaidStatusExport(store, paid, files, { recordedAt, today: clock.today }, () => {
    const written: string[] = [];
    try {
      mkdirSync(request.dir, { recursive: true });
      for (const [path, content] of [
        [files.csv, paidStatusCsv(paid)],
        [files.json, paidStatusJson(paid, recordedAt)],
      ] as const) {
        writeFileSync(`${path}.partiel`, content);
        renameSync(`${path}.partiel`, path);
        written.push(path);
      }
    } catch (error) {
      // The transaction is rolled back: no file may claim what the store does not.
      for (const path of [...written, `${files.csv}.partiel`, `${files.json}.partiel`]) removeQuietly(path);
      throw new UserError(
        `Impossible d'écrire les fichiers dans ${request.dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}) : aucun règlement n'est marqué comme transmis.`,
        [
          'Vérifiez que le dossier existe, est accessible en écriture et que le disque a de la place, ou choisissez-en un autre avec --sortie.',
        ],
      );
    }
  });
  return { paid, csvFile: files.csv, jsonFile: files.json };
}
