import { sqliteOf } from './connection.js';
import type { Store } from './open.js';

/** Runs `work` in one transaction of the store: all of its writes, or none when it throws. */
export function inTransaction<T>(store: Store, work: () => T): T {
  return sqliteOf(store).transaction(work)();
}
