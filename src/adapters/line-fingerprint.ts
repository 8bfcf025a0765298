/**
 * Fingerprints of the lines of an export, so that a re-import can tell the lines it has already
 * read, unchanged, without checking every cell again. A fingerprint is 64 bits in two 32-bit
 * lanes (FNV-1a and a Murmur-style mix): reading a million changed lines against a million
 * stored fingerprints, the chance of a single false match is about 1 in 18 million.
 */

/** Both lanes of a fingerprint. */
export interface Fingerprint {
  readonly hi: number;
  readonly lo: number;
}

const FNV_PRIME = 0x01000193;
const MURMUR = 0x5bd1e995;

function finish(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

/** A seed from text (the options a line is read with): the same cells read otherwise differ. */
export function seedOf(text: string): Fingerprint {
  return hashStrings([text], 1, { hi: 0x811c9dc5, lo: 0x2545f491 });
}

/**
 * The fingerprint of the first `count` strings, or of those at the indexes `at`. Cell boundaries
 * are marked with values no UTF-16 unit can take, so that `["ab", "c"]` and `["a", "bc"]` differ.
 */
export function hashStrings(
  cells: readonly string[],
  count: number,
  seed: Fingerprint,
  at?: readonly number[],
): Fingerprint {
  let a = seed.hi | 0;
  let b = seed.lo | 0;
  for (let i = 0; i < count; i++) {
    const cell = (at === undefined ? cells[i] : cells[at[i] as number]) ?? '';
    for (let j = 0; j < cell.length; j++) {
      const c = cell.charCodeAt(j);
      a = Math.imul(a ^ c, FNV_PRIME);
      b = Math.imul(b ^ c, MURMUR);
      b ^= b >>> 15;
    }
    a = Math.imul(a ^ (0x10000 + i), FNV_PRIME);
    b = Math.imul(b ^ (0x10000 + i), MURMUR);
    b ^= b >>> 15;
  }
  return { hi: finish(a), lo: finish(b) };
}

/** The fingerprint of one string. */
export function hashString(text: string, seed: Fingerprint): Fingerprint {
  return hashStrings([text], 1, seed);
}

/**
 * An open-addressing table from 64-bit keys (two Int32 lanes) to non-negative Int32 values, on
 * typed arrays: a million keys take 24 MB and no garbage. Its arrays may live in shared memory,
 * so that one thread fills it and another reads it.
 */
export class Hash64Table {
  private hi: Int32Array;
  private lo: Int32Array;
  private values: Int32Array;
  private mask: number;
  private size = 0;

  constructor(
    capacity: number,
    private readonly shared = false,
  ) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.hi = this.array(slots);
    this.lo = this.array(slots);
    this.values = this.array(slots);
    this.mask = slots - 1;
  }

  private array(length: number): Int32Array {
    return this.shared ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length);
  }

  /** The arrays, to hand the table to another thread (when built `shared`). */
  get buffers(): readonly [Int32Array, Int32Array, Int32Array] {
    return [this.hi, this.lo, this.values];
  }

  /** A read-only view of a table built elsewhere from its `buffers`. */
  static of(buffers: readonly [Int32Array, Int32Array, Int32Array]): Hash64Table {
    const table = new Hash64Table(0);
    [table.hi, table.lo, table.values] = buffers;
    table.mask = buffers[0].length - 1;
    return table;
  }

  /** The slot of a key: where it is, or the empty slot where it would go. */
  private slot(hi: number, lo: number): number {
    let at = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    // Keys are never (0, 0): that marks an empty slot.
    while (this.hi[at] !== hi || this.lo[at] !== lo) {
      if (this.hi[at] === 0 && this.lo[at] === 0) return at;
      at = (at + 1) & this.mask;
    }
    return at;
  }

  /** The value of a key, or -1. */
  get(key: Fingerprint): number {
    const lo = key.hi === 0 && key.lo === 0 ? 1 : key.lo;
    const at = this.slot(key.hi, lo);
    return this.hi[at] === 0 && this.lo[at] === 0 ? -1 : (this.values[at] as number);
  }

  /** Adds a key with its value; false (and nothing changes) when the key is already there. */
  add(key: Fingerprint, value = 0): boolean {
    return this.put(key.hi, key.lo, value);
  }

  /** `add` with the lanes apart: no object per key when filling a large table. */
  put(hi: number, key: number, value: number): boolean {
    const lo = hi === 0 && key === 0 ? 1 : key;
    const at = this.slot(hi, lo);
    if (this.hi[at] !== 0 || this.lo[at] !== 0) return false;
    this.hi[at] = hi;
    this.lo[at] = lo;
    this.values[at] = value;
    if (++this.size * 2 > this.mask) this.grow();
    return true;
  }

  private grow(): void {
    const [hi, lo, values] = [this.hi, this.lo, this.values];
    const slots = hi.length * 2;
    this.hi = this.array(slots);
    this.lo = this.array(slots);
    this.values = this.array(slots);
    this.mask = slots - 1;
    this.size = 0;
    for (let at = 0; at < hi.length; at++) {
      if (hi[at] !== 0 || lo[at] !== 0) this.put(hi[at] as number, lo[at] as number, values[at] as number);
    }
  }
}
