import type { Fingerprint } from '../../adapters/line-fingerprint.js';
import { dateOfDayKey, dayKey, type IsoDate } from '../../domain/dates.js';
import { type CellError, EXPORT_STATUSES, type InvoiceRow } from '../../domain/invoice-row.js';
import type { Cents } from '../../domain/money.js';

/** One data line of the export, read and checked. */
export type RowItem =
  | {
      readonly kind: 'invoice';
      readonly line: number;
      readonly row: InvoiceRow;
      /** Of the line's cells and the options it was read with. */
      readonly fingerprint: Fingerprint;
      /** Its number may have appeared on an earlier line (always, when anything is `known`). */
      readonly repeat: boolean;
      /** The reader's reference for the line's client cells. */
      readonly clientRef: number;
      /** The fingerprint of its client code. */
      readonly clientKey: Fingerprint;
      /** The value stored with the line's fingerprint, or -1 (see `LineMark`). */
      readonly stored: number;
      readonly cells?: string[] | undefined;
    }
  | { readonly kind: 'skipped'; readonly line: number; readonly number: string; readonly cancelled: boolean }
  /** A total line of the export (`RowResult` « total »). */
  | {
      readonly kind: 'total';
      readonly line: number;
      readonly label: string;
      readonly amounts: readonly Cents[];
      readonly cells?: string[] | undefined;
    }
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

export interface RowHandlers {
  readonly onItem: (item: RowItem) => void;
  /**
   * A line found unchanged by its fingerprint, with the value stored with it, and the reference
   * of its client cells: those of an earlier line handed to `onItem`, whose client must have been
   * written for this line to change nothing.
   */
  readonly onUnchanged: (value: number, line: number, clientRef: number) => void;
  /** After each batch of lines handed over (for a progress display). */
  readonly onBatch?: () => void;
}

/**
 * A batch of checked lines as the reading thread sends it: the invoices packed into one string and
 * a few typed arrays rather than a million small objects, which cost more to copy between threads
 * (and to collect) than to check. Entries stay in file order.
 */
export interface PackedBatch {
  readonly type: 'rows';
  /** Kind of each entry, in file order. */
  readonly order: Uint8Array;
  readonly entries: number;
  /** The invoices' texts, end to end, and the length of each. */
  readonly texts: string;
  readonly lengths: Int32Array;
  readonly numbers: Float64Array;
  /** Triplets (stored value, line, client reference) of the lines found unchanged. */
  readonly unchanged: Int32Array;
  /** Lines that are not invoices: problems, skipped statuses, invalid lines. */
  readonly others: RowItem[];
  /** The cells of each invoice, when the file of rejected lines may need them. */
  readonly cells: (string[] | undefined)[] | null;
  /** What the batch weighs in the reader's lead. */
  readonly units: number;
}

const INVOICE = 0;
const UNCHANGED = 1;
const OTHER = 2;

const TEXTS = 10;
const NUMBERS = 15;
const NO_KIND = 1;
const NO_ADDRESS = 2;
const NO_SIREN = 4;
const NO_PHONE = 8;
const NO_PAID_ON = 16;

/** Fills batches on the reading thread. */
export class BatchWriter {
  private readonly order: Uint8Array;
  private entries = 0;
  /**
   * The texts, end to end. Appended one by one: V8 then flattens the whole in one copy when the
   * batch is sent, twice as fast as joining an array of 24,000 strings.
   */
  private texts = '';
  private readonly lengths: Int32Array;
  private readonly numbers: Float64Array;
  private readonly unchanged: Int32Array;
  private invoices = 0;
  private unchangedCount = 0;
  private others: RowItem[] = [];
  private cells: (string[] | undefined)[] | null;

  constructor(
    readonly capacity: number,
    private readonly keepCells: boolean,
    private readonly unchangedPerUnit: number,
  ) {
    this.order = new Uint8Array(capacity);
    this.lengths = new Int32Array(TEXTS * capacity);
    this.numbers = new Float64Array(NUMBERS * capacity);
    this.unchanged = new Int32Array(3 * capacity);
    this.cells = keepCells ? [] : null;
  }

  get size(): number {
    return this.entries;
  }

  addInvoice(
    line: number,
    row: InvoiceRow,
    mark: {
      fingerprint: Fingerprint;
      repeat: boolean;
      clientRef: number;
      stored: number;
      clientKey: Fingerprint;
    },
    cells: string[] | undefined,
  ): void {
    this.order[this.entries++] = INVOICE;
    const texts = [
      row.number,
      row.clientCode,
      row.clientName,
      row.emails,
      row.clientKind ?? '',
      row.address ?? '',
      row.siren ?? '',
      row.phone ?? '',
      row.paidOn ?? '',
      row.currency,
    ];
    const at = this.invoices * TEXTS;
    for (let i = 0; i < TEXTS; i++) {
      const text = texts[i] as string;
      this.texts += text;
      this.lengths[at + i] = text.length;
    }
    const nulls =
      (row.clientKind === null ? NO_KIND : 0) |
      (row.address === null ? NO_ADDRESS : 0) |
      (row.siren === null ? NO_SIREN : 0) |
      (row.phone === null ? NO_PHONE : 0) |
      (row.paidOn == null ? NO_PAID_ON : 0);
    const n = this.invoices * NUMBERS;
    const numbers = this.numbers;
    numbers[n] = line;
    numbers[n + 1] = row.dueDateComputed ? 1 : 0;
    numbers[n + 2] = row.amount;
    numbers[n + 3] = row.paid;
    numbers[n + 4] = mark.fingerprint.hi;
    numbers[n + 5] = mark.fingerprint.lo;
    numbers[n + 6] = mark.repeat ? 1 : 0;
    numbers[n + 7] = mark.clientRef;
    numbers[n + 8] = mark.stored;
    numbers[n + 9] = nulls;
    numbers[n + 10] = mark.clientKey.hi;
    numbers[n + 11] = mark.clientKey.lo;
    // Dates as day keys: they come back as one text per day (`dateOfDayKey`), which the writer's
    // lookups by day then hash once, not once per line.
    numbers[n + 12] = dayKey(row.issueDate);
    numbers[n + 13] = dayKey(row.dueDate);
    numbers[n + 14] = row.exportStatus ? EXPORT_STATUSES.indexOf(row.exportStatus) + 1 : 0;
    this.cells?.push(cells);
    this.invoices++;
  }

  addUnchanged(value: number, line: number, clientRef: number): void {
    this.order[this.entries++] = UNCHANGED;
    const at = 3 * this.unchangedCount++;
    this.unchanged[at] = value;
    this.unchanged[at + 1] = line;
    this.unchanged[at + 2] = clientRef;
  }

  addOther(item: RowItem): void {
    this.order[this.entries++] = OTHER;
    this.others.push(item);
  }

  /**
   * The batch to send (with the buffers to transfer), cut to what it holds: a queued batch of
   * unchanged lines weighs a few kilobytes. The writer starts a new one.
   */
  take(): { batch: PackedBatch; transfer: ArrayBuffer[] } {
    const batch: PackedBatch = {
      type: 'rows',
      order: this.order.slice(0, this.entries),
      entries: this.entries,
      texts: this.texts,
      lengths: this.lengths.slice(0, TEXTS * this.invoices),
      numbers: this.numbers.slice(0, NUMBERS * this.invoices),
      unchanged: this.unchanged.slice(0, 3 * this.unchangedCount),
      others: this.others,
      cells: this.cells,
      units: this.invoices + this.others.length + Math.ceil(this.unchangedCount / this.unchangedPerUnit),
    };
    const transfer = [batch.order, batch.lengths, batch.numbers, batch.unchanged].map(
      (array) => array.buffer as ArrayBuffer,
    );
    this.entries = 0;
    this.texts = '';
    this.invoices = 0;
    this.unchangedCount = 0;
    this.others = [];
    this.cells = this.keepCells ? [] : null;
    return { batch, transfer };
  }
}

/** Hands the entries of a batch to the handlers, in file order. */
export function handBatch(batch: PackedBatch, handlers: RowHandlers): void {
  const { order, texts, lengths, numbers, unchanged, others, cells } = batch;
  let position = 0;
  let invoice = 0;
  let same = 0;
  let other = 0;
  const text = (i: number): string => {
    const length = lengths[invoice * TEXTS + i] as number;
    const value = texts.substring(position, position + length);
    position += length;
    return value;
  };
  for (let entry = 0; entry < batch.entries; entry++) {
    const kind = order[entry];
    if (kind === UNCHANGED) {
      handlers.onUnchanged(
        unchanged[3 * same] as number,
        unchanged[3 * same + 1] as number,
        unchanged[3 * same + 2] as number,
      );
      same++;
    } else if (kind === OTHER) {
      handlers.onItem(others[other++] as RowItem);
    } else {
      const n = invoice * NUMBERS;
      const nulls = numbers[n + 9] as number;
      const number = text(0);
      const clientCode = text(1);
      const clientName = text(2);
      const emails = text(3);
      const clientKind = text(4);
      const address = text(5);
      const siren = text(6);
      const phone = text(7);
      const paidOn = text(8);
      const currency = text(9);
      const row: InvoiceRow = {
        number,
        clientCode,
        clientName,
        emails,
        clientKind: nulls & NO_KIND ? null : (clientKind as InvoiceRow['clientKind']),
        address: nulls & NO_ADDRESS ? null : address,
        siren: nulls & NO_SIREN ? null : siren,
        phone: nulls & NO_PHONE ? null : phone,
        issueDate: dateOfDayKey(numbers[n + 12] as number) as IsoDate,
        dueDate: dateOfDayKey(numbers[n + 13] as number) as IsoDate,
        dueDateComputed: numbers[n + 1] === 1,
        amount: numbers[n + 2] as InvoiceRow['amount'],
        paid: numbers[n + 3] as InvoiceRow['paid'],
        paidOn: nulls & NO_PAID_ON ? null : (paidOn as InvoiceRow['issueDate']),
        currency,
        exportStatus: EXPORT_STATUSES[(numbers[n + 14] as number) - 1] ?? null,
      };
      handlers.onItem({
        kind: 'invoice',
        line: numbers[n] as number,
        row,
        fingerprint: { hi: numbers[n + 4] as number, lo: numbers[n + 5] as number },
        repeat: numbers[n + 6] === 1,
        clientRef: numbers[n + 7] as number,
        stored: numbers[n + 8] as number,
        clientKey: { hi: numbers[n + 10] as number, lo: numbers[n + 11] as number },
        cells: cells?.[invoice],
      });
      invoice++;
    }
  }
}
