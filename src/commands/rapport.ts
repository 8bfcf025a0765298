import { agedBalanceFromStore } from '../adapters/db/aged-balance-store.js';
import { openStore } from '../adapters/db/open.js';
import { colors, renderTable } from '../adapters/terminal.js';
import { clientIdByCode } from '../app/dunning-plan.js';
import type { Context } from '../context.js';
import { type AgedBalance, BUCKETS, type Buckets } from '../domain/aged-balance.js';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import { formatEuros } from '../domain/money.js';
import { UsageError } from '../errors.js';

export interface RapportOptions {
  readonly date?: IsoDate;
  readonly format?: string;
  readonly client?: string;
  readonly limite?: number;
}

const BUCKET_TITLES = ['Non échu', '1–30 j', '31–60 j', '61–90 j', '+ 90 j', 'Total'];

/**
 * `recouvre rapport`: who owes what, and since when. For now the aged balance (balance âgée), per
 * currency and per client, in a table or in JSON; the other figures of the report come next.
 */
export async function runRapport(context: Context, options: RapportOptions): Promise<number> {
  const format = options.format ?? (context.stdout.isTTY ? 'table' : 'json');
  if (format !== 'table' && format !== 'json') {
    throw new UsageError(`--format « ${format} » : attendu table ou json (les autres formats arrivent).`);
  }
  const asOf = options.date ?? context.today;
  const store = await openStore(context.dbPath, { create: false });
  let balances: AgedBalance[];
  try {
    const clientId = options.client ? clientIdByCode(store, options.client) : undefined;
    balances = agedBalanceFromStore(store.sqlite, asOf, clientId);
  } finally {
    await store.close();
  }
  if (format === 'json') {
    const cents = (b: Buckets) =>
      Object.fromEntries([...BUCKETS, 'total'].map((k) => [k, b[k as keyof Buckets]]));
    const main = balances.find((b) => b.currency === 'EUR') ?? balances[0];
    context.stdout.write(
      `${JSON.stringify({
        date: asOf,
        devise: main?.currency ?? 'EUR',
        balance_agee: cents(
          main?.totals ?? { non_echu: 0, j1_30: 0, j31_60: 0, j61_90: 0, plus_90: 0, total: 0 },
        ),
        litiges_centimes: main?.disputed ?? 0,
        devises: balances.map((b) => ({
          devise: b.currency,
          balance_agee: cents(b.totals),
          litiges_centimes: b.disputed,
          clients: b.clients.map((c) => ({
            client: c.code,
            nom: c.name,
            ...cents(c.buckets),
            litiges: c.disputed,
          })),
        })),
      })}\n`,
    );
    return 0;
  }
  const c = colors(context);
  context.stdout.write(`${c.bold(`Balance âgée au ${formatDateFr(asOf)}`)}\n`);
  if (balances.length === 0) {
    context.stdout.write('Aucune somme due : rien à suivre.\n');
    return 0;
  }
  const limit = options.limite ?? 20;
  for (const balance of balances) {
    const money = (n: number) => formatEuros(n, balance.currency);
    const row = (b: Buckets) => [...BUCKETS.map((k) => money(b[k])), money(b.total)];
    const shown = limit > 0 ? balance.clients.slice(0, limit) : balance.clients;
    context.stdout.write(
      `${renderTable(
        context,
        ['Client', ...BUCKET_TITLES, 'En litige'],
        [
          ...shown.map((k) => [
            `${k.name} (${k.code})`,
            ...row(k.buckets),
            k.disputed ? money(k.disputed) : '—',
          ]),
          [
            c.bold('Total'),
            ...row(balance.totals).map((cell) => c.bold(cell)),
            balance.disputed ? c.bold(money(balance.disputed)) : '—',
          ],
        ],
        [1, 2, 3, 4, 5, 6, 7],
      )}\n`,
    );
    if (shown.length < balance.clients.length) {
      context.stdout.write(
        c.dim(
          `… ${balance.clients.length - shown.length} autres clients (--limite 0 pour tous, --format json).\n`,
        ),
      );
    }
  }
  context.stdout.write(
    c.dim('Les montants en litige sont à part ; les avoirs non imputés viennent en déduction.\n'),
  );
  return 0;
}
