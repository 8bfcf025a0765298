import { Worker } from 'node:worker_threads';
import type { SourceFile } from '../adapters/csv-source.js';
import type { CellError, InvoiceRow, RowOptions } from '../domain/invoice-row.js';

/** What the reading thread needs to read and check the lines of an export. */
export interface RowsRequest {
  readonly source: SourceFile;
  readonly separator: string;
  /** Rows up to this index (0-based) are the preamble and the header. */
  readonly headerIndex: number;
  /** Columns of the header: a line with fewer, or with more that are not empty, is refused. */
  readonly width: number;
  readonly rowOptions: RowOptions;
  /** The cells of each line are sent too, for the file of rejected lines. */
  readonly keepCells: boolean;
}

export interface RowsWorkerData extends RowsRequest {
  /** One Int32: batches sent by the reader and not yet written here. */
  readonly inFlight: SharedArrayBuffer;
}

/** One data line of the export, read and checked. */
export type RowItem =
  | {
      readonly kind: 'invoice';
      readonly line: number;
      readonly row: InvoiceRow;
      readonly cells?: string[] | undefined;
    }
  | { readonly kind: 'skipped'; readonly line: number; readonly number: string }
  | {
      readonly kind: 'invalid';
      readonly line: number;
      readonly number: string | null;
      readonly errors: readonly CellError[];
      readonly cells?: string[] | undefined;
    }
  /** An unclosed or misplaced quote. */
  | {
      readonly kind: 'problem';
      readonly line: number;
      readonly problem: string;
      readonly cells?: string[] | undefined;
    }
  /** A line with the wrong number of columns. */
  | {
      readonly kind: 'width';
      readonly line: number;
      readonly count: number;
      readonly cells?: string[] | undefined;
    };

type WorkerMessage =
  | { readonly type: 'rows'; readonly items: RowItem[] }
  | { readonly type: 'done' }
  | { readonly type: 'error'; readonly message: string };

/**
 * Reads the lines of an export in a worker thread and hands each checked line to `onItem`, in
 * file order, on this thread (where the store is written). If `onItem` throws, reading stops and
 * the promise rejects with that error.
 */
export function readCheckedRows(request: RowsRequest, onItem: (item: RowItem) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const shared = new SharedArrayBuffer(4);
    const inFlight = new Int32Array(shared);
    const workerData: RowsWorkerData = { ...request, inFlight: shared };
    const worker = new Worker(new URL('./invoice-rows-worker.js', import.meta.url), {
      workerData,
      // A small heap: the reader holds a few batches at a time, and a lazy collector would
      // otherwise let its garbage grow by hundreds of megabytes.
      resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 },
    });
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(error);
    };
    worker.on('message', (message: WorkerMessage) => {
      if (settled) return;
      if (message.type === 'rows') {
        try {
          for (const item of message.items) onItem(item);
        } catch (error) {
          fail(error);
          return;
        }
        Atomics.sub(inFlight, 0, 1);
        Atomics.notify(inFlight, 0);
      } else if (message.type === 'done') {
        settled = true;
        void worker.terminate();
        resolve();
      } else {
        fail(new Error(message.message));
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!settled) fail(new Error(`la lecture du fichier s’est arrêtée (code ${code})`));
    });
  });
}
