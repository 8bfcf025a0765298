import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream, type Stats, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
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
}

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

/**
 * Checks that `path` is a readable, non-empty text file, then reads it once to hash it and tell
 * UTF-8 (with or without BOM) from Windows-1252. The whole file is scanned because an accented
 * byte may first appear on the millionth line.
 */
export async function inspectSource(path: string, forced?: Encoding): Promise<SourceFile> {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    throw new UserError(`fichier introuvable : « ${path} ».`, ['Vérifiez le nom et le dossier du fichier.']);
  }
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
  const utf16 = head[0] === 0xff && head[1] === 0xfe;
  if (!utf16 && head.includes(0)) {
    throw new UserError(
      `« ${path} » n'est pas un fichier texte (il contient des octets binaires) : importez un export CSV.`,
    );
  }

  const hash = createHash('sha256');
  let utf8 = true;
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    if (!utf8 || utf16) continue;
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const cut = completeCharacters(data);
    utf8 = isUtf8(data.subarray(0, cut));
    carry = Buffer.from(data.subarray(cut));
  }
  if (carry.length > 0) utf8 = false;
  const detected: Encoding = utf16 ? 'utf16le' : utf8 ? 'utf8' : singleByteEncoding(head);
  return {
    path,
    name: basename(path),
    size: stat.size,
    sha256: hash.digest('hex'),
    encoding: forced ?? detected,
  };
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

export function openText(source: SourceFile): Readable {
  if (source.encoding === 'windows-1252' || source.encoding === 'cp850') {
    return createReadStream(source.path, { highWaterMark: 1 << 20 }).pipe(
      iconv.decodeStream(source.encoding === 'cp850' ? 'cp850' : 'win1252'),
    ) as unknown as Readable;
  }
  return createReadStream(source.path, { encoding: source.encoding, highWaterMark: 1 << 20 });
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

export interface RawRow {
  readonly cells: string[];
  /** Line of the file where the row starts (1 = first line). */
  readonly line: number;
  /** A problem found by the CSV reader itself (unclosed quote…). */
  readonly problem: string | null;
}

/**
 * Streams the rows of a CSV file to `onRow`, synchronously per row, with the line where each row
 * starts (quoted fields may span lines). Memory stays flat: nothing but the current chunk is held.
 */
export function streamRows(
  source: SourceFile,
  separator: string,
  onRow: (row: RawRow) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let line = 1;
    let first = true;
    let failure: unknown = null;
    Papa.parse<string[]>(openText(source) as unknown as File, {
      delimiter: separator,
      skipEmptyLines: false,
      step: (results, parser) => {
        const cells = results.data;
        if (first) {
          first = false;
          if (cells[0]?.startsWith('\ufeff')) cells[0] = cells[0].slice(1);
        }
        let problem: string | null = null;
        for (const error of results.errors) {
          if (error.code === 'MissingQuotes') problem = 'guillemet ouvrant jamais fermé (")';
          else if (error.code === 'InvalidQuotes')
            problem = 'guillemet mal placé dans un champ entre guillemets';
        }
        const startLine = line;
        let breaks = 0;
        for (const cell of cells) {
          let at = cell.indexOf('\n');
          while (at !== -1) {
            breaks++;
            at = cell.indexOf('\n', at + 1);
          }
        }
        line += 1 + breaks;
        try {
          onRow({ cells, line: startLine, problem });
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
