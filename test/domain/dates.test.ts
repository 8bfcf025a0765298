import { describe, expect, it } from 'vitest';
import {
  addDays,
  dateOfDayKey,
  dayKey,
  daysBetween,
  describeDateFormat,
  fromDayNumber,
  guessDateOrder,
  type IsoDate,
  isoDate,
  localDate,
  parseDate,
  toDayNumber,
} from '../../src/domain/dates.js';

const d = (text: string) => text as IsoDate;
const date = (raw: string, order: 'jma' | 'mja' = 'jma') => {
  const result = parseDate(raw, order);
  return result.ok ? result.date : `! ${result.reason}`;
};

describe('parseDate', () => {
  it('reads the formats of French exports', () => {
    expect(date('20/11/2026')).toBe('2026-11-20');
    expect(date('20/11/26')).toBe('2026-11-20');
    expect(date('20.11.2026')).toBe('2026-11-20');
    expect(date('20-11-2026')).toBe('2026-11-20');
    expect(date('2026-11-20')).toBe('2026-11-20');
    expect(date('20261120')).toBe('2026-11-20');
    expect(date('2026-11-20 00:00:00')).toBe('2026-11-20');
    expect(date('2026-11-20T10:00')).toBe('2026-11-20');
    expect(date('5/3/2026')).toBe('2026-03-05');
    expect(date('5/3/2026', 'mja')).toBe('2026-05-03');
    expect(date('28 janv. 2021')).toBe('2021-01-28');
    expect(date('1 août 2026')).toBe('2026-08-01');
    expect(date('Jan 28 2021')).toBe('2021-01-28');
    expect(date('29/02/2028')).toBe('2028-02-29');
    expect(date('01/01/99')).toBe('1999-01-01');
  });
  it('reads the commonest shapes on a fast path with the same result', () => {
    expect(date('05/03/2026')).toBe('2026-03-05');
    expect(date('05/03/2026', 'mja')).toBe('2026-05-03');
    expect(date(' 05/03/2026 ')).toBe('2026-03-05');
    expect(date('2026-03-05')).toBe('2026-03-05');
    expect(date('2026-02-30')).toBe("! le 2026-02-30 n'existe pas");
    expect(date('13/13/2026')).toBe("! le mois 13 n'existe pas");
    expect(date('0a/03/2026')).toBe("! ce n'est pas une date (attendu : jj/mm/aaaa)");
    expect(date('31/12/1899')).toBe('! année 1899 invalide');
  });
  it('refuses days that do not exist, and says which', () => {
    expect(date('31/02/2026')).toBe("! le 31/02/2026 n'existe pas");
    expect(date('29/02/2026')).toBe("! le 29/02/2026 n'existe pas");
    expect(date('01/13/2026')).toBe("! le mois 13 n'existe pas");
    expect(date('demain')).toBe("! ce n'est pas une date (attendu : jj/mm/aaaa)");
    expect(date('2026/1')).toBe("! ce n'est pas une date (attendu : jj/mm/aaaa)");
  });
});

describe('date arithmetic', () => {
  it('adds days across months, leap years and daylight-saving changes', () => {
    expect(addDays(d('2026-01-31'), 30)).toBe('2026-03-02');
    expect(addDays(d('2028-02-28'), 1)).toBe('2028-02-29');
    expect(addDays(d('2026-03-28'), 2)).toBe('2026-03-30');
    expect(addDays(d('2026-10-24'), 2)).toBe('2026-10-26');
    expect(addDays(d('2026-12-31'), 1)).toBe('2027-01-01');
    expect(addDays(d('2026-03-01'), -1)).toBe('2026-02-28');
  });
  it('counts days between dates', () => {
    expect(daysBetween(d('2026-11-01'), d('2026-11-20'))).toBe(19);
    expect(daysBetween(d('2026-03-01'), d('2026-04-01'))).toBe(31);
    expect(daysBetween(d('2026-11-20'), d('2026-11-01'))).toBe(-19);
  });
  it('checks ISO dates', () => {
    expect(isoDate('2026-02-29')).toBeNull();
    expect(isoDate('2026-2-1')).toBeNull();
    expect(isoDate('2026-11-20')).toBe('2026-11-20');
  });
  it('takes the local calendar day of an instant, whatever the time zone', () => {
    expect(localDate(new Date(2026, 10, 20, 23, 59))).toBe('2026-11-20');
    expect(localDate(new Date(2026, 10, 20, 0, 0))).toBe('2026-11-20');
  });
});

describe('guessDateOrder', () => {
  it('is day first unless a sample can only be month first', () => {
    expect(guessDateOrder(['03/04/2026', '13/04/2026'])).toBe('jma');
    expect(guessDateOrder(['10/20/2019', '1/5/2020'])).toBe('mja');
    expect(guessDateOrder(['03/04/2026'])).toBe('jma');
    expect(guessDateOrder(['2026-04-03'])).toBe('jma');
  });
});

describe('day numbers', () => {
  it('agree with Date.UTC on every day from 1900 to 2100', () => {
    const DAY = 86_400_000;
    const wrong: string[] = [];
    let count = 0;
    for (let day = Date.UTC(1900, 0, 1) / DAY; day <= Date.UTC(2100, 11, 31) / DAY; day++, count++) {
      const date = new Date(day * DAY).toISOString().slice(0, 10) as IsoDate;
      if (toDayNumber(date) !== day || fromDayNumber(day) !== date) wrong.push(date);
    }
    expect(count).toBe(73414);
    expect(wrong).toEqual([]);
  });
});

describe('day keys', () => {
  it('go from a date to its digits and back, one text per day, and refuse a day that does not exist', () => {
    expect(dayKey('2026-03-02' as IsoDate)).toBe(20260302);
    for (const date of ['1900-01-01', '2024-02-29', '2999-12-31'] as IsoDate[]) {
      expect(dateOfDayKey(dayKey(date))).toBe(date);
    }
    // The text an export's date reads as is the day's one text.
    expect(parseDate('02/03/2026', 'jma')).toEqual({ ok: true, date: dateOfDayKey(20260302) });
    expect(dateOfDayKey(20260231)).toBeNull();
    expect(dateOfDayKey(20261301)).toBeNull();
  });
});

describe('the date format a file is written in', () => {
  it('names the format read, and the century of two-digit years', () => {
    expect(describeDateFormat(['2019-11-25', '2019-12-25'], 'jma')).toBe('aaaa-mm-jj');
    expect(describeDateFormat(['25/11/2019'], 'jma')).toBe('jj/mm/aaaa');
    expect(describeDateFormat(['11/25/2019'], 'mja')).toBe('mm/jj/aaaa');
    expect(describeDateFormat(['01.09.26'], 'jma')).toBe(
      'jj.mm.aa (années à deux chiffres lues de 1970 à 2069)',
    );
    expect(describeDateFormat(['20261103'], 'jma')).toBe('aaaammjj');
    expect(describeDateFormat(['Jan 28 2021', '28 janv. 2026'], 'jma')).toBe('mois en lettres');
    expect(describeDateFormat(['01/09/2026', '01/10/2026', '2026-09-01'], 'jma')).toBe(
      'jj/mm/aaaa et aaaa-mm-jj',
    );
    expect(describeDateFormat([], 'jma')).toBe('jj/mm/aaaa');
  });
});
