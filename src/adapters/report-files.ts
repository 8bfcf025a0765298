import Papa from 'papaparse';
import { formatDateFr } from '../domain/dates.js';
import { agedChart, type ChartGeometry, trendChart } from '../domain/report-charts.js';
import { type Cell, displayCell, isNumeric, type ReportView, type Section } from '../domain/report-view.js';
import { neutralise } from '../domain/text.js';

/**
 * The report as files: CSV for a spreadsheet, and HTML, one self-contained page (styles and SVG
 * charts inline, nothing fetched) that prints on A4.
 */

/** A cell for a French spreadsheet: numbers with a decimal comma and no unit, text made inert. */
export function csvCell(cell: Cell): string {
  switch (cell.kind) {
    case 'money': {
      const abs = Math.abs(cell.cents);
      return `${cell.cents < 0 ? '-' : ''}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
    }
    case 'days':
      return cell.days === null ? '' : String(cell.days).replace('.', ',');
    case 'rate':
      return cell.rate === null ? '' : `${String(Math.round(cell.rate * 1000) / 10).replace('.', ',')}%`;
    case 'count':
      return String(cell.count);
    case 'date':
      return formatDateFr(cell.date);
    case 'text':
      return neutralise(cell.text);
  }
}

/** `;`-separated, decimal comma, UTF-8 with a BOM so that Excel reads the accents; one block per section. */
export function reportCsv(view: ReportView): string {
  const rows: string[][] = [[neutralise(view.title)], []];
  for (const section of view.sections) {
    rows.push([neutralise(section.title)]);
    rows.push(section.head.map(neutralise));
    for (const row of section.rows) rows.push(row.map(csvCell));
    if (section.rows.length === 0 && section.empty) rows.push([neutralise(section.empty)]);
    for (const note of section.notes) rows.push([neutralise(note)]);
    rows.push([]);
  }
  for (const warning of view.warnings) rows.push([neutralise(`Attention : ${warning}`)]);
  const body = Papa.unparse(rows, { delimiter: ';', newline: '\r\n', quotes: false });
  return `\ufeff${body}\r\n`;
}

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const TONES = ['#5b8def', '#f2b705', '#f28705', '#e5541b', '#b3261e'];

/** A chart as inline SVG, with a title and text for screen readers. */
export function chartSvg(geometry: ChartGeometry, title: string): string {
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${geometry.width} ${geometry.height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<title>${escapeHtml(title)}</title>`,
  ];
  for (const tick of geometry.leftAxis) {
    parts.push(
      `<line x1="70" x2="${geometry.width - 40}" y1="${tick.y.toFixed(1)}" y2="${tick.y.toFixed(1)}" stroke="#ddd"/>`,
      `<text x="64" y="${(tick.y + 4).toFixed(1)}" text-anchor="end" font-size="10" fill="#555">${escapeHtml(tick.label)}</text>`,
    );
  }
  for (const bar of geometry.bars) {
    const cx = bar.x + bar.width / 2;
    parts.push(
      `<rect x="${bar.x.toFixed(1)}" y="${bar.y.toFixed(1)}" width="${bar.width.toFixed(1)}" height="${bar.height.toFixed(1)}" fill="${TONES[bar.tone] ?? TONES[0]}"><title>${escapeHtml(`${bar.label} : ${bar.value}`)}</title></rect>`,
      `<text x="${cx.toFixed(1)}" y="${(geometry.baseline + 14).toFixed(1)}" text-anchor="middle" font-size="10" fill="#333">${escapeHtml(bar.label)}</text>`,
    );
  }
  const points = geometry.line.filter((p): p is NonNullable<typeof p> => p !== null);
  if (points.length > 0) {
    parts.push(
      `<polyline fill="none" stroke="#222" stroke-width="2" points="${points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')}"/>`,
      ...points.map(
        (p) =>
          `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="3" fill="#222"/><text x="${p.x.toFixed(1)}" y="${(p.y - 6).toFixed(1)}" text-anchor="middle" font-size="9" fill="#222">${escapeHtml(p.value)}</text>`,
      ),
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

function sectionHtml(section: Section): string {
  const numeric = (index: number) => section.rows.some((row) => row[index] && isNumeric(row[index] as Cell));
  const head = section.head
    .map((h, i) => `<th${numeric(i) ? ' class="n"' : ''}>${escapeHtml(h)}</th>`)
    .join('');
  const body = section.rows
    .map((row, r) => {
      const total = section.total && r === section.rows.length - 1;
      const cells = row
        .map((cell) => `<td${isNumeric(cell) ? ' class="n"' : ''}>${escapeHtml(displayCell(cell))}</td>`)
        .join('');
      return `<tr${total ? ' class="total"' : ''}>${cells}</tr>`;
    })
    .join('\n');
  const table =
    section.rows.length === 0
      ? `<p class="empty">${escapeHtml(section.empty)}</p>`
      : `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
  const notes = section.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('');
  return `<section><h2>${escapeHtml(section.title)}</h2>${table}${notes}</section>`;
}

export function reportHtml(view: ReportView): string {
  const charts = view.charts
    .map((chart) => {
      const suffix = view.charts.length > 1 ? ` (${chart.currency})` : '';
      return `<div class="charts"><figure>${chartSvg(agedChart(chart), `Balance âgée${suffix}`)}<figcaption>Balance âgée${escapeHtml(suffix)} : montants dus par ancienneté du retard</figcaption></figure><figure>${chartSvg(trendChart(chart), `En retard et DSO sur 12 mois${suffix}`)}<figcaption>En retard (barres) et DSO en jours (ligne) sur 12 mois${escapeHtml(suffix)}</figcaption></figure></div>`;
    })
    .join('');
  const warnings = view.warnings.map((w) => `<p class="warning">Attention : ${escapeHtml(w)}</p>`).join('');
  return `<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(view.title)}</title>
<style>
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #1d1d1d; margin: 2em auto; max-width: 1100px; padding: 0 1em; font-size: 14px; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; }
h2 { font-size: 1.15em; border-bottom: 2px solid #5b8def; padding-bottom: 0.2em; margin-top: 1.6em; }
.subtitle { color: #555; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #f3f5fa; }
.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 2px solid #999; }
.note, .empty { color: #555; font-size: 0.9em; margin: 0.3em 0; }
.warning { color: #8a4b00; background: #fff4e0; padding: 0.4em 0.6em; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
figure { flex: 1 1 480px; margin: 0; }
figure svg { width: 100%; height: auto; }
figcaption { font-size: 0.85em; color: #555; text-align: center; }
footer { margin-top: 2em; color: #777; font-size: 0.85em; }
@media print { body { margin: 0; max-width: none; font-size: 10pt; } section, figure { break-inside: avoid; } }
@page { size: A4; margin: 14mm; }
</style>
</head>
<body>
<h1>${escapeHtml(view.title)}</h1>
<p class="subtitle">${escapeHtml(view.subtitle)}</p>
${warnings}
${charts}
${view.sections.map(sectionHtml).join('\n')}
<footer>Rapport produit par recouvre. Montants TTC.</footer>
</body>
</html>
`;
}
