import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRateTables, type RateTables } from '../domain/rates.js';
import { UserError } from '../errors.js';
import { packageRoot } from './package-root.js';

/** The user's additions to the shipped tables, from recouvre.toml's [taux] section. */
export interface RateAdditions {
  /** ECB main refinancing rate (percent) by date of effect, `{ "2026-06-11": 2.0 }`. */
  readonly bce: Readonly<Record<string, number>>;
  /** Legal interest rate "autres cas" (percent) by half-year, `{ "2026-S2": 2.5 }`. */
  readonly interet_legal: Readonly<Record<string, number>>;
}

function readTable(name: string): { rows: string[][]; path: string } {
  const path = join(packageRoot(), 'src', 'data', name);
  const text = readFileSync(path, 'utf8');
  const rows = text
    .split(/\r?\n/)
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(';'));
  return { rows, path };
}

/** The rate tables shipped with recouvre (src/data/*.csv), extended by the configuration. */
export function loadRateTables(additions: RateAdditions): RateTables {
  const ecb = readTable('taux-bce.csv');
  const legal = readTable('taux-interet-legal.csv');
  const shipped = buildRateTables(
    ecb.rows.map(([date = '', rate = '']) => [date, rate] as const),
    legal.rows.map(([half = '', , others = '']) => [half, others] as const),
  );
  if (shipped.errors.length > 0) {
    throw new Error(`shipped rate tables are broken: ${shipped.errors.map((e) => e.message).join('; ')}`);
  }
  const extended = buildRateTables(
    [
      ...ecb.rows.map(([date = '', rate = '']) => [date, rate] as const),
      ...Object.entries(additions.bce).map(([date, rate]) => [date, String(rate)] as const),
    ],
    [
      ...legal.rows.map(([half = '', , others = '']) => [half, others] as const),
      ...Object.entries(additions.interet_legal).map(([half, rate]) => [half, String(rate)] as const),
    ],
  );
  if (extended.errors.length > 0) {
    throw new UserError('Taux invalides dans la section [taux] de la configuration.', [
      ...extended.errors.slice(0).map((e) => e.message),
      'Exemple : bce = { "2026-06-11" = 2.0 } et interet_legal = { "2026-S2" = 2.5 } (en pourcentage).',
    ]);
  }
  return extended.tables;
}
