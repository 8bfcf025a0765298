import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import {
  decodeLine,
  readPlainLines,
  readsAsBytes,
  type SourceFile,
  streamRows,
} from '../../adapters/csv-source.js';
import {
  type Fingerprint,
  FingerprintSet,
  Hash64Table,
  hashByteCells,
  hashBytes,
  hashString,
  hashStrings,
  seedOf,
} from '../../adapters/line-fingerprint.js';
import {
  CLIENT_FIELDS,
  type RowOptions as InvoiceRowOptions,
  invoiceRowReader,
  ROW_RULES,
} from '../../domain/invoice-row.js';
import { BatchWriter } from './batch.js';
import { MAX_UNITS_AHEAD, type RowsWorkerData, STOP_READER, UNCHANGED_PER_UNIT } from './reader.js';

/**
 * Reads and checks the lines of an invoice export (or of a part of it) on another core, while the
 * main thread writes to the store: it sends the lines in batches, and pauses when the writer falls
 * behind, so that memory stays flat whatever the size of the file. A line whose fingerprint is the
 * one stored with an invoice is not checked again (see `RowsRequest.known`). What to read comes
 * at the start, or, to a thread started ahead (`ReaderThread`), in its first message.
 */
// The module's evaluation ends at once, and the reading starts after it: a thread stopped while
// its module is still being evaluated (a top-level await, a long first statement) can bring the
// whole process down (a V8 fatal error, nodejs/node#53238). A thread started ahead and not used
// is sent STOP_READER, and ends by itself.
// A thread started ahead reads one file after another (the imports of a firm's companies, one
// thread each): after each, it waits for the next, or for STOP_READER.
if (workerData) setImmediate(() => readRows(workerData as RowsWorkerData, false));
else waitForWork();

function waitForWork(): void {
  parentPort?.once('message', (message: RowsWorkerData | typeof STOP_READER) => {
    if (message === STOP_READER) parentPort?.close();
    else readRows(message, true);
  });
}

function readRows(request: RowsWorkerData, again: boolean): void {
  const port = parentPort as MessagePort;
  const BATCH = 2000;
  /** The first batch is smaller: the writer starts on it while the next lines are read. */
  let batchSize = 250;
  /** Units of work sent and not yet written, shared with the main thread. */
  const lead = new Int32Array(request.lead);
  const maxAhead = MAX_UNITS_AHEAD[Math.min(request.partIndex, MAX_UNITS_AHEAD.length - 1)] as number;

  const batch = new BatchWriter(BATCH, request.keepCells, UNCHANGED_PER_UNIT);

  /** Sends the batch, then waits (blocking this thread only) while the writer is behind. */
  function flush(): void {
    if (batch.size === 0) return;
    const { batch: packed, transfer } = batch.take();
    batchSize = BATCH;
    port.postMessage(packed, transfer);
    Atomics.add(lead, 0, packed.units);
    for (let n = Atomics.load(lead, 0); n >= maxAhead; n = Atomics.load(lead, 0)) {
      Atomics.wait(lead, 0, n);
    }
  }

  const source = request.source as SourceFile;
  const options = request.rowOptions as InvoiceRowOptions;
  const readRow = invoiceRowReader(options);
  let rowIndex = -1;

  /**
   * A file of plain or CR LF lines is read as bytes (see `readsAsBytes`): a line's fingerprint is
   * that of its bytes, taken before decoding, and a line found unchanged is never decoded at all.
   */
  const asBytes = readsAsBytes(source, request.separator);
  // Fingerprints depend on how cells are read: other options, other fingerprints. Read as bytes,
  // the whole line counts, so the encoding, the separator and the number of columns count too.
  const seed = seedOf(
    JSON.stringify([
      ROW_RULES,
      asBytes ? 2 : 1,
      options.decimalMark,
      options.dateOrder,
      options.paymentTermDays,
      options.defaultCurrency,
      Object.entries(options.columns).sort(([a], [b]) => (a < b ? -1 : 1)),
      ...(asBytes ? [source.encoding, request.separator, request.width] : []),
    ]),
  );
  const known = request.known === null ? null : Hash64Table.of(request.known);
  /**
   * Into an empty store (nothing known), the numbers met so far, by fingerprint: the writer looks
   * up only a number met again. Otherwise the writer looks up every line it is sent.
   */
  const numbers = known === null ? new FingerprintSet(request.expectedLines) : null;
  const numberSeed = seedOf('numéro');
  const codeSeed = seedOf('client');
  /**
   * Client cells of the lines sent in full, each with a reference unique across the readers of a
   * file: the writer knows which of them it wrote.
   */
  const clients = new Hash64Table(1 << 12);
  let clientCount = 0;
  function clientRef(client: Fingerprint): number {
    const known = clients.get(client);
    if (known >= 0) return known;
    const ref = request.partIndex * (1 << 24) + clientCount++;
    clients.add(client, ref);
    return ref;
  }
  const clientAt = CLIENT_FIELDS.map((field) => options.columns[field] ?? -1);
  const clientOf = (cells: readonly string[]) => hashStrings(cells, clientAt.length, seed, clientAt);

  /**
   * Checks a row and adds it to the batch. `fingerprint`, when given, is the line's (read as bytes),
   * and `value` what `known` holds for it; otherwise both come from the cells.
   */
  function check(
    cells: string[],
    line: number,
    problem: string | null,
    fingerprint: Fingerprint | null,
    value: number,
    client: Fingerprint | null,
  ): void {
    const keep = request.keepCells ? cells : undefined;
    if (problem) {
      batch.addOther({ kind: 'problem', line, problem, cells: keep });
    } else if (
      cells.length < request.width ||
      (cells.length > request.width && cells.slice(request.width).some((c) => c.trim() !== ''))
    ) {
      batch.addOther({ kind: 'width', line, count: cells.length, cells: keep });
    } else {
      if (fingerprint === null) {
        fingerprint = hashStrings(cells, request.width, seed);
        if (known !== null) {
          value = known.get(fingerprint);
          if (value >= 0) {
            client = clientOf(cells);
            if (skipped(client, value, line)) return;
          }
        }
      }
      const result = readRow(cells);
      if (result.kind === 'invoice') {
        // Only invoices count: a line refused or skipped writes nothing a later line could repeat.
        const repeat = numbers === null || !numbers.add(hashString(result.row.number, numberSeed));
        // Nothing is skipped into an empty store: no need to know the clients' cells.
        const ref = known === null ? -1 : clientRef(client ?? clientOf(cells));
        const clientKey = hashString(result.row.clientCode, codeSeed);
        batch.addInvoice(
          line,
          result.row,
          { fingerprint, repeat, clientRef: ref, stored: value, clientKey },
          keep,
        );
      } else if (result.kind === 'skipped') {
        batch.addOther({ kind: 'skipped', line, number: result.number, cancelled: result.cancelled });
      } else if (result.kind === 'total') {
        batch.addOther({ kind: 'total', line, label: result.label, amounts: result.amounts, cells: keep });
      } else {
        batch.addOther({ kind: 'invalid', line, number: result.number, errors: result.errors, cells: keep });
      }
    }
    if (batch.size >= batchSize) flush();
  }

  /**
   * A line whose fingerprint is known: skipped when its client cells came before on a line sent in
   * full. If the writer wrote that line's client, this line changes nothing, neither its invoice
   * nor its client.
   */
  function skipped(client: Fingerprint, value: number, line: number): boolean {
    const ref = clients.get(client);
    if (ref < 0) return false;
    batch.addUnchanged(value, line, ref);
    if (batch.size >= batchSize) flush();
    return true;
  }

  /** A blank line, or one of separators only (`;;;;;;;`), is no data. */
  function blank(cells: readonly string[]): boolean {
    for (const cell of cells) if (cell.trim() !== '') return false;
    return true;
  }

  const separatorByte = request.separator.charCodeAt(0);
  /** The client's cells, by index, for `hashByteCells`. */
  const clientCells = new Uint8Array(Math.max(0, ...clientAt) + 1);
  for (const at of clientAt) if (at >= 0) clientCells[at] = 1;
  const reading = asBytes
    ? new Promise<void>((resolve) => {
        readPlainLines(source, request.part, (bytes, start, end, line) => {
          if (++rowIndex <= request.headerIndex) return;
          const fingerprint = hashBytes(bytes, start, end, seed);
          let value = -1;
          let client: Fingerprint | null = null;
          if (known !== null) {
            value = known.get(fingerprint);
            if (value >= 0) {
              client = hashByteCells(bytes, start, end, separatorByte, clientCells, seed);
              if (skipped(client, value, line)) return;
            }
            client ??= hashByteCells(bytes, start, end, separatorByte, clientCells, seed);
          }
          const cells = decodeLine(source.encoding, bytes, start, end).split(request.separator);
          if (!blank(cells)) check(cells, line, null, fingerprint, value, client);
        });
        resolve();
      })
    : streamRows(
        source,
        request.separator,
        ({ cells, line, problem }) => {
          if (++rowIndex > request.headerIndex && !blank(cells)) check(cells, line, problem, null, -1, null);
        },
        request.part,
        request.width,
      );

  reading
    .then(() => {
      flush();
      port.postMessage({ type: 'done' });
      if (again) waitForWork();
    })
    .catch((error: unknown) => {
      port.postMessage({ type: 'error', message: (error as Error).message ?? String(error) });
    });
}
