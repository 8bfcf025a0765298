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

/** One unit (a character, a byte, a cell's end) into the FNV-1a lane. */
function fnv(h: number, unit: number): number {
  return Math.imul(h ^ unit, FNV_PRIME);
}

/** One unit into the Murmur-style lane. */
function murmur(h: number, unit: number): number {
  const x = Math.imul(h ^ unit, MURMUR);
  return x ^ (x >>> 15);
}

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
      a = fnv(a, c);
      b = murmur(b, c);
    }
    a = fnv(a, 0x10000 + i);
    b = murmur(b, 0x10000 + i);
  }
  return { hi: finish(a), lo: finish(b) };
}

/**
 * The fingerprint of the bytes at [start, end): a line of a file read as bytes, without decoding
 * it. Two Murmur3-style lanes with their own constants, four bytes at a time; the length goes in
 * at the end, so that a shorter line is never a prefix's twin.
 */
export function hashBytes(bytes: Uint8Array, start: number, end: number, seed: Fingerprint): Fingerprint {
  let a = seed.hi | 0;
  let b = seed.lo | 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const w =
      (bytes[i] as number) |
      ((bytes[i + 1] as number) << 8) |
      ((bytes[i + 2] as number) << 16) |
      ((bytes[i + 3] as number) << 24);
    a = mixA(a, w);
    b = mixB(b, w);
  }
  let w = 0;
  for (let shift = 0; i < end; i++, shift += 8) w |= (bytes[i] as number) << shift;
  a = mixA(a, w);
  b = mixB(b, w);
  a ^= end - start;
  b ^= end - start;
  return { hi: finish(a), lo: finish(b) };
}

function mixA(h: number, w: number): number {
  let k = Math.imul(w, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function mixB(h: number, w: number): number {
  let k = Math.imul(w, 0x85ebca6b);
  k = (k << 17) | (k >>> 15);
  k = Math.imul(k, 0xc2b2ae35);
  h ^= k;
  h = (h << 11) | (h >>> 21);
  return (Math.imul(h, 9) + 0x52dce729) | 0;
}

/**
 * The fingerprint of some cells of a line read as bytes (cells apart by the byte `separator`):
 * those whose index is set in `wanted`, in one pass, a missing one as empty. Each cell's end is
 * marked with its index, so that moving bytes between cells changes the result.
 */
export function hashByteCells(
  bytes: Uint8Array,
  start: number,
  end: number,
  separator: number,
  wanted: Uint8Array,
  seed: Fingerprint,
): Fingerprint {
  let a = seed.hi | 0;
  let b = seed.lo | 0;
  let i = start;
  for (let cell = 0; cell < wanted.length; cell++) {
    if (wanted[cell] === 1) {
      for (; i < end; i++) {
        const c = bytes[i] as number;
        if (c === separator) break;
        a = fnv(a, c);
        b = murmur(b, c);
      }
      a = fnv(a, 0x100 + cell);
      b = murmur(b, 0x100 + cell);
    } else {
      while (i < end && bytes[i] !== separator) i++;
    }
    i++;
  }
  return { hi: finish(a), lo: finish(b) };
}

/** The fingerprint of one string: `hashStrings([text], 1, seed)`, without the array. */
export function hashString(text: string, seed: Fingerprint): Fingerprint {
  let a = seed.hi | 0;
  let b = seed.lo | 0;
  for (let j = 0; j < text.length; j++) {
    const c = text.charCodeAt(j);
    a = fnv(a, c);
    b = murmur(b, c);
  }
  a = fnv(a, 0x10000);
  b = murmur(b, 0x10000);
  return { hi: finish(a), lo: finish(b) };
}

/**
 * A set of fingerprints that keeps 32 bits of each (the `lo` lane): a third of the memory of a
 * `Hash64Table`, so that a million keys stay in the processor's cache more often. Two fingerprints
 * may then pass for one: `add` may say a new key was there, which its users take as "perhaps",
 * never as "surely" (once it holds a million keys, about 1 new key in 4,000).
 */
export class FingerprintSet {
  /** 0 marks an empty slot (a `lo` of 0 is kept as 1). */
  private slots: Int32Array;
  private mask: number;
  private size = 0;

  constructor(capacity: number) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.slots = new Int32Array(slots);
    this.mask = slots - 1;
  }

  /** Adds a key; false when it, or another with the same `lo` lane, was there. */
  add(key: Fingerprint): boolean {
    return this.put(key.lo === 0 ? 1 : key.lo);
  }

  private put(lo: number): boolean {
    const slots = this.slots;
    for (let at = Math.imul(lo, 0x9e3779b1) & this.mask; ; at = (at + 1) & this.mask) {
      const held = slots[at] as number;
      if (held === lo) return false;
      if (held === 0) {
        slots[at] = lo;
        if (++this.size * 2 > this.mask) this.grow();
        return true;
      }
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(2 * old.length);
    this.mask = this.slots.length - 1;
    this.size = 0;
    for (const lo of old) if (lo !== 0) this.put(lo);
  }
}

/**
 * An open-addressing table from 64-bit keys (two Int32 lanes) to non-negative Int32 values, on
 * one typed array (key and value side by side: one cache miss per probe): a million keys take
 * 24 MB and no garbage. Its array may live in shared memory, so that one thread fills it and
 * others read it.
 */
export class Hash64Table {
  /** Slot `i` is `[hi, lo, value]` at `3 * i`; (0, 0) marks an empty slot. */
  private slots: Int32Array;
  private mask: number;
  private size = 0;

  constructor(
    capacity: number,
    private readonly shared = false,
  ) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.slots = this.array(slots);
    this.mask = slots - 1;
  }

  private array(slots: number): Int32Array {
    const length = 3 * slots;
    return this.shared ? new Int32Array(new SharedArrayBuffer(length * 4)) : new Int32Array(length);
  }

  /** The array, to hand the table to other threads (when built `shared`). */
  get buffer(): Int32Array {
    return this.slots;
  }

  /** A read-only view of a table built elsewhere, from its `buffer`. */
  static of(buffer: Int32Array): Hash64Table {
    const table = new Hash64Table(0);
    table.slots = buffer;
    table.mask = buffer.length / 3 - 1;
    return table;
  }

  /** Where a key is (times 3), or the empty slot where it would go. */
  private slot(hi: number, lo: number): number {
    const slots = this.slots;
    let at = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const h = slots[3 * at] as number;
      const l = slots[3 * at + 1] as number;
      if ((h === hi && l === lo) || (h === 0 && l === 0)) return 3 * at;
      at = (at + 1) & this.mask;
    }
  }

  /** The value of a key, or -1. */
  get(key: Fingerprint): number {
    const lo = key.hi === 0 && key.lo === 0 ? 1 : key.lo;
    const at = this.slot(key.hi, lo);
    return this.slots[at] === 0 && this.slots[at + 1] === 0 ? -1 : (this.slots[at + 2] as number);
  }

  /** Adds a key with its value; false (and nothing changes) when the key is already there. */
  add(key: Fingerprint, value = 0): boolean {
    return this.put(key.hi, key.lo, value);
  }

  /** `add` with the lanes apart: no object per key when filling a large table. */
  put(hi: number, key: number, value: number): boolean {
    const lo = hi === 0 && key === 0 ? 1 : key;
    const at = this.slot(hi, lo);
    if (this.slots[at] !== 0 || this.slots[at + 1] !== 0) return false;
    this.slots[at] = hi;
    this.slots[at + 1] = lo;
    this.slots[at + 2] = value;
    if (++this.size * 2 > this.mask) this.grow();
    return true;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = this.array(2 * (this.mask + 1));
    this.mask = 2 * (this.mask + 1) - 1;
    this.size = 0;
    for (let at = 0; at < old.length; at += 3) {
      if (old[at] !== 0 || old[at + 1] !== 0) {
        this.put(old[at] as number, old[at + 1] as number, old[at + 2] as number);
      }
    }
  }
}
