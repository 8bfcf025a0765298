import type { Migration } from 'kysely';

/**
 * Every migration, by name; names sort in the order they apply. Each is loaded only when one is
 * pending: a store already up to date is opened without loading kysely's migrator at all.
 */
export const migrations: Readonly<Record<string, () => Promise<Migration>>> = {
  '2026-11-22-initial-store': () => import('./2026-11-22-initial-store.js'),
  '2026-11-26-dunning': () => import('./2026-11-26-dunning.js'),
  '2026-11-27-bank-lines': () => import('./2026-11-27-bank-lines.js'),
  '2026-11-28-settlement-dates': () => import('./2026-11-28-settlement-dates.js'),
  '2026-11-29-line-fingerprints': () => import('./2026-11-29-line-fingerprints.js'),
  '2026-12-01-invoice-totals': () => import('./2026-12-01-invoice-totals.js'),
  '2026-12-03-claim-events': () => import('./2026-12-03-claim-events.js'),
  '2026-12-03-paid-late-index': () => import('./2026-12-03-paid-late-index.js'),
  '2026-12-04-lifecycle-statuses': () => import('./2026-12-04-lifecycle-statuses.js'),
};
