import type { Cents } from './money.js';

/**
 * Reads back the amounts a rendered document prints, the way a debtor adds them up, and says where
 * a printed total is not the sum of the lines above it. Templates can be edited by the user: this
 * is what keeps an edited (or an older exported) template from sending a sum that does not add up.
 *
 * A block is a run of lines without a blank line. In it, a line that ends with an amount is:
 * - a total when its text starts with « Total », « Montant restant dû », « Principal » or
 *   « Reste dû total »: it must equal the sum of the lines of the block above it;
 * - a line of the sum when it starts with a list mark (« - », « • », « | » for a table row) or
 *   with « Pénalités », « Indemnité », « Avoir », « Facture »;
 * - prose otherwise, and ignored (« … la somme de 1 234,56 € »).
 */

export interface SumProblem {
  /** 1-based line of the document. */
  readonly line: number;
  readonly text: string;
  readonly printed: Cents;
  readonly sum: Cents;
}

const AMOUNT =
  /(-?)\s*(\d{1,3}(?:[\u0020\u00a0\u202f]\d{3})*|\d+),(\d{2})[\u0020\u00a0\u202f]*(?:€|[A-Z]{3})\s*\|?\s*$/;
const TOTAL = /^[\s|*-]*(total|montant restant dû|principal|reste dû total)/i;
const ITEM = /^\s*([-•|*]|pénalités|penalites|indemnit|avoir|facture)/i;

/** `amountAtEnd('  - F1 : 1 234,56 €')` → 123456; null when the line ends otherwise. */
export function amountAtEnd(line: string): Cents | null {
  const match = AMOUNT.exec(line);
  if (!match) return null;
  const units = Number(match[2]!.replace(/[\u0020\u00a0\u202f]/g, ''));
  const value = units * 100 + Number(match[3]);
  return (match[1] === '-' ? -value : value) as Cents;
}

/**
 * `printedSumProblems(['- F1 : 10,00 €', '- F2 : 5,00 €', 'Total : 16,00 €'])` →
 * `[{ line: 3, printed: 1600, sum: 1500, … }]`.
 */
export function printedSumProblems(lines: readonly string[]): SumProblem[] {
  const problems: SumProblem[] = [];
  let sum = 0;
  let items = 0;
  lines.forEach((text, index) => {
    if (text.trim() === '') {
      sum = 0;
      items = 0;
      return;
    }
    const amount = amountAtEnd(text);
    if (amount === null) return;
    if (TOTAL.test(text)) {
      if (items > 0 && amount !== sum)
        problems.push({ line: index + 1, text: text.trim(), printed: amount, sum: sum as Cents });
    } else if (ITEM.test(text)) {
      sum += amount;
      items++;
    }
  });
  return problems;
}

/**
 * The lines of an HTML e-mail as a reader sees them: a table row is one line of cells
 * (`| F1 | 12/09/2026 | 1 234,56 € |`), a paragraph or a heading starts a new block.
 */
export function htmlLines(html: string): string[] {
  const text = html
    .replace(/<(style|script)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/\s+/g, ' ')
    .replace(/<tr[^>]*>/gi, '\n| ')
    .replace(/<\/t[dh]>/gi, ' | ')
    .replace(/<(p|h[1-6]|div|ul|ol)[\s>][^>]*>|<(p|h[1-6]|div|ul|ol)>/gi, '\n\n')
    .replace(/<br\s*\/?>|<\/li>|<li[^>]*>/gi, '\n- ')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, '\u00a0')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&#x60;/g, '`')
    .replace(/&amp;/g, '&');
  return text.split('\n').map((line) => line.replace(/(\|\s*)+$/, '|').trim());
}
