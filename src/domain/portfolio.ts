import { daysBetween, formatDateFr, type IsoDate } from './dates.js';
import {
  BUCKET_TITLES,
  type Cell,
  type ChartData,
  type ReportView,
  shortMonthLabel,
  text,
} from './report-view.js';

/**
 * The firm's morning: one line per company, from what its own `rapport --json` and
 * `relancer --dry-run --json` say, sorted so that what needs a person comes first.
 */

/** The parts of a company's `rapport --format json` the firm's report reads. */
export interface CompanyReportJson {
  readonly date: IsoDate;
  readonly dernier_import: IsoDate | null;
  readonly devise: string;
  readonly balance_agee: Readonly<Record<'non_echu' | 'j1_30' | 'j31_60' | 'j61_90' | 'plus_90', number>>;
  readonly indicateurs: {
    readonly encours_centimes: number;
    readonly en_retard_centimes: number;
    readonly dso: { readonly jours: number | null };
  };
  readonly tendance: readonly { readonly mois: string; readonly en_retard_centimes: number }[];
  readonly activite: {
    readonly relances: readonly { readonly statut: string; readonly nombre: number }[];
    readonly taches: readonly { readonly statut: string }[];
  };
  readonly avertissements: readonly string[];
}

/** The parts of a company's `relancer --dry-run --json`. */
export interface CompanyPlanJson {
  readonly actions: readonly {
    readonly client: string;
    readonly blocages: readonly { readonly message: string }[];
  }[];
  readonly actions_incertaines: readonly unknown[];
}

export interface CompanyIdentity {
  readonly folder: string;
  readonly name: string;
  readonly manager: string | null;
}

export interface CompanyStatus {
  readonly company: CompanyIdentity;
  /** What could not be read (a missing base, an invalid configuration…), or null. */
  readonly error: string | null;
  readonly currency: string;
  readonly receivables: number;
  readonly overdue: number;
  readonly dso: number | null;
  readonly sentToday: number;
  readonly failedToday: number;
  readonly dueToday: number;
  readonly blocked: number;
  readonly uncertain: number;
  readonly tasks: number;
  readonly lastImport: IsoDate | null;
  /** What a person should look at, in French, most urgent first. */
  readonly attention: readonly string[];
  /** The rank of the most urgent of those (0: the company could not be read), or null when none. */
  readonly urgency: number | null;
  readonly aged: readonly number[];
  readonly trend: readonly { readonly month: string; readonly overdue: number }[];
}

/** Data older than this many days is said to be stale. */
export const STALE_DAYS = 3;

const BUCKET_KEYS = ['non_echu', 'j1_30', 'j31_60', 'j61_90', 'plus_90'] as const;

export function companyStatus(
  company: CompanyIdentity,
  report: CompanyReportJson,
  plan: CompanyPlanJson,
  asOf: IsoDate,
): CompanyStatus {
  const count = (status: string) =>
    report.activite.relances.filter((r) => r.statut === status).reduce((sum, r) => sum + r.nombre, 0);
  const blocked = plan.actions.filter((a) => a.blocages.length > 0);
  const failedToday = count('echec');
  const uncertain = plan.actions_incertaines.length;
  const tasks = report.activite.taches.length;
  // Most urgent first: what went wrong today, what may have gone twice, what cannot go, what is old.
  const found: [number, string][] = [];
  if (failedToday > 0) found.push([1, `${failedToday} envoi(s) en échec aujourd’hui`]);
  if (uncertain > 0) found.push([2, `${uncertain} envoi(s) incertain(s) à vérifier`]);
  if (blocked.length > 0)
    found.push([3, `${blocked.length} relance(s) bloquée(s) : ${blocked[0]!.blocages[0]!.message}`]);
  if (report.dernier_import === null) found.push([4, 'aucun import : la base est vide']);
  else if (daysBetween(report.dernier_import, asOf) > STALE_DAYS)
    found.push([4, `données du ${formatDateFr(report.dernier_import)} : importez le dernier export`]);
  for (const warning of report.avertissements) found.push([5, warning]);
  if (tasks > 0) found.push([6, `${tasks} tâche(s) à faire (appels, contentieux)`]);
  const attention = found.map(([, what]) => what);
  const urgency = found.length > 0 ? (found[0] as [number, string])[0] : null;
  return {
    company,
    error: null,
    currency: report.devise,
    receivables: report.indicateurs.encours_centimes,
    overdue: report.indicateurs.en_retard_centimes,
    dso: report.indicateurs.dso.jours,
    sentToday: count('fait'),
    failedToday,
    dueToday: plan.actions.length,
    blocked: blocked.length,
    uncertain,
    tasks,
    lastImport: report.dernier_import,
    attention,
    urgency,
    aged: BUCKET_KEYS.map((k) => report.balance_agee[k]),
    trend: report.tendance.map((t) => ({ month: t.mois, overdue: t.en_retard_centimes })),
  };
}

export function failedStatus(company: CompanyIdentity, error: string): CompanyStatus {
  return {
    company,
    error,
    currency: 'EUR',
    receivables: 0,
    overdue: 0,
    dso: null,
    sentToday: 0,
    failedToday: 0,
    dueToday: 0,
    blocked: 0,
    uncertain: 0,
    tasks: 0,
    lastImport: null,
    attention: [error],
    urgency: 0,
    aged: BUCKET_KEYS.map(() => 0),
    trend: [],
  };
}

/** The most urgent first (a company that could not be read, then failures…), then the largest overdue. */
export function byAttention(a: CompanyStatus, b: CompanyStatus): number {
  return (
    (a.urgency ?? 99) - (b.urgency ?? 99) ||
    b.attention.length - a.attention.length ||
    b.overdue - a.overdue ||
    a.company.name.localeCompare(b.company.name, 'fr')
  );
}

const money = (cents: number, currency: string): Cell => ({ kind: 'money', cents, currency });
const count = (n: number): Cell => ({ kind: 'count', count: n });

export function portfolioView(
  statuses: readonly CompanyStatus[],
  asOf: IsoDate,
  manager: string | null,
): ReportView {
  const sorted = [...statuses].sort(byAttention);
  const euros = sorted.filter((s) => s.error === null && s.currency === 'EUR');
  const total = (pick: (s: CompanyStatus) => number) => euros.reduce((sum, s) => sum + pick(s), 0);
  const months = [...new Set(euros.flatMap((s) => s.trend.map((t) => t.month)))].sort();
  const chart: ChartData = {
    currency: 'EUR',
    aged: BUCKET_TITLES.map((label, i) => ({ label, cents: total((s) => s.aged[i] ?? 0) })),
    trend: months.map((month, i) => ({
      label: shortMonthLabel(`${month}-01` as IsoDate, i === 0),
      overdue: total((s) => s.trend.find((t) => t.month === month)?.overdue ?? 0),
      dso: null,
    })),
  };
  const needing = sorted.filter((s) => s.attention.length > 0);
  return {
    title: `Portefeuille du cabinet au ${formatDateFr(asOf)}${manager ? ` — ${manager}` : ''}`,
    subtitle: `${statuses.length} société(s), ${needing.length} à regarder`,
    sections: [
      {
        title: 'Sociétés',
        head: [
          'Société',
          'Responsable',
          'Encours',
          'En retard',
          'DSO',
          'Envoyées auj.',
          'Échecs',
          'À faire auj.',
          'Incertaines',
          'Tâches',
          'Dernier import',
        ],
        rows: [
          ...sorted.map((s) => [
            text(s.company.name),
            text(s.company.manager ?? ''),
            s.error ? text('—') : money(s.receivables, s.currency),
            s.error ? text('—') : money(s.overdue, s.currency),
            { kind: 'days', days: s.dso } as Cell,
            count(s.sentToday),
            count(s.failedToday),
            count(s.dueToday),
            count(s.uncertain),
            count(s.tasks),
            s.lastImport ? ({ kind: 'date', date: s.lastImport } as Cell) : text('jamais'),
          ]),
          [
            text('Total (en euros)'),
            text(''),
            money(
              total((s) => s.receivables),
              'EUR',
            ),
            money(
              total((s) => s.overdue),
              'EUR',
            ),
            { kind: 'days', days: null } as Cell,
            count(total((s) => s.sentToday)),
            count(total((s) => s.failedToday)),
            count(total((s) => s.dueToday)),
            count(total((s) => s.uncertain)),
            count(total((s) => s.tasks)),
            text(''),
          ],
        ],
        total: true,
        empty: 'Aucune société dans le portefeuille.',
        notes: [
          'Triées par ce qui demande quelqu’un : erreurs, puis envois en échec ou incertains, relances bloquées, données anciennes.',
        ],
      },
      {
        title: 'À regarder',
        head: ['Société', 'Responsable', 'Quoi'],
        rows: needing.flatMap((s) =>
          s.attention.map((what) => [text(s.company.name), text(s.company.manager ?? ''), text(what)]),
        ),
        empty: 'Rien à regarder : chaque société est à jour.',
        notes: [],
      },
    ],
    charts: euros.length > 0 ? [chart] : [],
    warnings: [],
  };
}
