import { createWriteStream, mkdirSync } from 'node:fs';
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

/**
 * `count` Factur-X PDFs in `folder`, 100 a sub-folder, from the fixture invoice: each its number,
 * one of 500 buyers (by SIREN), its amount and its due date.
 */
export async function generateFacturX(folder: string, template: string, count: number): Promise<void> {
  for (let k = 1; k <= count; k++) {
    const sub = `${folder}/${String(Math.floor((k - 1) / 100)).padStart(3, '0')}`;
    if ((k - 1) % 100 === 0) mkdirSync(sub, { recursive: true });
    const buyer = String(100_000_000 + (k % 500)).slice(0, 9);
    const cents = 10_000 + ((k * 7919) % 500_000);
    const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
    const day = String(1 + (k % 28)).padStart(2, '0');
    const xml = template
      .replace('<ram:ID>F2026-101</ram:ID>', `<ram:ID>FX2026-${String(k).padStart(6, '0')}</ram:ID>`)
      .replace('55203253400017', `${buyer}00017`)
      .replace('<ram:Name>Boulangerie Martin</ram:Name>', `<ram:Name>Client ${buyer}</ram:Name>`)
      .replace('<ram:ID>C042</ram:ID>', '')
      .replace(/<ram:GrandTotalAmount>[^<]*/, `<ram:GrandTotalAmount>${amount}`)
      .replace(/<ram:TotalPrepaidAmount>[^<]*/, '<ram:TotalPrepaidAmount>0.00')
      .replace(/<ram:DuePayableAmount>[^<]*/, `<ram:DuePayableAmount>${amount}`)
      .replace('20261015', `202610${day}`);
    await writeFacturX(`${sub}/FX2026-${String(k).padStart(6, '0')}.pdf`, xml, { title: `Facture ${k}` });
  }
}
