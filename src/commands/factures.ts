import { listOpenInvoices } from '../adapters/db/invoice-list.js';
import { openStore } from '../adapters/db/open.js';
import { colors, renderTable } from '../adapters/terminal.js';
import type { Context } from '../context.js';
import { daysBetween, formatDateFr, type IsoDate } from '../domain/dates.js';
import { clientLabel } from '../domain/dunning.js';
import { outstanding } from '../domain/invoice-row.js';
import { type Cents, formatEuros } from '../domain/money.js';
import { UserError } from '../errors.js';
import { plural } from './format.js';

export interface FacturesOptions {
  readonly enRetard?: boolean;
  readonly client?: string;
  readonly json?: boolean;
  readonly limite?: number;
}

interface Line {
  readonly number: string;
  readonly clientCode: string;
  readonly clientName: string;
  readonly issueDate: IsoDate;
  readonly dueDate: IsoDate;
  readonly amount: Cents;
  readonly paid: Cents;
  readonly outstanding: Cents;
  readonly currency: string;
  readonly daysLate: number;
  readonly disputed: boolean;
}

/** Lists open invoices (those with something still due), or only the late ones, as of a date. */
export async function runFactures(context: Context, options: FacturesOptions): Promise<number> {
  // `--date`, when given, is the context's day (main.ts).
  const asOf = context.today;
  const store = await openStore(context.dbPath, { create: false });
  let rows: Line[];
  try {
    const result = await listOpenInvoices(store, {
      lateOn: options.enRetard ? asOf : undefined,
      clientCode: options.client,
    });
    if (result === null)
      throw new UserError(
        `Client « ${options.client} » inconnu : vérifiez son code (colonne « Code client » de l'export).`,
      );
    rows = result.map((r) => ({
      number: r.number,
      clientCode: r.code,
      clientName: r.name,
      issueDate: r.issue_date as IsoDate,
      dueDate: r.due_date as IsoDate,
      amount: r.amount_cents as Cents,
      paid: r.paid_cents as Cents,
      outstanding: outstanding(r.amount_cents as Cents, r.paid_cents as Cents, r.payments as Cents, r.fresh),
      currency: r.currency,
      daysLate: Math.max(0, daysBetween(r.due_date as IsoDate, asOf)),
      disputed: r.disputed === 1,
    }));
  } finally {
    await store.close();
  }

  if (options.json) {
    context.stdout.write(
      `${JSON.stringify({
        date: asOf,
        factures: rows.map((r) => ({
          numero: r.number,
          client: r.clientCode,
          client_nom: r.clientName,
          date: r.issueDate,
          echeance: r.dueDate,
          montant_centimes: r.amount,
          regle_centimes: r.paid,
          reste_du_centimes: r.outstanding,
          devise: r.currency,
          jours_retard: r.daysLate,
          litige: r.disputed,
        })),
      })}\n`,
    );
    return 0;
  }
  const c = colors(context);
  const what = options.enRetard ? 'en retard' : 'ouverte';
  const whatPlural = options.enRetard ? 'en retard' : 'ouvertes';
  if (rows.length === 0) {
    context.stdout.write(`Aucune facture ${what} au ${formatDateFr(asOf)}.\n`);
    return 0;
  }
  const limit = options.limite ?? 100;
  const shown = limit > 0 ? rows.slice(0, limit) : rows;
  const table = renderTable(
    context,
    ['Facture', 'Client', 'Date', 'Échéance', 'Montant TTC', 'Réglé', 'Reste dû', 'Retard'],
    shown.map((r) => [
      r.disputed ? `${r.number} ${c.yellow('(litige)')}` : r.number,
      clientLabel(r.clientName, r.clientCode),
      formatDateFr(r.issueDate),
      formatDateFr(r.dueDate),
      formatEuros(r.amount, r.currency),
      formatEuros(r.paid, r.currency),
      c.bold(formatEuros(r.outstanding, r.currency)),
      r.daysLate > 0 ? c.red(plural(r.daysLate, 'jour', 'jours')) : '—',
    ]),
    [4, 5, 6],
  );
  context.stdout.write(`${table}\n`);
  if (shown.length < rows.length) {
    context.stdout.write(
      c.dim(
        `… ${rows.length - shown.length} autres (--limite 0 pour tout afficher, --json pour les traiter).\n`,
      ),
    );
  }
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.currency, (totals.get(r.currency) ?? 0) + r.outstanding);
  const sums = [...totals].map(([currency, total]) => formatEuros(total, currency)).join(' + ');
  context.stdout.write(
    `${plural(rows.length, `facture ${what}`, `factures ${whatPlural}`)} au ${formatDateFr(asOf)} : ${c.bold(sums)} restant dû.\n`,
  );
  return 0;
}
