import { addDays, addMonths, type IsoDate } from './dates.js';
import type { Cents } from './money.js';

export interface Instalment {
  readonly dueDate: IsoDate;
  readonly amount: Cents;
}

/**
 * Splits an amount into equal instalments, the last one taking the remaining cents; monthly on the
 * same day (clamped to the month's end), or every `everyDays` days.
 * `splitInstalments(100000, 3, '2026-12-05', null)` → 333,33 € on 05/12 and 05/01, 333,34 € on 05/02.
 */
export function splitInstalments(
  total: Cents,
  count: number,
  start: IsoDate,
  everyDays: number | null,
): Instalment[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`instalment count ${count}`);
  const base = Math.floor(total / count);
  return Array.from({ length: count }, (_, k) => ({
    dueDate: everyDays === null ? addMonths(start, k) : addDays(start, k * everyDays),
    amount: (k === count - 1 ? total - base * (count - 1) : base) as Cents,
  }));
}
