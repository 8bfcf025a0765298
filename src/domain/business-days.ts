import { addDays, type IsoDate, toDayNumber } from './dates.js';

/** Tells whether a day is a public holiday, and which: `'Noël'`, or null. */
export type HolidayCalendar = (date: IsoDate) => string | null;

const WEEKDAYS = ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'] as const;

/** `weekdayName('2026-11-21')` → `'samedi'` (1970-01-01, day 0, was a Thursday). */
export function weekdayName(date: IsoDate): string {
  return WEEKDAYS[(((toDayNumber(date) + 4) % 7) + 7) % 7]!;
}

/**
 * Why no reminder goes out on this day, or null on a business day.
 * `nonBusinessReason('2026-12-25', calendar)` → `'Noël (jour férié)'`.
 */
export function nonBusinessReason(date: IsoDate, holidays: HolidayCalendar): string | null {
  const weekday = weekdayName(date);
  if (weekday === 'samedi' || weekday === 'dimanche') return weekday;
  const holiday = holidays(date);
  return holiday === null ? null : `${holiday} (jour férié)`;
}

/** The first business day on or after `date`. */
export function nextBusinessDay(date: IsoDate, holidays: HolidayCalendar): IsoDate {
  let day = date;
  while (nonBusinessReason(day, holidays) !== null) day = addDays(day, 1);
  return day;
}
