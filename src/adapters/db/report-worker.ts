import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { agedBalanceFromStore } from './aged-balance-store.js';
import { type ReportJob, reportData, SCAN_CACHE } from './report-store.js';

/**
 * One of the report's big aggregates (`inReportWorker`), on another core, with its own read-only
 * connection to the store while the main thread plans the week.
 */
const { path, job } = workerData as { path: string; job: ReportJob };
const sqlite = new SQLite(path, { readonly: true, fileMustExist: true });
sqlite.pragma(SCAN_CACHE);
try {
  const data =
    job.kind === 'data'
      ? reportData(sqlite, job.period, job.clientId)
      : agedBalanceFromStore(sqlite, job.asOf, job.clientId);
  parentPort?.postMessage({ ok: true, data });
} catch (error) {
  parentPort?.postMessage({ ok: false, message: (error as Error).message });
} finally {
  sqlite.close();
}
