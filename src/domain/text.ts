/**
 * Text from a file, made plain: what a client name or an invoice number holds is shown as typed,
 * and never drives a terminal, reorders a line or runs as a spreadsheet formula.
 */

/**
 * Control characters (C0 but tab and line breaks, DEL, C1) and the bidirectional controls that
 * make text display in another order than it is stored (a right-to-left override turns
 * « F-2026-gpj.exe » around), all removed; tabs and line breaks are handled by the callers.
 */
const HIDDEN =
  '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const INVISIBLE = new RegExp(`[${HIDDEN}]`, 'g');
/** An invisible character, a tab or a line break: the text needs cleaning. */
const UNSAFE = new RegExp(`[${HIDDEN}\\t\\r\\n]`);

/** Excel runs a cell starting with one of these as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A number as exports and recouvre write them (`-1 234,56`, `+3`, `-12.5 €`): not a formula. */
const NUMBER = /^[-+]?[\d\s\u00a0\u202f.,]+(\s?€)?$/;

/**
 * One line of text from a cell: invisible characters removed, tabs and line breaks made spaces,
 * trimmed. The apostrophe recouvre puts before a formula-like text in the files it writes is
 * taken off, so that a corrected rejects file imports the text as it was.
 * `plainText(" Dupont\u202e\r\nSA ")` → `"Dupont SA"`, `plainText("'=A1")` → `"=A1"`.
 */
export function plainText(value: string): string {
  let text = UNSAFE.test(value) ? value.replace(INVISIBLE, '').replace(/[\t ]*[\t\r\n]+[\t ]*/g, ' ') : value;
  text = text.trim();
  return text.charCodeAt(0) === 39 && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}

/** `plainText` that keeps line breaks (an address): `plainLines("1 rue X\r\n75001 Paris")` → two lines. */
export function plainLines(value: string): string {
  return value
    .split(/\r\n|\r|\n/)
    .map(plainText)
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * A text cell for a CSV file that a spreadsheet opens: `neutralise('=HYPERLINK(…)')` →
 * `'=HYPERLINK(…)`, shown as typed and never evaluated. Numbers (`-120,00`) are left as they are.
 */
export function neutralise(value: string): string {
  return FORMULA_START.test(value) && !NUMBER.test(value) ? `'${value}` : value;
}
