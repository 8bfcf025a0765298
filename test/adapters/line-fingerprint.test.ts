import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectSource } from '../../src/adapters/csv-source.js';
import { Hash64Table, hashStrings, seedOf } from '../../src/adapters/line-fingerprint.js';
import { tempDir } from '../e2e/cli.js';

describe('line fingerprints', () => {
  const seed = seedOf('options');
  const print = (...cells: string[]) => hashStrings(cells, cells.length, seed);

  it('tell cells apart by their content, their boundaries and the options they are read with', () => {
    expect(print('F1', '10,00')).toEqual(print('F1', '10,00'));
    expect(print('ab', 'c')).not.toEqual(print('a', 'bc'));
    expect(print('F1', '10,00')).not.toEqual(print('F1', '10,01'));
    expect(print('F1', '')).not.toEqual(print('F1'));
    expect(hashStrings(['F1'], 1, seedOf('other options'))).not.toEqual(print('F1'));
    // Only the cells at the given indexes count.
    expect(hashStrings(['x', 'C1', 'y', 'Nom'], 2, seed, [1, 3])).toEqual(print('C1', 'Nom'));
  });

  it('hardly ever collide: 200 000 distinct lines, 200 000 distinct fingerprints', () => {
    const seen = new Hash64Table(1024);
    let collisions = 0;
    for (let n = 0; n < 200_000; n++) {
      if (!seen.add(print(`F${n}`, `C${n % 977}`, `${n % 1000},${n % 100}`))) collisions++;
    }
    expect(collisions).toBe(0);
  });
});

describe('Hash64Table', () => {
  it('keeps values by 64-bit key, grows, and says when a key is already there', () => {
    const table = new Hash64Table(2);
    for (let i = 0; i < 1000; i++) expect(table.add({ hi: i, lo: -i }, i * 2)).toBe(true);
    expect(table.add({ hi: 5, lo: -5 }, 99)).toBe(false);
    expect(table.get({ hi: 5, lo: -5 })).toBe(10);
    expect(table.get({ hi: -5, lo: 5 })).toBe(-1);
    // (0, 0) marks an empty slot: such a key is still kept.
    expect(table.add({ hi: 0, lo: 0 }, 7)).toBe(false); // i = 0 above: the same key
    expect(table.get({ hi: 0, lo: 0 })).toBe(0);
  });

  it('is read from another thread through its shared arrays', () => {
    const table = new Hash64Table(100, true);
    table.put(12, 34, 56);
    const view = Hash64Table.of(table.buffer);
    expect(view.get({ hi: 12, lo: 34 })).toBe(56);
    expect(table.buffer.buffer).toBeInstanceOf(SharedArrayBuffer);
  });
});

describe('inspectSource: the middle of a large file', () => {
  const lines = (count: number, quoted = -1) =>
    `Numero;Montant\n${Array.from({ length: count }, (_, i) => (i === quoted ? `"F${i}";1,00` : `F${i};${'9'.repeat(i % 50)},00`)).join('\n')}\n`;

  it('is the start of the line after the middle, with its number', async () => {
    const dir = tempDir();
    const file = join(dir, 'grand.csv');
    const text = lines(150_000);
    writeFileSync(file, text);
    const { middle, size } = await inspectSource(file);
    expect(middle).not.toBeNull();
    const offset = middle?.offset ?? 0;
    expect(offset).toBeGreaterThanOrEqual(size / 2);
    expect(text[offset - 1]).toBe('\n'); // ASCII: bytes and characters agree
    expect(middle?.line).toBe(text.slice(0, offset).split('\n').length);
  });

  it('in a file of CR LF lines, is after a CR LF, never after a lone line feed inside a cell', async () => {
    const dir = tempDir();
    const file = join(dir, 'crlf.csv');
    const rows = Array.from({ length: 150_000 }, (_, i) => `F${i};${'9'.repeat(i % 50)},00`);
    let text = `Numero;Montant\r\n${rows.join('\r\n')}\r\n`;
    // A lone line feed (inside a cell) just after the middle.
    let lone = Math.floor(text.length / 2) + 1;
    while (text[lone - 1] === '\r' || text[lone - 1] === '\n' || text[lone] === '\r') lone++;
    text = `${text.slice(0, lone)}\n${text.slice(lone)}`;
    writeFileSync(file, text);
    const { middle, plainLines } = await inspectSource(file);
    expect(plainLines).toBe(false);
    const offset = middle?.offset ?? 0;
    expect(text.slice(offset - 2, offset)).toBe('\r\n');
    expect(offset).toBeGreaterThan(lone);
    expect(middle?.line).toBe(text.slice(0, offset).split('\n').length);
  });

  it('is not given for a file whose first carriage return comes after its middle', async () => {
    const dir = tempDir();
    const file = join(dir, 'mixte.csv');
    writeFileSync(file, `${lines(150_000)}F-1;1,00\r\n`);
    const inspected = await inspectSource(file);
    expect(inspected.middle).toBeNull();
    expect(inspected.plainLines).toBe(false);
    writeFileSync(file, lines(150_000));
    expect((await inspectSource(file)).plainLines).toBe(true);
  });

  it('is not given for a file with a quote anywhere, nor for a small file', async () => {
    const dir = tempDir();
    const quoted = join(dir, 'guillemets.csv');
    writeFileSync(quoted, lines(150_000, 149_000));
    expect((await inspectSource(quoted)).middle).toBeNull();
    const small = join(dir, 'petit.csv');
    writeFileSync(small, lines(1000));
    expect((await inspectSource(small)).middle).toBeNull();
  });
});

describe('inspectSource: asked again', () => {
  it('answers from memory for the same file, and reads a changed file again, even at the same size', async () => {
    const dir = tempDir();
    const file = join(dir, 'factures.csv');
    writeFileSync(file, 'Numero;Montant\nF1;10,00\n');
    const first = await inspectSource(file);
    expect(await inspectSource(file)).toEqual(first);
    writeFileSync(file, 'Numero;Montant\nF2;10,00\n');
    const changed = await inspectSource(file);
    expect(changed.size).toBe(first.size);
    expect(changed.sha256).not.toBe(first.sha256);
    // Another encoding asked for is another answer.
    expect((await inspectSource(file, 'windows-1252')).encoding).toBe('windows-1252');
  });
});
