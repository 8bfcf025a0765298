import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  decodeLine,
  type FilePart,
  inspectSource,
  type RawRow,
  readPlainLines,
  readsAsBytes,
  streamRows,
} from '../../src/adapters/csv-source.js';
import {
  FingerprintSet,
  Hash64Table,
  hashByteCells,
  hashBytes,
  hashString,
  hashStrings,
  seedOf,
} from '../../src/adapters/line-fingerprint.js';
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

describe('fingerprints of lines read as bytes', () => {
  const seed = seedOf('options');
  const bytes = (text: string) => Buffer.from(text, 'utf8');
  const line = (text: string) => hashBytes(bytes(text), 0, Buffer.byteLength(text), seed);

  it('tell lines apart by every byte and by their length', () => {
    expect(line('F1;10,00')).toEqual(line('F1;10,00'));
    expect(line('F1;10,00')).not.toEqual(line('F1;10,01'));
    expect(line('F1;10,00')).not.toEqual(line('F1;10,00;'));
    expect(line('F1')).not.toEqual(line('F1\0'));
    expect(line('')).not.toEqual(line('\0'));
    expect(hashBytes(bytes('F1'), 0, 2, seedOf('other'))).not.toEqual(line('F1'));
    // Only the bytes at [start, end) count.
    expect(hashBytes(bytes('xxF1;10,00yy'), 2, 10, seed)).toEqual(line('F1;10,00'));
  });

  it('hardly ever collide: 200 000 distinct lines, 200 000 distinct fingerprints', () => {
    const seen = new Hash64Table(1024);
    let collisions = 0;
    for (let n = 0; n < 200_000; n++) {
      if (!seen.add(line(`F${n};C${n % 977};${n % 1000},${n % 100}`))) collisions++;
    }
    expect(collisions).toBe(0);
  });

  it('of some cells: only the wanted cells count, with their boundaries', () => {
    const semicolon = ';'.charCodeAt(0);
    const wanted = new Uint8Array([0, 1, 0, 1]);
    const cells = (text: string) =>
      hashByteCells(bytes(text), 0, Buffer.byteLength(text), semicolon, wanted, seed);
    expect(cells('F1;C1;10,00;Nom')).toEqual(cells('F2;C1;99,00;Nom'));
    expect(cells('F1;C1;10,00;Nom')).not.toEqual(cells('F1;C2;10,00;Nom'));
    expect(cells('F1;C1;10,00;Nom')).not.toEqual(cells('F1;C1;10,00;Nomé'));
    // Bytes moved from one wanted cell to another, through an unwanted one.
    expect(cells('F1;C1;x;Nom')).not.toEqual(cells('F1;C;x;1Nom'));
    // A line cut short: its missing cells are empty.
    expect(cells('F1;C1')).toEqual(cells('F1;C1;;'));
    expect(cells('F1;C1;10,00;Nom;reste')).toEqual(cells('F1;C1;10,00;Nom'));
  });
});

describe('readPlainLines: a file of plain lines read as bytes', () => {
  /** Rows as `streamRows` reads them, and as the byte reader does (decoded, split). */
  async function bothWays(file: string, part?: FilePart) {
    const source = await inspectSource(file);
    const parsed: { cells: string[]; line: number }[] = [];
    await streamRows(source, ';', ({ cells, line }: RawRow) => parsed.push({ cells, line }), part);
    const read: { cells: string[]; line: number }[] = [];
    readPlainLines(source, part ?? { from: { offset: 0, line: 1 }, to: null }, (bytes, start, end, line) => {
      read.push({ cells: decodeLine(source.encoding, bytes, start, end).split(';'), line });
    });
    return { source, parsed, read };
  }

  it('gives the rows streamRows gives, line by line, whatever the quirks of the file', async () => {
    const dir = tempDir();
    const quirks = [
      'Numéro;Client;Montant',
      'F1;Café Élan;10,00',
      '',
      '   ',
      'F2;;',
      'F3;Zoé;1 234,56;',
      ';;',
      `F4;${'x'.repeat(3 << 20)};5,00`, // longer than the reader's buffer
      'F5;Dernière;1,00',
    ];
    for (const [name, text] of [
      ['utf8-bom.csv', `\ufeff${quirks.join('\n')}\n`],
      ['sans-fin.csv', quirks.join('\n')],
      ['double-fin.csv', `${quirks.join('\n')}\n\n`],
      ['crlf.csv', `\ufeff${quirks.join('\r\n')}\r\n`],
      ['crlf-sans-fin.csv', quirks.join('\r\n')],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const { source, parsed, read } = await bothWays(file);
      expect(readsAsBytes(source, ';')).toBe(true);
      // The byte reader keeps the BOM on the header line (never data); streamRows removes it.
      if (read[0]?.cells[0]?.startsWith('\ufeff')) read[0].cells[0] = read[0].cells[0].slice(1);
      // streamRows ends a text that ends with a line feed with one empty row: a blank line, ignored.
      const data = (rows: typeof read) =>
        rows.filter((r) => !(r.cells.length === 1 && r.cells[0]?.trim() === ''));
      expect(data(read)).toEqual(data(parsed));
      expect(read.at(-1)?.cells[0]).toBe(name === 'double-fin.csv' ? '' : 'F5');
      expect(read.at(-1)?.cells.at(-1)).toBe(name === 'double-fin.csv' ? '' : '1,00');
    }
  });

  it('decodes Windows-1252 lines, and reads a part from its first line to its end', async () => {
    const dir = tempDir();
    const file = join(dir, 'ansi.csv');
    const rows = Array.from({ length: 200_000 }, (_, i) => `F${i};Société n°${i % 97};${i % 1000},50`);
    writeFileSync(file, iconv.encode(`Numéro;Client;Montant\n${rows.join('\n')}\n`, 'win1252'));
    const source = await inspectSource(file);
    expect(source.encoding).toBe('windows-1252');
    const middle = source.middle;
    expect(middle).not.toBeNull();
    if (middle === null) return;
    const first = await bothWays(file, { from: { offset: 0, line: 1 }, to: middle.offset });
    const second = await bothWays(file, { from: middle, to: null });
    const data = (rows: { cells: string[] }[]) => rows.filter((r) => r.cells.length > 1);
    expect(data(first.read)).toEqual(data(first.parsed));
    expect(data(second.read)).toEqual(data(second.parsed));
    expect(data(first.read).length + data(second.read).length).toBe(200_001);
    expect(second.read[0]?.cells[1]).toMatch(/^Société n°/);
    expect(second.read[0]?.line).toBe(middle.line);
  });

  it('is used for plain and CR LF lines, not for a file with quotes, mixed line breaks, nor in UTF-16', async () => {
    const dir = tempDir();
    const write = async (name: string, content: string | Buffer) => {
      const file = join(dir, name);
      writeFileSync(file, content);
      return readsAsBytes(await inspectSource(file), ';');
    };
    expect(await write('simple.csv', 'Numero;Montant\nF1;1,00\n')).toBe(true);
    expect(await write('guillemets.csv', 'Numero;Montant\n"F1";1,00\n')).toBe(false);
    expect(await write('crlf.csv', 'Numero;Montant\r\nF1;1,00\r\n')).toBe(true);
    expect(await write('crlf-sans-fin.csv', 'Numero;Montant\r\nF1;1,00')).toBe(true);
    // Line breaks of both kinds, or a lone carriage return: the CSV parser decides.
    expect(await write('crlf-puis-lf.csv', 'Numero;Montant\r\nF1;1,00\nF2;2,00\r\n')).toBe(false);
    expect(await write('lf-puis-crlf.csv', 'Numero;Montant\nF1;1,00\r\n')).toBe(false);
    expect(await write('cr-seul.csv', 'Numero;Montant\r\nF1;1\r00\r\n')).toBe(false);
    expect(await write('cr-final.csv', 'Numero;Montant\r\nF1;1,00\r')).toBe(false);
    expect(
      await write(
        'utf16.csv',
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Numero;Montant\nF1;1,00\n', 'utf16le')]),
      ),
    ).toBe(false);
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

describe('FingerprintSet', () => {
  it('says a key is new once, keeps every key as it grows, and takes a shared lo lane for the same key', () => {
    const set = new FingerprintSet(2);
    const keys = Array.from({ length: 5000 }, (_, i) => hashString(`F${i}`, seedOf('numéro')));
    for (const key of keys) expect(set.add(key)).toBe(true);
    for (const key of keys) expect(set.add(key)).toBe(false);
    expect(keys[42]).toEqual(hashStrings(['F42'], 1, seedOf('numéro')));
    // 32 bits are kept: another key with the same lo lane is "perhaps there", never "surely new".
    const first = keys[0] as { hi: number; lo: number };
    expect(set.add({ hi: first.hi ^ 1, lo: first.lo })).toBe(false);
    // 0 marks an empty slot: a lo lane of 0 is still kept.
    expect(set.add({ hi: 3, lo: 0 })).toBe(true);
    expect(set.add({ hi: 3, lo: 0 })).toBe(false);
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
    const { middle, plainLines, crLfLines } = await inspectSource(file);
    expect(plainLines).toBe(false);
    expect(crLfLines).toBe(false);
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
