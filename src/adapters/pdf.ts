import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import type { DocumentView } from '../domain/document-view.js';
import { agedChart, type ChartGeometry, trendChart } from '../domain/report-charts.js';
import { type Cell, displayCell, isNumeric, type ReportView } from '../domain/report-view.js';

/**
 * The PDF documents: letters (mise en demeure, and reminders by post for clients without an
 * e-mail) and the claim file for litigation. pdfkit's standard Helvetica covers French accents,
 * € and the no-break space of amounts; the narrow one (U+202F) it does not, hence formatEuros.
 */

const MM = 72 / 25.4;
const PAGE = { width: 210 * MM, height: 297 * MM };
const MARGIN = 20 * MM;
const CONTENT = PAGE.width - 2 * MARGIN;
/** French window envelopes (DL, C5/6) show the address 110 mm from the left and 50 mm from the top. */
const WINDOW = { x: 110 * MM, y: 50 * MM, width: 85 * MM };
const GREY = '#555555';
const LINE = '#c8ccd2';

type Doc = PDFKit.PDFDocument;

function newDocument(title: string, author: string, date: IsoDate): Doc {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + 8 * MM, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: {
      Title: title,
      Author: author,
      Creator: 'recouvre',
      // The run's date, not the clock: the same run gives the same document.
      CreationDate: new Date(`${date}T12:00:00Z`),
    },
  });
  doc.font('Helvetica').fontSize(10.5).fillColor('black');
  return doc;
}

function toBuffer(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

/** "Raison sociale – SIREN … – page 1 / 2" at the foot of every page. */
function footers(doc: Doc, text: string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('Helvetica')
      .fontSize(8)
      .fillColor(GREY)
      .text(`${text} – page ${i + 1} / ${range.count}`, MARGIN, PAGE.height - MARGIN, {
        width: CONTENT,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
  }
}

function creditorBlock(doc: Doc, view: DocumentView): void {
  const c = view.creancier;
  doc
    .font('Helvetica-Bold')
    .fontSize(12)
    .fillColor('black')
    .text(c.raison_sociale, MARGIN, MARGIN, { width: 80 * MM });
  doc.font('Helvetica').fontSize(9.5).fillColor(GREY);
  for (const line of c.adresse) doc.text(line, { width: 80 * MM });
  doc.text(`SIREN ${c.siren}`);
  if (c.telephone) doc.text(`Tél. ${c.telephone}`);
  doc.text(c.email);
  doc.fillColor('black');
}

function recipientBlock(doc: Doc, view: DocumentView, registered: boolean): void {
  let y = WINDOW.y;
  if (registered) {
    // One line, never wrapped: at 9 pt the mention is wider than the envelope's window.
    const mention = 'LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION';
    doc.font('Helvetica-Bold').fontSize(9);
    doc
      .fontSize(Math.min(9, (9 * WINDOW.width) / doc.widthOfString(mention)))
      .text(mention, WINDOW.x, y - 14 * MM, { width: WINDOW.width, lineBreak: false });
  }
  doc.font('Helvetica-Bold').fontSize(11).text(view.client.nom, WINDOW.x, y, { width: WINDOW.width });
  doc.font('Helvetica').fontSize(11);
  y = doc.y;
  for (const line of view.client.adresse) doc.text(line, WINDOW.x, doc.y, { width: WINDOW.width });
  if (view.client.adresse.length === 0) {
    doc
      .fillColor('#b00020')
      .text('(adresse postale inconnue : à compléter)', WINDOW.x, y, { width: WINDOW.width });
    doc.fillColor('black');
  }
}

interface Column {
  readonly title: string;
  readonly width: number;
  readonly align: 'left' | 'right';
}

/**
 * A table whose cells wrap inside their column, never cut: a client's name or a long header takes
 * the lines it needs, and the row grows to its tallest cell.
 */
function table(
  doc: Doc,
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  options: { readonly fontSize?: number; readonly boldLast?: boolean } = {},
): void {
  const size = options.fontSize ?? 9.5;
  const padding = 5.5;
  const rowHeight = (cells: readonly string[]) =>
    Math.max(
      size + padding,
      ...cells.map((cell, i) => doc.heightOfString(cell, { width: columns[i]!.width - 6 }) + padding),
    );
  const cellsAt = (cells: readonly string[], y: number) => {
    let x = MARGIN;
    cells.forEach((cell, i) => {
      const column = columns[i]!;
      doc.text(cell, x + 3, y + 1, { width: column.width - 6, align: column.align });
      x += column.width;
    });
  };
  const titles = columns.map((column) => column.title);
  const header = () => {
    const y = doc.y;
    doc.font('Helvetica-Bold').fontSize(size - 0.5);
    const height = rowHeight(titles);
    doc
      .rect(MARGIN, y - 3, CONTENT, height)
      .fill('#eef0f3')
      .fillColor('black');
    cellsAt(titles, y);
    doc.y = y + height;
  };
  header();
  rows.forEach((row, r) => {
    const font = options.boldLast && r === rows.length - 1 ? 'Helvetica-Bold' : 'Helvetica';
    doc.font(font).fontSize(size);
    const height = rowHeight(row);
    if (doc.y + height > PAGE.height - doc.page.margins.bottom) {
      doc.addPage();
      header();
      doc.font(font).fontSize(size);
    }
    const y = doc.y;
    cellsAt(row, y);
    doc
      .moveTo(MARGIN, y + height - 3)
      .lineTo(MARGIN + CONTENT, y + height - 3)
      .strokeColor(LINE)
      .lineWidth(0.5)
      .stroke();
    doc.y = y + height;
  });
  doc.x = MARGIN;
}

/** Label and amount lines under a table, right-aligned. */
function totals(doc: Doc, lines: readonly (readonly [string, string, boolean])[]): void {
  doc.moveDown(0.4);
  for (const [label, amount, bold] of lines) {
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(bold ? 10.5 : 9.5);
    doc.text(label, MARGIN, y, { width: CONTENT - 35 * MM, align: 'right' });
    doc.text(amount, MARGIN + CONTENT - 33 * MM, y, { width: 33 * MM, align: 'right' });
    doc.y = Math.max(doc.y, y + 13);
  }
  doc.font('Helvetica').fontSize(10.5);
  doc.x = MARGIN;
}

function invoiceTable(doc: Doc, view: DocumentView): void {
  const w = CONTENT;
  // Invoices paid late: nothing of their principal is claimed, only what their delay made due.
  const paidLate = view.etape === 'penalites';
  table(
    doc,
    paidLate
      ? [
          { title: 'Facture', width: w * 0.18, align: 'left' },
          { title: 'Montant TTC', width: w * 0.17, align: 'right' },
          { title: 'Échéance', width: w * 0.14, align: 'left' },
          { title: 'Réglée le', width: w * 0.14, align: 'left' },
          { title: 'Retard', width: w * 0.11, align: 'right' },
          { title: 'Pénalités', width: w * 0.13, align: 'right' },
          { title: 'Indemnité', width: w * 0.13, align: 'right' },
        ]
      : [
          { title: 'Facture', width: w * 0.2, align: 'left' },
          { title: 'Date', width: w * 0.14, align: 'left' },
          { title: 'Échéance', width: w * 0.14, align: 'left' },
          { title: 'Montant TTC', width: w * 0.18, align: 'right' },
          { title: 'Réglé', width: w * 0.16, align: 'right' },
          { title: 'Reste dû', width: w * 0.18, align: 'right' },
        ],
    view.factures.map((f) =>
      paidLate
        ? [f.numero, f.montant, f.echeance, f.reglee_le, `${f.jours_retard} j`, f.penalites, f.indemnite]
        : [f.numero, f.date, f.echeance, f.montant, f.regle, f.reste_du],
    ),
  );
  const lines: [string, string, boolean][] = [];
  for (const avoir of view.avoirs) lines.push([`Avoir ${avoir.numero} déduit`, `-${avoir.montant}`, false]);
  if (!view.penalites_reclamees) {
    lines.push(['Total restant dû', view.total_du, true]);
    totals(doc, lines);
    return;
  }
  if (!paidLate) lines.push(['Principal restant dû', view.total_reclame, false]);
  const detailed = view.factures.some((f) => f.periodes.length > 0);
  if (view.a_des_penalites)
    lines.push([
      `Pénalités de retard ${paidLate ? 'jusqu’au règlement' : `au ${view.date}`}${detailed ? ' (détail en annexe)' : ''}`,
      view.total_penalites,
      false,
    ]);
  if (view.a_des_indemnites) {
    lines.push([
      'Indemnités forfaitaires pour frais de recouvrement (40,00 € par facture)',
      view.total_indemnites,
      false,
    ]);
  }
  lines.push(['Total réclamé', view.total_du, true]);
  totals(doc, lines);
}

/**
 * The claim's detail, invoice by invoice: each period of interest with its dates, base, rate, days
 * and amount, then the indemnity; the lines add up to the totals of the letter.
 */
function penaltyDetail(doc: Doc, view: DocumentView, title: string): void {
  const periods = view.factures.flatMap((f) =>
    f.periodes.map((p) => [
      f.numero,
      `${p.du} – ${p.au}`,
      String(p.jours),
      p.base,
      `${p.taux}${p.estime ? ' (estimé)' : ''}`,
      p.montant,
    ]),
  );
  const indemnities = view.factures
    .filter((f) => f.indemnite_centimes > 0)
    .map((f) => [f.numero, f.echeance, f.indemnite]);
  if (periods.length === 0 && indemnities.length === 0) return;
  if (doc.y + 80 > PAGE.height - doc.page.margins.bottom) doc.addPage();
  doc.moveDown(1).font('Helvetica-Bold').fontSize(11).text(title, MARGIN, doc.y, { width: CONTENT });
  const w = CONTENT;
  if (periods.length > 0) {
    doc
      .moveDown(0.2)
      .font('Helvetica')
      .fontSize(9)
      .fillColor(GREY)
      .text(view.mode_calcul_penalites, MARGIN, doc.y, { width: CONTENT });
    doc.fillColor('black').moveDown(0.5);
    table(
      doc,
      [
        { title: 'Facture', width: w * 0.17, align: 'left' },
        { title: 'Période', width: w * 0.3, align: 'left' },
        { title: 'Jours', width: w * 0.08, align: 'right' },
        { title: 'Base', width: w * 0.16, align: 'right' },
        { title: 'Taux annuel', width: w * 0.14, align: 'right' },
        { title: 'Intérêts', width: w * 0.15, align: 'right' },
      ],
      periods,
      { fontSize: 8.5 },
    );
    totals(doc, [['Total des pénalités de retard', view.total_penalites, true]]);
  }
  if (indemnities.length > 0) {
    doc.moveDown(0.8);
    table(
      doc,
      [
        { title: 'Facture', width: w * 0.3, align: 'left' },
        { title: 'Échéance', width: w * 0.3, align: 'left' },
        { title: 'Indemnité forfaitaire (art. D441-5 C. com.)', width: w * 0.4, align: 'right' },
      ],
      indemnities,
      { fontSize: 8.5 },
    );
    totals(doc, [['Total des indemnités forfaitaires', view.total_indemnites, true]]);
  }
}

/**
 * The EPC069-12 payload of a SEPA credit transfer QR code ("QR code de virement"), or null when
 * it cannot be made (no IBAN, not euros, amount out of range).
 * `epcPayload('BNPAFRPPXXX', 'Dupont SARL', 'FR76…', 123456, 'F1 F2')` → "BCD\n002\n1\nSCT\n…".
 */
export function epcPayload(
  bic: string,
  name: string,
  iban: string,
  cents: number,
  reference: string,
): string | null {
  if (!iban || cents <= 0 || cents > 99_999_999_999) return null;
  const clean = (text: string, max: number) => text.replace(/[\r\n]+/g, ' ').slice(0, max);
  const amount = `EUR${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  const payload = [
    'BCD',
    '002',
    '1',
    'SCT',
    clean(bic, 11),
    clean(name, 70),
    iban.replace(/\s+/g, ''),
    amount,
    '',
    '',
    clean(reference, 140),
  ].join('\n');
  return Buffer.byteLength(payload, 'utf8') <= 331 ? payload : null;
}

function qrCode(doc: Doc, payload: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(payload, { errorCorrectionLevel: 'M' });
  const cell = size / modules.size;
  doc.save().fillColor('black');
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (modules.get(row, col)) doc.rect(x + col * cell, y + row * cell, cell, cell);
    }
  }
  doc.fill().restore();
}

/** Paragraphs of a rendered letter body; a line `[[factures]]` marks where the table goes. */
function bodyParts(body: string): { before: string[]; after: string[] } {
  const paragraphs = (text: string) =>
    text
      .split(/\n\s*\n/)
      .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
      .filter((p) => p !== '');
  const [before = '', after = ''] = body.split(/^\s*\[\[factures\]\]\s*$/m);
  return { before: paragraphs(before), after: paragraphs(after) };
}

export interface LetterInput {
  readonly view: DocumentView;
  readonly subject: string;
  readonly body: string;
  /** A mise en demeure goes by registered post: the letter says so. */
  readonly registered: boolean;
  readonly date: IsoDate;
  readonly currency: string;
  readonly totalCents: number;
}

/** A letter to the debtor, as a PDF to print, sign and post. */
export function renderLetter(input: LetterInput): Promise<Buffer> {
  const { view } = input;
  const doc = newDocument(`${input.subject} – ${view.client.nom}`, view.creancier.raison_sociale, input.date);
  creditorBlock(doc, view);
  recipientBlock(doc, view, input.registered);
  // The transfer QR code sits in the left column, beside the address window, where a letter is blank.
  const payload =
    input.currency === 'EUR'
      ? epcPayload(
          view.creancier.bic,
          view.creancier.raison_sociale,
          view.creancier.iban,
          input.totalCents,
          view.reference_paiement,
        )
      : null;
  if (payload) {
    const qrTop = 50 * MM;
    qrCode(doc, payload, MARGIN, qrTop, 26 * MM);
    doc
      .font('Helvetica')
      .fontSize(7.5)
      .fillColor(GREY)
      .text('Pour payer par virement, scannez avec l’application de votre banque.', MARGIN, qrTop + 27 * MM, {
        width: 45 * MM,
      })
      .fillColor('black');
  }

  doc.font('Helvetica').fontSize(10).fillColor('black');
  doc.text(`Le ${view.date_longue}`, WINDOW.x, 84 * MM, { width: WINDOW.width });
  doc.x = MARGIN;
  doc.y = 94 * MM;
  doc.font('Helvetica-Bold').text(`Objet : ${input.subject}`, MARGIN, doc.y, { width: CONTENT });
  doc
    .font('Helvetica')
    .fontSize(9.5)
    .fillColor(GREY)
    .text(`Vos références : client ${view.client.code} – ${view.factures.map((f) => f.numero).join(', ')}`, {
      width: CONTENT,
    });
  doc.fillColor('black').fontSize(10.5).moveDown(1.2);

  const { before, after } = bodyParts(input.body);
  const paragraph = (text: string) =>
    doc.text(text, MARGIN, doc.y, { width: CONTENT, align: 'justify' }).moveDown(0.7);
  for (const p of before) paragraph(p);
  invoiceTable(doc, view);
  doc.moveDown(0.6);
  for (const p of after) paragraph(p);

  // Signature, kept with the last paragraph.
  if (doc.y + 18 * MM > PAGE.height - doc.page.margins.bottom) doc.addPage();
  const top = doc.y + 4;
  doc.fillColor('black').fontSize(10);
  doc.text(view.creancier.signataire || 'La direction', WINDOW.x, top, { width: WINDOW.width });
  doc.font('Helvetica-Bold').text(view.creancier.raison_sociale, WINDOW.x, doc.y, { width: WINDOW.width });
  doc.font('Helvetica');
  if (view.penalites_reclamees && view.factures.some((f) => f.periodes.length > 0)) {
    doc.addPage();
    penaltyDetail(doc, view, 'Annexe : décompte des pénalités de retard');
  }
  footers(doc, `${view.creancier.raison_sociale} – SIREN ${view.creancier.siren}`);
  return toBuffer(doc);
}

export interface ClaimFileInput {
  readonly view: DocumentView;
  readonly date: IsoDate;
  readonly payments: readonly {
    readonly number: string;
    readonly date: string;
    readonly amount: string;
    readonly source: string;
  }[];
  readonly history: readonly {
    readonly date: string;
    readonly step: string;
    readonly channel: string;
    /** Done for sure, in writing: evidence of the reminders. The rest is listed apart. */
    readonly done: boolean;
    readonly status: string;
    readonly messageId: string | null;
    readonly document: string | null;
  }[];
  /** Which procedure fits, in a few paragraphs (from the domain). */
  readonly procedure: readonly string[];
}

/** The claim file handed to a commissaire de justice, or used to file an injonction de payer. */
export function renderClaimFile(input: ClaimFileInput): Promise<Buffer> {
  const { view } = input;
  const doc = newDocument(
    `Dossier de recouvrement – ${view.client.nom}`,
    view.creancier.raison_sociale,
    input.date,
  );
  const heading = (text: string) => {
    if (doc.y + 40 > PAGE.height - doc.page.margins.bottom) doc.addPage();
    doc
      .moveDown(0.8)
      .font('Helvetica-Bold')
      .fontSize(12)
      .fillColor('black')
      .text(text, MARGIN, doc.y, { width: CONTENT });
    doc.moveDown(0.3).font('Helvetica').fontSize(10);
  };
  doc.font('Helvetica-Bold').fontSize(16).text('Dossier de recouvrement', MARGIN, MARGIN, { width: CONTENT });
  doc
    .font('Helvetica')
    .fontSize(10)
    .fillColor(GREY)
    .text(`Établi le ${view.date_longue} par recouvre`)
    .fillColor('black');

  heading('Créancier');
  const c = view.creancier;
  doc.text(`${c.raison_sociale} – SIREN ${c.siren}`);
  for (const line of c.adresse) doc.text(line);
  doc.text(`${c.telephone ? `Tél. ${c.telephone} – ` : ''}${c.email}`);

  heading('Débiteur');
  doc.text(
    `${view.client.nom} (code client ${view.client.code}) – ${view.client.professionnel ? 'professionnel' : 'particulier'}`,
  );
  for (const line of view.client.adresse) doc.text(line);
  if (view.client.adresse.length === 0) doc.text('Adresse postale : inconnue de recouvre, à compléter.');
  if (view.client.email) doc.text(`E-mail : ${view.client.email}`);

  heading(`Créances au ${view.date}`);
  invoiceTable(doc, view);
  penaltyDetail(doc, view, 'Décompte des pénalités de retard');

  const listing = (
    title: string,
    empty: string,
    columns: readonly Column[],
    rows: readonly (readonly string[])[],
  ) => {
    heading(title);
    if (rows.length === 0) doc.text(empty);
    else table(doc, columns, rows);
  };
  listing(
    'Règlements reçus',
    'Aucun règlement daté enregistré.',
    [
      { title: 'Facture', width: CONTENT * 0.25, align: 'left' },
      { title: 'Date', width: CONTENT * 0.2, align: 'left' },
      { title: 'Montant', width: CONTENT * 0.25, align: 'right' },
      { title: 'Origine', width: CONTENT * 0.3, align: 'left' },
    ],
    input.payments.map((p) => [p.number, p.date, p.amount, p.source]),
  );
  listing(
    'Relances effectuées',
    'Aucune relance enregistrée.',
    [
      { title: 'Date', width: CONTENT * 0.14, align: 'left' },
      { title: 'Étape', width: CONTENT * 0.2, align: 'left' },
      { title: 'Canal', width: CONTENT * 0.14, align: 'left' },
      { title: 'Référence (message, document)', width: CONTENT * 0.52, align: 'left' },
    ],
    input.history
      .filter((h) => h.done)
      .map((h) => [h.date, h.step, h.channel, [h.messageId, h.document].filter(Boolean).join(' – ')]),
  );
  const others = input.history.filter((h) => !h.done);
  if (others.length > 0)
    listing(
      'Appels, tâches et envois non confirmés',
      '',
      [
        { title: 'Date', width: CONTENT * 0.14, align: 'left' },
        { title: 'Étape', width: CONTENT * 0.26, align: 'left' },
        { title: 'Canal', width: CONTENT * 0.2, align: 'left' },
        { title: 'État', width: CONTENT * 0.4, align: 'left' },
      ],
      others.map((h) => [h.date, h.step, h.channel, h.status]),
    );

  heading('Procédure conseillée');
  for (const p of input.procedure)
    doc.text(p, MARGIN, doc.y, { width: CONTENT, align: 'justify' }).moveDown(0.5);
  footers(doc, `Dossier ${view.client.code} – ${c.raison_sociale} – ${formatDateFr(input.date)}`);
  return toBuffer(doc);
}

/** Helvetica has no "≥": the PDF says it in words. */
const pdfText = (value: string) => value.replace(/≥ /g, 'au moins ');

function chartPdf(doc: Doc, geometry: ChartGeometry, title: string): void {
  const scale = CONTENT / geometry.width;
  const x0 = MARGIN;
  const y0 = doc.y;
  const X = (x: number) => x0 + x * scale;
  const Y = (y: number) => y0 + y * scale;
  doc
    .font('Helvetica-Bold')
    .fontSize(9.5)
    .fillColor('black')
    .text(title, MARGIN, y0 - 12, { width: CONTENT });
  doc.font('Helvetica').fontSize(7);
  for (const tick of geometry.leftAxis) {
    doc
      .moveTo(X(70), Y(tick.y))
      .lineTo(X(geometry.width - 40), Y(tick.y))
      .strokeColor('#dddddd')
      .lineWidth(0.5)
      .stroke();
    doc
      .fillColor(GREY)
      .text(tick.label, X(0), Y(tick.y) - 3, { width: X(64) - X(0), align: 'right', lineBreak: false });
  }
  for (const bar of geometry.bars) {
    if (bar.height > 0)
      doc
        .rect(X(bar.x), Y(bar.y), bar.width * scale, bar.height * scale)
        .fill(PDF_TONES[bar.tone] ?? '#5b8def');
    doc.fillColor('#333333').text(bar.label, X(bar.x) - 10, Y(geometry.baseline) + 4, {
      width: bar.width * scale + 20,
      align: 'center',
      lineBreak: false,
    });
  }
  const points = geometry.line.filter((p): p is NonNullable<typeof p> => p !== null);
  if (points.length > 0) {
    const [first, ...rest] = points;
    doc.moveTo(X(first!.x), Y(first!.y));
    for (const p of rest) doc.lineTo(X(p.x), Y(p.y));
    doc.strokeColor('#222222').lineWidth(1.5).stroke();
    for (const p of points) {
      doc.circle(X(p.x), Y(p.y), 2).fill('#222222');
      doc
        .fillColor('#222222')
        .text(p.value, X(p.x) - 15, Y(p.y) - 10, { width: 30, align: 'center', lineBreak: false });
    }
  }
  doc.fillColor('black');
  doc.y = Y(geometry.height) + 6;
  doc.x = MARGIN;
}

const PDF_TONES = ['#5b8def', '#f2b705', '#f28705', '#e5541b', '#b3261e'];

/** `recouvre rapport --format pdf`: the same sections as the HTML report, on A4. */
export function renderReport(view: ReportView, date: IsoDate): Promise<Buffer> {
  const doc = newDocument(view.title, 'recouvre', date);
  doc.font('Helvetica-Bold').fontSize(15).text(view.title, MARGIN, MARGIN, { width: CONTENT });
  doc.font('Helvetica').fontSize(9.5).fillColor(GREY).text(view.subtitle, { width: CONTENT });
  doc.fillColor('black').moveDown(0.8);
  for (const warning of view.warnings) {
    doc
      .fillColor('#8a4b00')
      .text(pdfText(`Attention : ${warning}`), MARGIN, doc.y, { width: CONTENT })
      .moveDown(0.3);
  }
  doc.fillColor('black');
  for (const chart of view.charts) {
    const suffix = view.charts.length > 1 ? ` (${chart.currency})` : '';
    const aged = agedChart(chart, 640, 200);
    const trend = trendChart(chart, 640, 220);
    if (doc.y + (aged.height + trend.height) * (CONTENT / 640) + 40 > PAGE.height - doc.page.margins.bottom)
      doc.addPage();
    doc.moveDown(1);
    chartPdf(doc, aged, `Balance âgée${suffix}`);
    doc.moveDown(1.2);
    chartPdf(doc, trend, `En retard (barres) et DSO en jours (ligne) sur 12 mois${suffix}`);
  }
  for (const section of view.sections) {
    const needed = 50 + Math.min(section.rows.length, 3) * 15;
    if (doc.y + needed > PAGE.height - doc.page.margins.bottom) doc.addPage();
    doc.moveDown(0.8);
    doc
      .font('Helvetica-Bold')
      .fontSize(11.5)
      .fillColor('black')
      .text(section.title, MARGIN, doc.y, { width: CONTENT });
    doc.moveDown(0.4);
    if (section.rows.length === 0) {
      doc
        .font('Helvetica')
        .fontSize(9.5)
        .fillColor(GREY)
        .text(section.empty, MARGIN, doc.y, { width: CONTENT });
    } else {
      const wide = section.head.length > 6;
      const numeric = section.head.map((_, i) =>
        section.rows.some((row) => row[i] && isNumeric(row[i] as Cell)),
      );
      // The first column (names, labels) gets twice the room of the others, a detail column more;
      // a table wider than the report's own (the firm's, 11 columns) shares by the longest cell.
      // Measured at the size the table is set in, cells on one line when the page allows.
      doc.font('Helvetica').fontSize(7.5);
      const longest = (i: number) =>
        Math.max(
          ...(section.head[i] as string).split(' ').map((word) => doc.widthOfString(word)),
          ...section.rows.map((row) =>
            row[i] ? doc.widthOfString(pdfText(displayCell(row[i] as Cell))) : 0,
          ),
        );
      const weights = section.head.map((h, i) =>
        section.head.length > 8
          ? Math.min(longest(i), CONTENT / 4) + 8
          : i === 0
            ? 2.2
            : h === 'Détail' || h === 'Note' || h === 'Quoi'
              ? 3.2
              : 1,
      );
      const sum = weights.reduce((a, b) => a + b, 0);
      table(
        doc,
        section.head.map((title, i) => ({
          title,
          width: (CONTENT * (weights[i] as number)) / sum,
          align: numeric[i] ? 'right' : 'left',
        })),
        section.rows.map((row) => row.map((cell) => pdfText(displayCell(cell)))),
        { fontSize: wide ? 7.5 : 8.5, boldLast: section.total === true },
      );
    }
    doc.font('Helvetica').fontSize(8).fillColor(GREY);
    for (const note of section.notes) doc.text(pdfText(note), MARGIN, doc.y + 2, { width: CONTENT });
    doc.fillColor('black');
  }
  footers(doc, `${view.title} – recouvre`);
  return toBuffer(doc);
}
