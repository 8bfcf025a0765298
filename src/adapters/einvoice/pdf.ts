/**
 * The XML of a Factur-X (or ZUGFeRD) PDF: a PDF/A-3 whose embedded files include the invoice as
 * CII. pdf.js (through unpdf) walks the embedded files' name tree (with its /Kids), reads the XMP
 * metadata for the PDF/A part, and repairs a damaged cross-reference table, all maintained by
 * Mozilla. pdf-lib (unmaintained since 2021) is no faster overall: with hand-written lookups it took
 * 0.7 ms against 1.3 ms on a one-page PDF, but 6.4 ms against 3.1 ms on mustangproject's ZUGFeRD
 * sample, and leaves the name tree and the XMP to parse ourselves.
 */

export type PdfRead =
  | { readonly ok: true; readonly xml: string; readonly attachment: string; readonly profile: string | null }
  | { readonly ok: false; readonly problem: string };

/** Names the Factur-X, ZUGFeRD and XRechnung specifications give the invoice's XML. */
const INVOICE_NAMES = ['factur-x.xml', 'zugferd-invoice.xml', 'xrechnung.xml', 'order-x.xml'];

type Unpdf = typeof import('unpdf');
let unpdf: Promise<Unpdf> | null = null;

export async function readFacturXPdf(bytes: Uint8Array): Promise<PdfRead> {
  unpdf ??= import('unpdf');
  const { getDocumentProxy } = await unpdf;
  let pdf: Awaited<ReturnType<Unpdf['getDocumentProxy']>>;
  try {
    // pdf.js takes the buffer over: give it a copy, the caller may still hash it.
    pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0, isEvalSupported: false });
  } catch (error) {
    return { ok: false, problem: `PDF illisible (${(error as Error).message})` };
  }
  try {
    const attachments = ((await pdf.getAttachments()) ?? {}) as Record<
      string,
      { filename: string; content: Uint8Array }
    >;
    const files = Object.values(attachments);
    const xmlFiles = files.filter((f) => f.filename.toLowerCase().endsWith('.xml'));
    const named = files.find((f) => INVOICE_NAMES.includes(f.filename.toLowerCase()));
    const chosen = named ?? (xmlFiles.length === 1 ? xmlFiles[0] : undefined);
    if (chosen === undefined) {
      return {
        ok: false,
        problem:
          files.length === 0
            ? "PDF sans facture électronique : aucun fichier XML joint (factur-x.xml). C'est un PDF ordinaire ; importez plutôt l'export de votre logiciel de facturation."
            : `PDF sans facture électronique : ses pièces jointes (${files.map((f) => f.filename).join(', ')}) ne comprennent pas de factur-x.xml`,
      };
    }
    const { metadata } = await pdf.getMetadata();
    const part = metadata?.get('pdfaid:part') ?? null;
    if (part === null || Number(part) < 3) {
      return {
        ok: false,
        problem: `PDF avec ${chosen.filename} joint, mais qui n'est pas un PDF/A-3 (${part === null ? 'aucune déclaration PDF/A dans ses métadonnées XMP' : `PDF/A-${part}`}) : ce n'est pas une Factur-X valable ; demandez le fichier d'origine à votre plateforme ou votre logiciel.`,
      };
    }
    const profile = metadata?.get('fx:ConformanceLevel') ?? metadata?.get('zf:ConformanceLevel') ?? null;
    return {
      ok: true,
      xml: new TextDecoder('utf-8').decode(chosen.content),
      attachment: chosen.filename,
      profile: profile === null ? null : String(profile),
    };
  } finally {
    await pdf.destroy();
  }
}
