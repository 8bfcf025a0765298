import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { EInvoice, EInvoiceSyntax } from '../../domain/einvoice.js';
import { readFacturXPdf } from './pdf.js';
import { readInvoiceXml } from './xml.js';

export type EInvoiceKind = 'pdf' | 'xml';

/** What a file is, from its first bytes: `%PDF-`, or `<` after a byte-order mark and blanks. */
export function sniffEInvoice(head: Uint8Array): EInvoiceKind | null {
  const text = Buffer.from(head).toString('latin1');
  if (text.slice(0, 1024).includes('%PDF-')) return 'pdf';
  const start = text.replace(/^\xef\xbb\xbf/, '').trimStart();
  // An XML document opens with its declaration, a comment or an element: a damaged CSV whose
  // first character happens to be « < » is not one.
  return /^<(\?xml|!--|[A-Za-z_][\w.:-]*[\s>/])/.test(start) ? 'xml' : null;
}

export function sniffFile(path: string): EInvoiceKind | null {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(1024);
    const read = readSync(fd, head, 0, head.length, 0);
    return sniffEInvoice(head.subarray(0, read));
  } finally {
    closeSync(fd);
  }
}

/** The files of a folder, recursively, in name order; hidden files and folders are left out. */
export function folderFiles(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) found.push(path);
    }
  };
  walk(folder);
  return found;
}

export type EInvoiceFile =
  | {
      readonly ok: true;
      readonly path: string;
      readonly sha256: string;
      readonly syntax: EInvoiceSyntax;
      readonly invoice: EInvoice;
    }
  | { readonly ok: false; readonly path: string; readonly problem: string };

/** Reads one file as an e-invoice: a Factur-X PDF or a CII/UBL XML, told apart by content. */
export async function readEInvoiceFile(path: string): Promise<EInvoiceFile> {
  const bytes = readFileSync(path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const kind = sniffEInvoice(bytes.subarray(0, 1024));
  if (kind === null)
    return { ok: false, path, problem: "ni PDF ni XML : ce n'est pas une facture électronique" };
  let xml: string;
  let facturX = false;
  if (kind === 'pdf') {
    const pdf = await readFacturXPdf(bytes);
    if (!pdf.ok) return { ok: false, path, problem: pdf.problem };
    xml = pdf.xml;
    facturX = true;
  } else {
    try {
      xml = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { ok: false, path, problem: "XML qui n'est pas en UTF-8 (EN 16931 l'exige)" };
    }
  }
  const read = readInvoiceXml(xml);
  if (!read.ok) return { ok: false, path, problem: facturX ? `XML joint : ${read.problem}` : read.problem };
  return {
    ok: true,
    path,
    sha256,
    syntax: facturX && read.invoice.syntax === 'CII' ? 'Factur-X' : read.invoice.syntax,
    invoice: read.invoice,
  };
}

/** The files an argument names: itself, or every file of the folder. */
export function sourceFiles(path: string): { files: string[]; folder: boolean } {
  if (statSync(path).isDirectory()) return { files: folderFiles(path), folder: true };
  return { files: [path], folder: false };
}
