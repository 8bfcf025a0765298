import { readFileSync } from 'node:fs';
import { extractText, getDocumentProxy } from 'unpdf';
import { plain } from './cli.js';

/** The text of a PDF (a file or its bytes) as a reader compares it, pages merged. */
export async function pdfText(source: string | Buffer): Promise<string> {
  const bytes = typeof source === 'string' ? readFileSync(source) : source;
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return plain(text as string);
}

/** The lines of a PDF's text. */
export async function pdfLines(source: string | Buffer): Promise<string[]> {
  return (await pdfText(source)).split('\n');
}
