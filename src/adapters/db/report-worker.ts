import { parentPort, workerData } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { storeOver } from './connection.js';
import { openInvoiceBatches } from './dunning-store.js';
import {
  BATCHES_AHEAD,
  FIRST_BATCHES,
  type ReportJob,
  type ReportMessage,
  reportData,
  SCAN_CACHE,
} from './report-store.js';

/**
 * The report's reading on another core (`inReportWorker`), with its own read-only connections.
 * The plan's open invoices come first, since the main thread waits for them: once they are read
 * and sorted, the first batches go at once, and the invoices are grouped for the indicators while
 * the main thread plans those; then the other batches, never more than `BATCHES_AHEAD` ahead of
 * the plan, so that a large store is never held in memory as a whole.
 */
const { path, job, consumed } = workerData as { path: string; job: ReportJob; consumed: Int32Array };
const send = (message: ReportMessage) => parentPort?.postMessage(message);
const open = () => {
  const sqlite = new SQLite(path, { readonly: true, fileMustExist: true });
  sqlite.pragma(SCAN_CACHE);
  return sqlite;
};
let sqlite: SQLite.Database | undefined;
try {
  sqlite = open();
  if (job.batchClients === undefined) {
    send({ kind: 'done', data: reportData(sqlite, job.period, job.clientId) });
  } else {
    const batches = openInvoiceBatches(storeOver(sqlite), job.asOf, job.dueUntil, job.batchClients);
    let sent = 0;
    const sendNext = (): boolean => {
      const next = batches.next();
      if (next.done) return false;
      send({ kind: 'batch', batch: next.value });
      sent++;
      return true;
    };
    while (sent < FIRST_BATCHES && sendNext()) {}
    // On a connection of its own: this one is in the middle of its read.
    const grouping = open();
    try {
      send({ kind: 'done', data: reportData(grouping, job.period, job.clientId) });
    } finally {
      grouping.close();
    }
    do {
      // Stopping the worker (`terminate`) ends this wait too (tested).
      for (
        let seen = Atomics.load(consumed, 0);
        sent - seen >= BATCHES_AHEAD;
        seen = Atomics.load(consumed, 0)
      ) {
        Atomics.wait(consumed, 0, seen);
      }
    } while (sendNext());
    send({ kind: 'batches-done' });
  }
} catch (error) {
  send({ kind: 'failed', message: (error as Error).message, code: (error as { code?: string }).code });
} finally {
  sqlite?.close();
}
