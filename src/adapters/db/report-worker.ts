import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import type { Period } from '../../domain/report.js';
import { reportData, SCAN_CACHE } from './report-store.js';

/**
 * The report's biggest aggregate, on a second core: its own read-only connection to the store
 * (WAL lets both read at once) while the main thread computes the aged balance and the plan.
 */
const { path, period, clientId } = workerData as { path: string; period: Period; clientId?: number };
const sqlite = new SQLite(path, { readonly: true, fileMustExist: true });
sqlite.pragma(SCAN_CACHE);
try {
  parentPort?.postMessage({ ok: true, data: reportData(sqlite, period, clientId) });
} catch (error) {
  parentPort?.postMessage({ ok: false, message: (error as Error).message });
} finally {
  sqlite.close();
}
