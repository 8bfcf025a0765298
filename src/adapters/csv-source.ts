import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, type Stats, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import Papa from 'papaparse';
import { UserError } from '../errors.js';

export type Encoding = 'utf8' | 'windows-1252' | 'cp850' | 'utf16le';

export const ENCODING_LABELS: Readonly<Record<Encoding, string>> = {
  utf8: 'UTF-8',
  'windows-1252': 'Windows-1252',
  cp850: 'CP850 (DOS)',
  utf16le: 'UTF-16',
};

export const SEPARATOR_LABELS: Readonly<Record<string, string>> = {
  ';': 'point-virgule',
  ',': 'virgule',
  '\t': 'tabulation',
  '|': 'barre verticale',
};

export interface SourceFile {
  readonly path: string;
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly encoding: Encoding;
  /**
   * Where a large file can be cut in two halves read apart: at the start of the line after its
   * middle, with that line's number. Only for a file with no quote at all, where a line break
   * always ends a row; null otherwise.
   */
  readonly middle: FilePosition | null;
  /** No quote and no carriage return in the file: every line feed ends a row, none is in a cell. */
  readonly plainLines: boolean;
  /**
   * No quote, and every line ends with a CR LF, with no other carriage return or line feed: every
   * CR LF ends a row, as a line feed does in plain lines.
   */
  readonly crLfLines: boolean;
}

export interface FilePosition {
  /** In bytes from the start of the file. */
  readonly offset: number;
  /** Line of the file that starts there (1 = first line). */
  readonly line: number;
}

/** Below this size a file is read in one piece. */
const HALVES_FROM_BYTES = 4 << 20;
const NEWLINE = 0x0a;
const QUOTE = 0x22;
const CARRIAGE_RETURN = 0x0d;

/** Magic numbers of files people pick by mistake instead of a CSV export. */
const NOT_CSV: ReadonlyArray<readonly [Buffer, string]> = [
  [
    Buffer.from('504b0304', 'hex'),
    'est un classeur Excel ou LibreOffice (.xlsx, .ods), pas un CSV : ouvrez-le et enregistrez-le au format « CSV (séparateur : point-virgule) », puis importez ce fichier-là.',
  ],
  [
    Buffer.from('d0cf11e0', 'hex'),
    'est un ancien classeur Excel (.xls), pas un CSV : ouvrez-le et enregistrez-le au format « CSV (séparateur : point-virgule) », puis importez ce fichier-là.',
  ],
  [
    Buffer.from('%PDF'),
    'est un PDF, pas un CSV : exportez les factures depuis votre logiciel au format CSV.',
  ],
];

/** Files already inspected, with what their stat said then: an import asks up to three times. */
const inspected = new Map<string, { readonly stamp: string; readonly source: SourceFile }>();

/**
 * Checks that `path` is a readable, non-empty text file, then reads it once to hash it and tell
 * UTF-8 (with or without BOM) from Windows-1252. The whole file is scanned because an accented
 * byte may first appear on the millionth line. Asked again about the same unchanged file (the
 * import's guesses of what a file is, then the import), it answers without reading it again.
 */
export async function inspectSource(path: string, forced?: Encoding): Promise<SourceFile> {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    throw new UserError(`fichier introuvable : « ${path} ».`, ['Vérifiez le nom et le dossier du fichier.']);
  }
  const key = `${resolve(path)}\0${forced ?? ''}`;
  const stamp = `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
  const known = inspected.get(key);
  if (known?.stamp === stamp) return { ...known.source, path };
  const source = await scanSource(path, stat, forced);
  inspected.set(key, { stamp, source });
  return source;
}

async function scanSource(path: string, stat: Stats, forced?: Encoding): Promise<SourceFile> {
  if (stat.isDirectory()) {
    throw new UserError(
      `« ${path} » est un dossier : indiquez le fichier CSV à importer, par exemple « ${path}/factures.csv ».`,
    );
  }
  if (stat.size === 0) {
    throw new UserError(
      `« ${path} » est vide (0 octet) : exportez à nouveau les factures depuis votre logiciel.`,
    );
  }
  const head = Buffer.alloc(Math.min(stat.size, 65536));
  const handle = await open(path, 'r');
  try {
    await handle.read(head, 0, head.length, 0);
  } finally {
    await handle.close();
  }
  for (const [magic, message] of NOT_CSV) {
    if (head.subarray(0, magic.length).equals(magic)) throw new UserError(`« ${path} » ${message}`);
  }
  const utf16Kind = head[0] === 0xff && head[1] === 0xfe ? 'le' : utf16Without(head);
  if (utf16Kind === 'be' || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new UserError(
      `« ${path} » est en UTF-16 gros-boutiste (big-endian), un encodage que recouvre ne lit pas.`,
      ['Réenregistrez-le en « CSV UTF-8 » (Excel, LibreOffice) ou réexportez-le depuis votre logiciel.'],
    );
  }
  // A Windows « Unicode » export without its byte-order mark: found by its zero bytes, or said so.
  const utf16 = utf16Kind === 'le' || forced === 'utf16le';
  if (!utf16 && head.includes(0)) {
    throw new UserError(
      `« ${path} » n'est pas un fichier texte (il contient des octets binaires) : importez un export CSV.`,
    );
  }

  const hash = createHash('sha256');
  let utf8 = true;
  let carry: Buffer = Buffer.alloc(0);
  const middle = new MiddleFinder(utf16 || stat.size < HALVES_FROM_BYTES ? null : Math.floor(stat.size / 2));
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    middle.scan(chunk);
    if (!utf8 || utf16) continue;
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const cut = completeCharacters(data);
    utf8 = isUtf8(data.subarray(0, cut));
    carry = Buffer.from(data.subarray(cut));
  }
  if (carry.length > 0) utf8 = false;
  if (!utf8 && !utf16 && forced === undefined) refuseMixedEncodings(path, head);
  const detected: Encoding = utf16 ? 'utf16le' : utf8 ? 'utf8' : singleByteEncoding(head);
  return {
    path,
    name: basename(path),
    size: stat.size,
    sha256: hash.digest('hex'),
    encoding: forced ?? detected,
    middle: middle.found,
    plainLines: middle.plainLines,
    crLfLines: middle.crLfOnly,
  };
}

/**
 * A file of CR LF lines with a few lines ending in a lone LF (a line edited by hand on another
 * system) is read with CR LF as the line end, so each lone LF joins two rows into one that is too
 * wide. When cutting that row at its lone line feeds gives rows of exactly the header's width,
 * those are the rows; otherwise null (the LF was inside a cell, the row is what it is).
 */
function loneLineFeedRows(cells: readonly string[], separator: string, width: number): string[][] | null {
  if (cells.length <= width) return null;
  const rows = cells
    .join(separator)
    .split(/(?<!\r)\n/)
    .map((line) => line.replace(/\r$/, '').split(separator));
  return rows.length > 1 && rows.every((row) => row.length === width) ? rows : null;
}

/**
 * UTF-16 without a byte-order mark, from the text's first bytes: ASCII characters are a byte and a
 * zero, in that order for little-endian ('le'), the other for big-endian ('be'); null when the
 * bytes do not look like UTF-16 text.
 */
function utf16Without(head: Buffer): 'le' | 'be' | null {
  const pairs = Math.floor(Math.min(head.length, 4096) / 2);
  if (pairs < 4) return null;
  let little = 0;
  let big = 0;
  for (let i = 0; i < pairs; i++) {
    const first = head[2 * i] as number;
    const second = head[2 * i + 1] as number;
    if (first !== 0 && second === 0) little++;
    else if (first === 0 && second !== 0) big++;
  }
  if (little >= pairs * 0.6) return 'le';
  if (big >= pairs * 0.6) return 'be';
  return null;
}

/**
 * A file that is not UTF-8 as a whole but has UTF-8 accents on some lines was put together from
 * two sources (a UTF-8 header pasted over a Windows-1252 export): read as either, some lines come
 * out garbled. Said with the lines, rather than as a missing column. `head`: the file's first bytes.
 */
function refuseMixedEncodings(path: string, head: Buffer): void {
  let utf8Line: { readonly line: number; readonly text: string } | null = null;
  let otherLine: number | null = null;
  let start = 0;
  for (let line = 1; start < head.length && (utf8Line === null || otherLine === null); line++) {
    const end = head.indexOf(0x0a, start);
    if (end < 0) break; // the last line may be cut in the middle of a character
    const bytes = head.subarray(start, end);
    start = end + 1;
    if (!bytes.some((b) => b >= 0x80)) continue;
    if (isUtf8(bytes)) utf8Line ??= { line, text: bytes.toString('utf8').trim() };
    else otherLine ??= line;
  }
  if (utf8Line === null) return;
  const snippet = utf8Line.text.length > 60 ? `${utf8Line.text.slice(0, 60)}…` : utf8Line.text;
  throw new UserError(
    `« ${path} » mélange deux encodages : la ligne ${utf8Line.line} est en UTF-8 (« ${snippet} »), ${
      otherLine === null ? 'des lignes plus loin ne le sont pas' : `la ligne ${otherLine} ne l'est pas`
    } (Windows-1252 ?) ; lu d'une seule façon, une partie des accents serait illisible.`,
    [
      'Réenregistrez le fichier en un seul encodage (dans Excel : « CSV UTF-8 »), ou réexportez-le depuis votre logiciel.',
      'Si tout le fichier est bien en Windows-1252, dites-le : --encodage windows-1252.',
    ],
  );
}

/**
 * Finds, while a file is read, the first line that starts after `half`, in a file with no quote.
 * In a file of CR LF lines, only a line feed right after a carriage return ends a row (a lone one
 * may sit inside a cell); a file whose first carriage return comes after its middle is not cut.
 */
class MiddleFinder {
  private read = 0;
  private breaks = 0;
  private quoted = false;
  private carriageReturns = false;
  /** Carriage returns were met before the middle was found: look for a CR LF. */
  private crLfLines = false;
  private previous = -1;
  private middle: FilePosition | null = null;
  /** Line feeds met before the first carriage return: the lines cannot all end with CR LF. */
  private lineFeedFirst = false;
  /** Carriage returns and line feeds counted, and a CR not followed by a LF met, once CRs came first. */
  private crs = 0;
  private lfs = 0;
  private loneCr = false;

  constructor(private readonly half: number | null) {}

  /** Every line ends with a CR LF; no other CR or LF (see `SourceFile.crLfLines`). */
  get crLfOnly(): boolean {
    return (
      !this.quoted && this.carriageReturns && !this.lineFeedFirst && !this.loneCr && this.crs === this.lfs
    );
  }

  /** Counts the CRs and LFs of a chunk of a file whose first line break is a CR. */
  private countLineEnds(chunk: Buffer, previous: number): void {
    if (previous === CARRIAGE_RETURN && chunk.length > 0 && chunk[0] !== NEWLINE) this.loneCr = true;
    for (let at = chunk.indexOf(CARRIAGE_RETURN); at !== -1; at = chunk.indexOf(CARRIAGE_RETURN, at + 1)) {
      this.crs++;
      if (at + 1 < chunk.length && chunk[at + 1] !== NEWLINE) this.loneCr = true;
    }
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) this.lfs++;
  }

  /** No quote and no carriage return: every line feed ends a row, no cell holds one. */
  get plainLines(): boolean {
    return !this.quoted && !this.carriageReturns;
  }

  get found(): FilePosition | null {
    if (this.quoted || this.carriageReturns !== this.crLfLines) return null;
    return this.middle;
  }

  scan(chunk: Buffer): void {
    if (this.quoted) return;
    if (chunk.includes(QUOTE)) {
      this.quoted = true;
      return;
    }
    const start = this.read;
    this.read += chunk.length;
    const previous = this.previous;
    this.previous = chunk.length > 0 ? (chunk[chunk.length - 1] as number) : previous;
    if (!this.carriageReturns) {
      const cr = chunk.indexOf(CARRIAGE_RETURN);
      if (cr !== -1) {
        this.carriageReturns = true;
        if (this.middle === null) this.crLfLines = true;
      }
      const lf = chunk.indexOf(NEWLINE);
      if (lf !== -1 && (cr === -1 || lf < cr)) this.lineFeedFirst = true;
    }
    if (this.carriageReturns && !this.lineFeedFirst && !this.loneCr) this.countLineEnds(chunk, previous);
    if (this.half === null || this.middle !== null) return;
    // Line feeds before the middle are counted, then the first one that ends a row after it.
    const before = Math.min(chunk.length, Math.max(0, this.half - start));
    let at = chunk.indexOf(NEWLINE);
    for (; at !== -1 && at < before; at = chunk.indexOf(NEWLINE, at + 1)) this.breaks++;
    if (this.read <= this.half) return;
    for (; at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) {
      this.breaks++;
      if (!this.crLfLines || (at > 0 ? chunk[at - 1] : previous) === CARRIAGE_RETURN) {
        this.middle = { offset: start + at + 1, line: this.breaks + 1 };
        return;
      }
    }
  }
}

const FRENCH_LETTERS = new Set('àâäéèêëîïôöùûüçÀÂÄÉÈÊËÎÏÔÖÙÛÜÇœŒ');
/** What a misread byte turns into: controls, box drawing, letters foreign to French text. */
const IMPLAUSIBLE = /[\u0080-\u009f\u2500-\u259fÚÞÓÒÕõþÝýÐðØøµ¶¤¦¬¯±²³¹º¼½¾×÷]/;

/**
 * Windows-1252 or CP850 (old DOS software, some EBP exports and FECs)? The same bytes are French
 * accents in one and box-drawing or punctuation in the other: the reading that gives more French
 * letters wins. `singleByteEncoding(iconv.encode('Étoile', 'cp850'))` → `'cp850'`.
 */
export function singleByteEncoding(head: Buffer): 'windows-1252' | 'cp850' {
  const score = (encoding: string) => {
    let total = 0;
    for (const char of iconv.decode(head, encoding)) {
      if (FRENCH_LETTERS.has(char)) total++;
      else if (IMPLAUSIBLE.test(char)) total -= 3;
    }
    return total;
  };
  return score('cp850') > score('win1252') ? 'cp850' : 'windows-1252';
}

/** Length of the prefix of `data` that ends on a UTF-8 character boundary. */
function completeCharacters(data: Buffer): number {
  const end = data.length;
  for (let back = 1; back <= 3 && back <= end; back++) {
    const byte = data[end - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? end - back : end;
  }
  return end;
}

/** A part of a file: from a line start to a byte offset (excluded), or to the end. */
export interface FilePart {
  readonly from: FilePosition;
  readonly to: number | null;
}

const WHOLE: FilePart = { from: { offset: 0, line: 1 }, to: null };

export function openText(source: SourceFile, part: FilePart = WHOLE): Readable {
  const bytes = {
    highWaterMark: 1 << 18,
    start: part.from.offset,
    ...(part.to === null ? {} : { end: part.to - 1 }),
  };
  if (source.encoding === 'windows-1252' || source.encoding === 'cp850') {
    return createReadStream(source.path, bytes).pipe(
      iconv.decodeStream(source.encoding === 'cp850' ? 'cp850' : 'win1252'),
    ) as unknown as Readable;
  }
  return createReadStream(source.path, { ...bytes, encoding: source.encoding });
}

/** The first `bytes` of the file as text, cut at the last complete line. */
export async function readSample(source: SourceFile, bytes = 256 * 1024): Promise<string> {
  let text = '';
  for await (const chunk of openText(source) as AsyncIterable<string>) {
    text += chunk;
    if (text.length >= bytes) break;
  }
  text = text.replace(/^\ufeff/, '');
  if (text.length >= bytes) {
    const lastBreak = text.lastIndexOf('\n');
    if (lastBreak > 0) text = text.slice(0, lastBreak + 1);
  }
  return text;
}

export const SEPARATORS = [';', '\t', ',', '|'] as const;

/** Parses a sample with a given separator (first `preview` rows). */
export function parseSample(text: string, separator: string, preview = 50): string[][] {
  return Papa.parse<string[]>(text, { delimiter: separator, preview, skipEmptyLines: false }).data;
}

/** papaparse's own guess among the usual separators, for files whose headers say nothing. */
export function guessSeparator(text: string): string {
  const guess = Papa.parse<string[]>(text, { preview: 10, delimitersToGuess: [...SEPARATORS] }).meta
    .delimiter;
  return guess || ';';
}

/**
 * Whether the rows of a file can be read as lines of bytes (`readPlainLines`): plain lines or CR LF
 * lines (no quote, every line break ends a row), in an encoding where line breaks and separators
 * are single bytes that no other character contains.
 */
export function readsAsBytes(source: SourceFile, separator: string): boolean {
  return (
    (source.plainLines || source.crLfLines) &&
    source.encoding !== 'utf16le' &&
    separator.length === 1 &&
    separator < '\x80'
  );
}

/**
 * Reads a file of plain or CR LF lines (or a part of it) a line at a time, as bytes, without
 * decoding it (`onLine` gets the line at [start, end) of a buffer it must not keep):
 * a re-import tells most lines by their fingerprint alone, and decodes only the others
 * (`decodeLine`). Synchronous: for a reading thread. The same rows as `streamRows`, since a line
 * feed always ends a row in such a file.
 */
export function readPlainLines(
  source: SourceFile,
  part: FilePart,
  onLine: (bytes: Buffer, start: number, end: number, line: number) => void,
): void {
  // In a file of CR LF lines, the CR is no part of the line.
  const ending = source.plainLines ? 0 : 1;
  const fd = openSync(source.path, 'r');
  try {
    let buffer = Buffer.allocUnsafe(1 << 20);
    let position = part.from.offset;
    let line = part.from.line;
    /** Bytes of an unfinished line kept at the start of the buffer. */
    let kept = 0;
    for (;;) {
      const room = buffer.length - kept;
      const want = part.to === null ? room : Math.min(room, part.to - position);
      const read = want > 0 ? readSync(fd, buffer, kept, want, position) : 0;
      position += read;
      const end = kept + read;
      let start = 0;
      for (let at = buffer.indexOf(NEWLINE, 0); at !== -1 && at < end; at = buffer.indexOf(NEWLINE, start)) {
        onLine(buffer, start, at - ending, line++);
        start = at + 1;
      }
      if (read === 0) {
        if (start < end) onLine(buffer, start, end, line);
        return;
      }
      kept = end - start;
      if (start === 0 && kept === buffer.length) {
        // A line longer than the buffer: a larger one.
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, kept);
        buffer = larger;
      } else {
        buffer.copy(buffer, 0, start, end);
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** The text of a line read as bytes, in the file's encoding. */
export function decodeLine(encoding: Encoding, bytes: Buffer, start: number, end: number): string {
  if (encoding === 'utf8') return bytes.toString('utf8', start, end);
  return iconv.decode(bytes.subarray(start, end), encoding === 'cp850' ? 'cp850' : 'win1252');
}

export interface RawRow {
  readonly cells: string[];
  /** Line of the file where the row starts (1 = first line). */
  readonly line: number;
  /** A problem found by the CSV reader itself (unclosed quote…). */
  readonly problem: string | null;
}

/**
 * Streams the rows of a CSV file (or of a part of it) to `onRow`, synchronously per row, with the
 * line where each row starts (quoted fields may span lines). Memory stays flat: nothing but the
 * current chunk is held.
 */
export function streamRows(
  source: SourceFile,
  separator: string,
  onRow: (row: RawRow) => void,
  part: FilePart = WHOLE,
  /** The header's count of cells: a row of CR LF lines with a lone LF is split when that fits. */
  width?: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let line = part.from.line;
    let first = part.from.offset === 0;
    let failure: unknown = null;
    Papa.parse<string[]>(openText(source, part) as unknown as File, {
      delimiter: separator,
      skipEmptyLines: false,
      // A chunk at a time rather than a row at a time: papaparse builds a result per call.
      chunk: (results, parser) => {
        const rows = results.data;
        if (first && rows.length > 0) {
          first = false;
          const head = rows[0] as string[];
          if (head[0]?.startsWith('\ufeff')) head[0] = head[0].slice(1);
        }
        let problems: Map<number, string> | null = null;
        for (const error of results.errors) {
          const problem =
            error.code === 'MissingQuotes'
              ? 'guillemet ouvrant jamais fermé (")'
              : error.code === 'InvalidQuotes'
                ? 'guillemet mal placé dans un champ entre guillemets'
                : null;
          if (problem !== null && error.row !== undefined) {
            problems ??= new Map();
            problems.set(error.row, problem);
          }
        }
        try {
          for (let at = 0; at < rows.length; at++) {
            const cells = rows[at] as string[];
            const startLine = line;
            let breaks = 0;
            // Only a quoted cell may hold a line break (or a lone one, in a file of CR LF lines).
            if (!source.plainLines) {
              for (const cell of cells) {
                let newline = cell.indexOf('\n');
                while (newline !== -1) {
                  breaks++;
                  newline = cell.indexOf('\n', newline + 1);
                }
              }
            }
            line += 1 + breaks;
            const pieces =
              breaks > 0 && width !== undefined ? loneLineFeedRows(cells, separator, width) : null;
            if (pieces) {
              for (const [i, piece] of pieces.entries())
                onRow({ cells: piece, line: startLine + i, problem: null });
            } else onRow({ cells, line: startLine, problem: problems?.get(at) ?? null });
          }
        } catch (error) {
          failure = error;
          parser.abort();
        }
      },
      complete: () => (failure ? reject(failure) : resolve()),
      error: (error: Error) => reject(error),
    });
  });
}
