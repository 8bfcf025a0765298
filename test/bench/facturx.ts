import { createWriteStream } from 'node:fs';
import PDFDocument from 'pdfkit';

/**
 * Writes a Factur-X PDF as invoicing software does: a PDF/A-3 page with the invoice's CII XML
 * embedded as `factur-x.xml` (relationship Data). `pdfa: false` leaves out the PDF/A declaration,
 * `attachment: null` the XML: the two ways a PDF can fail to be a Factur-X.
 */
export function writeFacturX(
  path: string,
  xml: string | null,
  options: { readonly pdfa?: boolean; readonly attachment?: string; readonly title?: string } = {},
): Promise<void> {
  const doc = new PDFDocument({
    pdfVersion: '1.7',
    ...(options.pdfa === false ? {} : { subset: 'PDF/A-3b' as const }),
    info: { Title: options.title ?? 'Facture', Producer: 'recouvre tests' },
  });
  const done = new Promise<void>((resolve, reject) => {
    const out = createWriteStream(path);
    out.on('finish', resolve);
    out.on('error', reject);
    doc.pipe(out);
  });
  doc.fontSize(14).text(options.title ?? 'Facture');
  if (xml !== null) {
    doc.file(Buffer.from(xml, 'utf8'), {
      name: options.attachment ?? 'factur-x.xml',
      type: 'text/xml',
      description: 'Factur-X invoice',
      relationship: 'Data',
    } as Parameters<PDFKit.PDFDocument['file']>[1]);
  }
  doc.end();
  return done;
}
