import joursFeries from '@socialgouv/jours-feries';
import type { HolidayCalendar } from '../domain/business-days.js';
import { type IsoDate, makeDate } from '../domain/dates.js';

const HOUR = 3_600_000;

/**
 * French public holidays from @socialgouv/jours-feries. The package builds local-time Dates and
 * adds 24-hour steps for the Easter-based days, so where daylight saving changes on Easter night
 * (Sydney in 2026) its "Easter Monday" lands on Sunday 23:00. Rounding each instant to the nearest
 * local midnight gives the right calendar day in every time zone.
 */
export function frenchHolidays(options: { readonly alsaceMoselle: boolean }): HolidayCalendar {
  const years = new Map<number, Map<IsoDate, string>>();
  return (date: IsoDate) => {
    const year = Number(date.slice(0, 4));
    let days = years.get(year);
    if (!days) {
      days = new Map();
      const all = joursFeries(year, { alsace: options.alsaceMoselle }) as Record<string, Date>;
      for (const [name, instant] of Object.entries(all)) {
        const noon = new Date(instant.getTime() + 12 * HOUR);
        const day = makeDate(noon.getFullYear(), noon.getMonth() + 1, noon.getDate());
        if (day) days.set(day, name);
      }
      years.set(year, days);
    }
    return days.get(date) ?? null;
  };
}
