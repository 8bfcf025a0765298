import { parentPort, workerData } from 'node:worker_threads';
import { type SourceFile, streamRows } from '../adapters/csv-source.js';
import { type RowOptions as InvoiceRowOptions, readInvoiceRow } from '../domain/invoice-row.js';
import type { RowItem, RowsWorkerData } from './invoice-rows.js';

/**
 * Reads and checks the lines of an invoice export on a second core, while the main thread writes
 * to the store: it sends the checked lines in batches, and pauses when the writer falls behind,
 * so that memory stays flat whatever the size of the file.
 */
const request = workerData as RowsWorkerData;
const port = parentPort!;
const BATCH = 2000;
const MAX_IN_FLIGHT = 4;
/** Batches sent and not yet written, shared with the main thread. */
const inFlight = new Int32Array(request.inFlight);

let batch: RowItem[] = [];

/** Sends the batch, then waits (blocking this thread only) while the writer is behind. */
function flush(): void {
  if (batch.length === 0) return;
  port.postMessage({ type: 'rows', items: batch });
  batch = [];
  Atomics.add(inFlight, 0, 1);
  for (let n = Atomics.load(inFlight, 0); n >= MAX_IN_FLIGHT; n = Atomics.load(inFlight, 0)) {
    Atomics.wait(inFlight, 0, n);
  }
}

const source = request.source as SourceFile;
const options = request.rowOptions as InvoiceRowOptions;
let rowIndex = -1;

streamRows(source, request.separator, ({ cells, line, problem }) => {
  rowIndex++;
  if (rowIndex <= request.headerIndex) return;
  if (cells.length <= 1 && (cells[0] ?? '').trim() === '') return;
  const keep = request.keepCells ? cells : undefined;
  if (problem) {
    batch.push({ kind: 'problem', line, problem, cells: keep });
  } else if (
    cells.length < request.width ||
    (cells.length > request.width && cells.slice(request.width).some((c) => c.trim() !== ''))
  ) {
    batch.push({ kind: 'width', line, count: cells.length, cells: keep });
  } else {
    const result = readInvoiceRow(cells, options);
    if (result.kind === 'invoice') batch.push({ kind: 'invoice', line, row: result.row, cells: keep });
    else if (result.kind === 'skipped') batch.push({ kind: 'skipped', line, number: result.number });
    else batch.push({ kind: 'invalid', line, number: result.number, errors: result.errors, cells: keep });
  }
  if (batch.length >= BATCH) flush();
})
  .then(() => {
    flush();
    port.postMessage({ type: 'done' });
  })
  .catch((error: unknown) => {
    port.postMessage({ type: 'error', message: (error as Error).message ?? String(error) });
  });
