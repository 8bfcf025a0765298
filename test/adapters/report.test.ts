import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteOf } from '../../src/adapters/db/connection.js';
import { openStore } from '../../src/adapters/db/open.js';
import { reportData } from '../../src/adapters/db/report-store.js';
import { addDays, daysBetween, type IsoDate } from '../../src/domain/dates.js';
import { outstanding } from '../../src/domain/invoice-row.js';
import type { Cents } from '../../src/domain/money.js';
import { periodEnding, positionAt, recovery, SalesIndex, trendDates } from '../../src/domain/report.js';
import { reportAgedBalance, seededRandom } from './generated.js';

const d = (s: string) => s as IsoDate;
const dir = mkdtempSync(join(tmpdir(), 'recouvre-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface RefInvoice {
  issue: IsoDate;
  due: IsoDate;
  amount: number;
  currency: string;
  disputed: boolean;
  professional: boolean;
  closed: boolean;
  outstanding: number;
  events: { date: IsoDate; amount: number; estimated: boolean }[];
  /** Last payment date when fully paid and known. */
  final: IsoDate | null;
  /** Fully paid, and dated only by the date its source gives. */
  datedBySource: boolean;
}

/**
 * The report's SQL aggregates against the plainest computation there is: every invoice of a
 * generated book, its payments and imports, walked one by one.
 */
describe('report figures', () => {
  it('computed from the store’s aggregates, equal the invoice-by-invoice computation on generated data', async () => {
    const store = await openStore(join(dir, 'report.db'), { create: true });
    const sqlite = sqliteOf(store);
    const asOf = d('2026-11-20');
    const random = seededRandom(7);
    // Six invoice imports over the year (business dates in the journal), one payment file.
    const importDates = [
      d('2026-01-15'),
      d('2026-03-02'),
      d('2026-05-20'),
      d('2026-08-01'),
      d('2026-10-10'),
      d('2026-11-19'),
    ];
    const addImport = sqlite.prepare(
      `INSERT INTO imports (id, started_at, file_name, file_path, sha256, kind, encoding, separator)
       VALUES (?, ?, 'f.csv', '/f.csv', '${'0'.repeat(64)}', ?, 'utf8', ';')`,
    );
    const addJournal = sqlite.prepare(
      "INSERT INTO journal (recorded_at, date, kind, import_id) VALUES (?, ?, 'import', ?)",
    );
    importDates.forEach((date, k) => {
      addImport.run(k + 1, `${date}T09:00:00.000Z`, 'factures');
      addJournal.run(`${date}T09:00:00.000Z`, date, k + 1);
    });
    addImport.run(7, '2026-11-19T10:00:00.000Z', 'paiements');
    addJournal.run('2026-11-19T10:00:00.000Z', '2026-11-19', 7);
    const dateOf = (id: number) => (id === 7 ? d('2026-11-19') : (importDates[id - 1] as IsoDate));

    const addClient = sqlite.prepare('INSERT INTO clients (id, code, name, kind) VALUES (?, ?, ?, ?)');
    for (let c = 1; c <= 30; c++)
      addClient.run(c, `C${c}`, `Client ${c}`, c % 4 === 0 ? 'particulier' : 'professionnel');
    const addInvoice = sqlite.prepare(
      `INSERT INTO invoices (id, number, client_id, issue_date, due_date, amount_cents, paid_cents, currency, disputed,
         created_import_id, updated_import_id, closed_import_id, paid_on)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const addPayment = sqlite.prepare(
      'INSERT INTO payments (invoice_id, date, amount_cents, source, import_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?)',
    );

    const invoices: RefInvoice[] = [];
    for (let id = 1; id <= 3000; id++) {
      const client = 1 + random(30);
      const issue = addDays(d('2025-09-01'), random(440));
      const due = addDays(issue, [0, 30, 45, 60][random(4)]!);
      const credit = random(15) === 0;
      const amount = credit ? -(100 + random(50000)) : 100 + random(500000);
      const paid = credit ? [0, amount][random(2)]! : [0, 0, Math.floor(amount / 2), amount][random(4)]!;
      const currency = random(10) === 0 ? 'USD' : 'EUR';
      const disputed = random(12) === 0;
      // Created by the first import after its issue date; perhaps updated or closed by a later one.
      const created =
        1 +
        Math.max(
          0,
          importDates.findIndex((date) => date >= issue),
        );
      const updated = random(3) === 0 && created < 6 ? created + 1 + random(6 - created) : null;
      const closed = random(25) === 0 && created < 6 ? 6 : null;
      // Some sources (a FEC) date the payments themselves.
      const recent = addDays(asOf, -random(120));
      const paidOn = paid !== 0 && random(4) === 0 ? (recent > issue ? recent : issue) : null;
      addInvoice.run(
        id,
        `F${id}`,
        client,
        issue,
        due,
        amount,
        paid,
        currency,
        disputed ? 1 : 0,
        created,
        updated,
        closed,
        paidOn,
      );

      const events: RefInvoice['events'] = [];
      let covered = 0;
      let fresh = 0;
      let last: IsoDate | null = null;
      if (!credit && random(3) === 0) {
        // A dated payment, from the payment file (counted with the export's) or typed by hand.
        const part = 100 + random(Math.max(1, amount - 100));
        const date = addDays(issue, random(120));
        const typedLater = random(3) === 0;
        addPayment.run(
          id,
          date,
          part,
          typedLater ? 'manuel' : 'fichier',
          typedLater ? null : 7,
          typedLater ? '2026-11-19T18:00:00.000Z' : '2026-11-19T10:00:00.000Z',
        );
        if (typedLater) fresh += part;
        else covered += part;
        events.push({ date, amount: part, estimated: false });
        last = date;
      }
      const open = outstanding(amount as Cents, paid as Cents, covered as Cents, fresh);
      const declaredOnly = amount >= 0 ? Math.max(0, paid - covered) : Math.min(0, paid - covered);
      let final: IsoDate | null = last;
      let known = true;
      if (declaredOnly !== 0) {
        const createdOn = dateOf(created);
        const estimated = paidOn === null && updated === null;
        const when =
          paidOn ??
          (updated !== null
            ? dateOf(updated)
            : createdOn < due
              ? createdOn > issue
                ? createdOn
                : issue
              : due);
        events.push({ date: when, amount: declaredOnly, estimated });
        if (estimated) known = false;
        if (final === null || when > final) final = when;
      }
      if (closed !== null) {
        events.push({ date: dateOf(closed), amount: open, estimated: false });
        if (final === null || dateOf(closed) > final) final = dateOf(closed);
      }
      invoices.push({
        issue,
        due,
        amount,
        currency,
        disputed,
        professional: client % 4 !== 0,
        closed: closed !== null,
        outstanding: closed !== null ? 0 : open,
        events,
        final: amount > 0 && (closed !== null || open === 0) && known ? final : null,
        datedBySource: paidOn !== null && last === null && updated === null && closed === null,
      });
    }

    const period = periodEnding(asOf, 60);
    const data = reportData(sqlite, period);
    const aged = await reportAgedBalance(store, asOf, { batchClients: 5 });
    for (const currency of ['EUR', 'USD']) {
      const mine = invoices.filter((i) => i.currency === currency);
      const groups = data.groups.filter((g) => g.currency === currency);
      const settlements = data.settlements.filter((s) => s.currency === currency);

      // Every month-end of the trend, and a few odd days.
      for (const date of [...trendDates(asOf, 14), d('2026-02-14'), d('2026-07-07')]) {
        let receivables = 0;
        let overdue = 0;
        for (const i of mine) {
          if (i.issue > date) continue;
          const left = i.amount - i.events.filter((e) => e.date <= date).reduce((s, e) => s + e.amount, 0);
          receivables += left;
          if (!i.disputed && i.due < date) overdue += left;
        }
        expect(positionAt(groups, settlements, date), `${currency} ${date}`).toEqual({
          overdue,
          receivables,
        });
      }

      // Settlements dated by an estimate (paid before recouvre first saw the invoice), apart.
      const estimate = (amounts: { amount: number; estimated: boolean }[]) =>
        amounts.filter((e) => e.estimated).reduce((s, e) => s + e.amount, 0);
      expect(estimate(settlements)).toBe(estimate(mine.flatMap((i) => i.events)));
      if (currency === 'EUR') expect(estimate(settlements)).toBeGreaterThan(0);

      // Today's receivables: the aged balance (disputed included) is the same sum.
      const balance = aged.find((b) => b.currency === currency)!;
      expect(balance.totals.total + balance.disputed).toBe(mine.reduce((s, i) => s + i.outstanding, 0));
      expect(groups.reduce((s, g) => s + g.outstanding, 0)).toBe(mine.reduce((s, i) => s + i.outstanding, 0));

      // Sales between two dates.
      const sales = new SalesIndex(groups);
      const sold = (from: IsoDate, to: IsoDate) =>
        mine.filter((i) => i.issue >= from && i.issue <= to).reduce((s, i) => s + i.amount, 0);
      expect(sales.between(d('2026-03-01'), d('2026-03-31'))).toBe(sold(d('2026-03-01'), d('2026-03-31')));
      expect(sales.between(d('2025-01-01'), asOf)).toBe(sold(d('2025-01-01'), asOf));

      // Recovery of what fell due in the period.
      const dueInPeriod = mine.filter((i) => i.amount > 0 && i.due >= period.from && i.due <= period.to);
      const due = dueInPeriod.reduce((s, i) => s + i.amount, 0);
      const collected = dueInPeriod.reduce((s, i) => s + i.amount - i.outstanding, 0);
      expect(recovery(groups, period)).toMatchObject({ due, collected });

      // Penalty base: what late professional invoices still owe, per due date.
      const owing = new Map<string, number>();
      for (const i of mine) {
        if (i.amount <= 0 || i.closed || i.outstanding <= 0) continue;
        const key = `${i.due}|${i.professional}|${i.disputed}`;
        owing.set(key, (owing.get(key) ?? 0) + i.outstanding);
      }
      const grouped = new Map<string, number>();
      for (const g of groups) {
        if (g.owing === 0) continue;
        const key = `${g.dueDate}|${g.professional}|${g.disputed}`;
        grouped.set(key, (grouped.get(key) ?? 0) + g.owing);
      }
      expect(grouped).toEqual(owing);

      // Delays of the invoices settled in the period, when the last payment date is known.
      const settled = mine.filter((i) => i.final !== null && i.final >= period.from && i.final <= period.to);
      const delays = data.delays.get(currency) ?? {
        count: 0,
        daysAfterDue: 0,
        daysAfterIssue: 0,
        daysLate: 0,
      };
      expect(delays.count).toBe(settled.length);
      expect(delays.daysAfterDue).toBeCloseTo(
        settled.reduce((s, i) => s + daysBetween(i.due, i.final!), 0),
        6,
      );
      expect(delays.daysLate).toBeCloseTo(
        settled.reduce((s, i) => s + Math.max(0, daysBetween(i.due, i.final!)), 0),
        6,
      );
      expect(settled.length).toBeGreaterThan(currency === 'EUR' ? 10 : 0);
      // Some of them known only by the date their source gives.
      if (currency === 'EUR') expect(settled.filter((i) => i.datedBySource).length).toBeGreaterThan(0);
    }
    await store.close();
  });
});

describe('the week ahead', () => {
  it('planned client batch by client batch, is the plan of the whole store', async () => {
    const { recouvre, fixture } = await import('../e2e/cli.js');
    const { loadDunningRules } = await import('../../src/app/dunning-plan.js');
    const { weekAhead } = await import('../../src/app/report.js');
    const folder = mkdtempSync(join(tmpdir(), 'recouvre-week-'));
    try {
      for (const file of ['relances/factures.csv', 'rapport/factures.csv', 'rapport/reglements.csv']) {
        expect((await recouvre(['import', fixture(file)], { cwd: folder })).code).toBe(0);
      }
      const store = await openStore(join(folder, 'recouvre.db'), { create: false });
      const rules = await loadDunningRules(
        { configPath: join(folder, 'recouvre.toml'), env: {} } as Parameters<typeof loadDunningRules>[0],
        false,
      );
      const whole = await weekAhead(store, rules, d('2026-11-20'));
      const batched = await weekAhead(store, rules, d('2026-11-20'), { batchClients: 2 });
      await store.close();
      expect(whole.planned.length).toBeGreaterThan(3);
      const key = (p: { date: string; clientCode: string; step: string; amount: number }) =>
        `${p.date} ${p.clientCode} ${p.step} ${p.amount}`;
      // The same list in the same order, whatever the batches.
      expect(batched.planned.map(key)).toEqual(whole.planned.map(key));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
