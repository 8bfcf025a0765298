import { isAbsolute, relative } from 'node:path';
import type { Output } from '../context.js';

/** `plural(1, 'facture', 'factures')` → "1 facture"; French uses the singular for 0 and 1. */
export function plural(count: number, singular: string, pluralForm: string): string {
  const grouped = String(count).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${grouped} ${Math.abs(count) < 2 ? singular : pluralForm}`;
}

/** A path as the user would type it: relative to the current folder when inside it. */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** One JSON document on its own line, as every `--json` answers. */
export function writeJson(context: { readonly stdout: Output }, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value)}\n`);
}
