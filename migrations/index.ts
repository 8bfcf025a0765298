import type { Migration } from 'kysely';
import * as initialStore from './2026-11-22-initial-store.js';
import * as dunning from './2026-11-26-dunning.js';
import * as bankLines from './2026-11-27-bank-lines.js';
import * as settlementDates from './2026-11-28-settlement-dates.js';
import * as lineFingerprints from './2026-11-29-line-fingerprints.js';

/** Every migration, by name; names sort in the order they apply. */
export const migrations: Readonly<Record<string, Migration>> = {
  '2026-11-22-initial-store': initialStore,
  '2026-11-26-dunning': dunning,
  '2026-11-27-bank-lines': bankLines,
  '2026-11-28-settlement-dates': settlementDates,
  '2026-11-29-line-fingerprints': lineFingerprints,
};
