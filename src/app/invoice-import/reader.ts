import { Worker } from 'node:worker_threads';
import type { FilePart, SourceFile } from '../../adapters/csv-source.js';
import type { Hash64Table } from '../../adapters/line-fingerprint.js';
import type { RowOptions } from '../../domain/invoice-row.js';
import { handBatch, type PackedBatch, type RowHandlers } from './batch.js';

export type { RowHandlers, RowItem } from './batch.js';

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
  /**
   * Fingerprints of the lines the stored invoices were read from (values: invoice id × 2, plus 1
   * when its due date was computed). A line found there, whose client cells an earlier line of
   * the same part brought in full, is not checked again but handed to `onUnchanged`, where the
   * writer proves it changes nothing.
   */
  readonly known: Hash64Table | null;
  /** About how many lines the file has: the reader sizes its table of numbers once. */
  readonly expectedLines: number;
}

export interface RowsWorkerData extends Omit<RowsRequest, 'known'> {
  /** One Int32: the units of work sent by the reader and not yet written here. */
  readonly lead: SharedArrayBuffer;
  readonly known: Int32Array | null;
  /** What this reader reads. */
  readonly part: FilePart;
  readonly partIndex: number;
}

type WorkerMessage =
  | PackedBatch
  | { readonly type: 'done' }
  | { readonly type: 'error'; readonly message: string };

/**
 * Units of work a reader may send ahead of the writer (a checked line counts one). A later part
 * may run further ahead: its first lines bring the clients of that part, in full.
 */
export const MAX_UNITS_AHEAD = [8000, 64000] as const;
/** Lines found unchanged weigh this many to one checked line in the reader's lead. */
export const UNCHANGED_PER_UNIT = 32;

const WHOLE_FILE: FilePart = { from: { offset: 0, line: 1 }, to: null };

/**
 * The parts read side by side: a re-import of a large file with no quotes is read as two halves,
 * one per core (the writer has little to do then); anything else in one piece. The second half's
 * batches wait until the first half is written; when its lines are not unchanged they soon fill
 * its lead, and its reader waits.
 */
function partsOf(request: RowsRequest): FilePart[] {
  const { middle, size } = request.source;
  if (request.known === null || middle === null || middle.offset >= size) return [WHOLE_FILE];
  if (middle.line <= request.headerIndex + 2) return [WHOLE_FILE];
  return [
    { from: WHOLE_FILE.from, to: middle.offset },
    { from: middle, to: null },
  ];
}

/** What a reading thread started ahead is sent when no file comes: it then ends by itself. */
export const STOP_READER = 'stop';

/**
 * Reading threads that have read a file and wait, unreferenced, for the next one of this process:
 * `recouvre cabinet import` runs hundreds of imports in a few threads, and a thread's start-up
 * (about a tenth of a second) would otherwise be paid for each.
 */
const SPARE: Worker[] = [];
/**
 * Only a thread that read a small file is kept: after a large one, its heap is better given back
 * at once, before the first import builds its indexes (a million lines: 15 MB more at the peak).
 */
const SPARE_UP_TO_BYTES = 8 << 20;

/** Ends the reading threads waiting for a next file (a process that wants its threads gone). */
export async function stopSpareReaders(): Promise<void> {
  await Promise.all(
    SPARE.splice(0).map(async (worker) => {
      const ended = new Promise((resolve) => worker.once('exit', resolve));
      worker.postMessage(STOP_READER);
      await ended;
    }),
  );
}

/** A reading thread; without `workerData`, it waits for its first message to say what to read. */
function readerWorker(workerData?: RowsWorkerData): Worker {
  return new Worker(new URL('./reader-worker.js', import.meta.url), {
    workerData,
    // A small heap: the reader holds a few batches at a time, and a lazy collector would
    // otherwise let its garbage grow by hundreds of megabytes. Its young generation, where each
    // line's short-lived texts go, is collected less often at 24 MB than at 8 (a first import
    // of a million lines: about 0.05 s less, 8 MB more).
    resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 24 },
  });
}

/**
 * A reading thread started before the lines of a file are wanted: its start-up (about a tenth of
 * a second) is done while the file is examined and the store opened. The first `readCheckedRows`
 * given it takes it; `close` ends it if none did. Until taken, it keeps no program running.
 */
export class ReaderThread {
  private worker: Worker | null;
  /** Taken from `SPARE`: it has read a file before, so its module is evaluated. */
  private readonly reused: boolean;
  private broken = false;
  private readonly onBroken = () => {
    this.broken = true;
  };

  constructor() {
    const spare = SPARE.pop();
    this.reused = spare !== undefined;
    this.worker = spare ?? readerWorker();
    this.worker.unref();
    this.worker.on('error', this.onBroken).on('exit', this.onBroken);
  }

  private release(): Worker | null {
    const worker = this.worker;
    this.worker = null;
    worker?.off('error', this.onBroken).off('exit', this.onBroken);
    return worker;
  }

  /** The thread, the first time, if it started well; then null. */
  take(): Worker | null {
    const worker = this.release();
    if (worker === null || this.broken) {
      void worker?.terminate();
      return null;
    }
    worker.ref();
    return worker;
  }

  /** Asks the waiting thread to end, and waits until it has (see the worker's first lines). */
  async close(): Promise<void> {
    const worker = this.release();
    if (worker === null || this.broken) return;
    // A thread that has read a file is past its module's evaluation: it may wait, unreferenced,
    // for the next import of this process.
    if (this.reused) {
      SPARE.push(worker);
      return;
    }
    const ended = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage(STOP_READER);
    const late = setTimeout(() => void worker.terminate(), 5000);
    await ended;
    clearTimeout(late);
  }
}

/**
 * Reads the lines of an export in worker threads and hands each line to the handlers, in file
 * order, on this thread (where the store is written). If a handler throws, reading stops and the
 * promise rejects with that error. `ahead`, a thread started earlier, reads the first part.
 */
export function readCheckedRows(
  request: RowsRequest,
  handlers: RowHandlers,
  ahead?: ReaderThread,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const parts = partsOf(request);
    let settled = false;
    /** The part whose lines are handed over now; the later ones wait in their queues. */
    let current = 0;
    const queues: WorkerMessage[][] = parts.map(() => []);
    const finished = parts.map(() => false);
    const leads = parts.map(() => new Int32Array(new SharedArrayBuffer(4)));
    const workers: Worker[] = [];
    /** The first part's thread was started ahead: it can read again. */
    let reusable = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      for (const worker of workers) void worker.terminate();
      reject(error);
    };
    const pump = () => {
      while (!settled && current < parts.length) {
        const message = queues[current]?.shift();
        if (message === undefined) return;
        if (message.type === 'done') {
          current++;
          continue;
        }
        if (message.type === 'error') {
          fail(new Error(message.message));
          return;
        }
        try {
          handBatch(message, handlers);
          handlers.onBatch?.();
        } catch (error) {
          fail(error);
          return;
        }
        const lead = leads[current] as Int32Array;
        Atomics.sub(lead, 0, message.units);
        Atomics.notify(lead, 0);
      }
      if (!settled && current === parts.length) {
        settled = true;
        workers.forEach((worker, index) => {
          if (index === 0 && reusable) {
            // The thread started ahead waits for the next file (reader-worker's waitForWork).
            worker.removeAllListeners('message').removeAllListeners('error').removeAllListeners('exit');
            worker.unref();
            SPARE.push(worker);
          } else void worker.terminate();
        });
        resolve();
      }
    };
    parts.forEach((part, index) => {
      const workerData: RowsWorkerData = {
        ...request,
        headerIndex: index === 0 ? request.headerIndex : -1,
        partIndex: index,
        known: request.known?.buffer ?? null,
        part,
        lead: (leads[index] as Int32Array).buffer as SharedArrayBuffer,
      };
      const started = index === 0 ? (ahead?.take() ?? null) : null;
      if (index === 0) reusable = started !== null && request.source.size <= SPARE_UP_TO_BYTES;
      const worker = started ?? readerWorker(workerData);
      // A thread started ahead waits for what to read.
      started?.postMessage(workerData);
      workers.push(worker);
      worker.on('message', (message: WorkerMessage) => {
        if (settled) return;
        if (message.type === 'done') finished[index] = true;
        queues[index]?.push(message);
        pump();
      });
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (!finished[index]) fail(new Error(`la lecture du fichier s’est arrêtée (code ${code})`));
      });
    });
  });
}
