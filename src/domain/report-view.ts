import { BUCKETS, type Buckets } from './aged-balance.js';
import { formatDateFr, type IsoDate } from './dates.js';
import { clientLabel } from './dunning.js';
import { formatEuros } from './money.js';
import type { DsoResult } from './report.js';
import { PLAN_DAYS, type Report } from './report-model.js';
import { CHANNEL_LABELS, type Channel, STEP_LABELS, type StepCode } from './scenario.js';

/**
 * The report laid out once for every human format (terminal table, CSV, HTML, PDF): sections of
 * typed cells, so that each format writes numbers its own way (1 234,56 € on screen, 1234,56 in
 * a spreadsheet) and none of them decides what the report says.
 */
export type Cell =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'money'; readonly cents: number; readonly currency: string }
  | { readonly kind: 'days'; readonly days: number | null; readonly atLeast?: boolean }
  | { readonly kind: 'rate'; readonly rate: number | null }
  | { readonly kind: 'count'; readonly count: number }
  | { readonly kind: 'date'; readonly date: IsoDate };

export interface Section {
  readonly title: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** The last row is a total (bold). */
  readonly total?: boolean;
  /** Shown when there is no row. */
  readonly empty: string;
  readonly notes: readonly string[];
}

export interface ChartData {
  readonly currency: string;
  readonly aged: readonly { readonly label: string; readonly cents: number }[];
  readonly trend: readonly {
    readonly label: string;
    readonly overdue: number;
    readonly dso: number | null;
  }[];
}

export interface ReportView {
  readonly title: string;
  readonly subtitle: string;
  readonly sections: readonly Section[];
  readonly charts: readonly ChartData[];
  readonly warnings: readonly string[];
}

export const BUCKET_TITLES = ['Non échu', '1–30 j', '31–60 j', '61–90 j', 'Plus de 90 j'];

const MONTHS = [
  'janv.',
  'févr.',
  'mars',
  'avr.',
  'mai',
  'juin',
  'juil.',
  'août',
  'sept.',
  'oct.',
  'nov.',
  'déc.',
];

/** `monthLabel('2026-03-31')` → `mars 2026`. */
export function monthLabel(date: IsoDate): string {
  return `${MONTHS[Number(date.slice(5, 7)) - 1]} ${date.slice(0, 4)}`;
}

/** For a chart's axis: `déc. 25`, then `janv. 26`, `févr.`, … (the year on the first and on January). */
export function shortMonthLabel(date: IsoDate, first: boolean): string {
  const month = Number(date.slice(5, 7));
  const name = MONTHS[month - 1] as string;
  return first || month === 1 ? `${name} ${date.slice(2, 4)}` : name;
}

export const text = (value: string): Cell => ({ kind: 'text', text: value });
const money = (cents: number, currency: string): Cell => ({ kind: 'money', cents, currency });
const days = (d: DsoResult | number | null): Cell =>
  typeof d === 'object' && d !== null
    ? { kind: 'days', days: d.days, atLeast: d.atLeast }
    : { kind: 'days', days: d };
const rate = (r: number | null): Cell => ({ kind: 'rate', rate: r });
const count = (n: number): Cell => ({ kind: 'count', count: n });
const date = (d: IsoDate): Cell => ({ kind: 'date', date: d });

export function stepLabel(step: string): string {
  return STEP_LABELS[step as StepCode] ?? step;
}

export function channelLabel(channel: string | null): string {
  return channel === null ? '—' : (CHANNEL_LABELS[channel as Channel] ?? channel);
}

const STATUS_LABELS: Readonly<Record<string, string>> = {
  fait: 'fait',
  echec: 'échec',
  incertain: 'incertain (à vérifier)',
  en_cours: 'en cours',
  a_faire: 'à faire',
};

export function dsoMethodLabel(method: Report['dsoMethod'], periodDays: number): string {
  return method === 'simple'
    ? `formule simple : encours ÷ CA TTC des ${periodDays} derniers jours × ${periodDays}`
    : 'méthode de l’épuisement du chiffre d’affaires';
}

/** Cell to display text, French style: `1 234,56 €`, `45,5 j`, `82,3 %`. */
export function displayCell(cell: Cell): string {
  switch (cell.kind) {
    case 'text':
      return cell.text;
    case 'money':
      return formatEuros(cell.cents, cell.currency);
    case 'days':
      return cell.days === null
        ? '—'
        : `${cell.atLeast ? '≥ ' : ''}${cell.days.toLocaleString('fr-FR', { maximumFractionDigits: 1 })}\u00a0j`;
    case 'rate':
      return cell.rate === null
        ? '—'
        : `${(cell.rate * 100).toLocaleString('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}\u00a0%`;
    case 'count':
      return cell.count.toLocaleString('fr-FR');
    case 'date':
      return formatDateFr(cell.date);
  }
}

export function isNumeric(cell: Cell): boolean {
  return cell.kind !== 'text' && cell.kind !== 'date';
}

/**
 * Lays the report out. `limit` caps the clients and planned actions listed (0: all); the totals
 * always cover everything.
 */
export function reportView(report: Report, limit: number): ReportView {
  const cap = <T>(items: readonly T[]) => (limit > 0 ? items.slice(0, limit) : items);
  const more = (shown: number, all: number, what: string) =>
    shown < all ? [`… et ${all - shown} autres ${what} (--limite 0 pour tout voir).`] : [];
  const sections: Section[] = [];
  const several = report.currencies.length > 1;
  const suffix = (currency: string) => (several ? ` (${currency})` : '');

  for (const c of report.currencies) {
    const cur = c.currency;
    const m = (cents: number) => money(cents, cur);
    const dsoNote =
      c.dso.days === null
        ? 'pas de chiffre d’affaires sur la période : DSO non calculable'
        : dsoMethodLabel(report.dsoMethod, report.period.days);
    sections.push({
      title: `Indicateurs${suffix(cur)}`,
      head: ['Indicateur', 'Valeur', 'Détail'],
      rows: [
        [text('Encours clients (TTC)'), m(c.receivables), text('tout ce qui reste dû, litiges compris')],
        [text('dont en retard'), m(c.overdue), text('échu, hors litiges')],
        [text('dont en litige'), m(c.disputes.amount), text(`${c.disputes.invoices} facture(s)`)],
        [text('DSO'), days(c.dso), text(dsoNote)],
        [
          text('Délai moyen de paiement'),
          days(c.delays.afterIssue),
          text(`de l’émission au règlement, ${c.delays.count} facture(s) soldée(s) sur la période`),
        ],
        [
          text('Retard moyen de paiement'),
          days(c.delays.late),
          text(
            c.delays.afterDue === null
              ? 'aucune facture soldée sur la période'
              : `après l’échéance (écart moyen à l’échéance : ${displayCell(days(c.delays.afterDue))})`,
          ),
        ],
        [
          text('Taux de recouvrement'),
          rate(c.recovery.rate),
          text(
            `${displayCell(m(c.recovery.collected))} encaissés sur ${displayCell(m(c.recovery.due))} arrivés à échéance sur la période`,
          ),
        ],
        [text('Taux de litige'), rate(c.disputes.rate), text('part de l’encours en litige')],
        [
          text('Pénalités de retard exigibles'),
          m(c.penalties.interest),
          text('intérêts au taux légal applicable, sur le solde restant dû'),
        ],
        [
          text('Indemnités forfaitaires exigibles'),
          cur === 'EUR' ? m(c.penalties.indemnity) : text('—'),
          text(`40 € × ${c.penalties.invoices} facture(s) de professionnels en retard`),
        ],
      ],
      empty: '',
      notes: [
        `Période : du ${formatDateFr(report.period.from)} au ${formatDateFr(report.period.to)} (${report.period.days} jours).`,
      ],
    });

    const bucketCells = (b: Buckets) => [...BUCKETS.map((k) => m(b[k])), m(b.total)];
    const clients = cap(c.aged.clients);
    sections.push({
      title: `Balance âgée${suffix(cur)}`,
      head: ['Client', ...BUCKET_TITLES, 'Total', 'En litige'],
      rows:
        c.aged.clients.length === 0
          ? []
          : [
              ...clients.map((k) => [
                text(clientLabel(k.name, k.code)),
                ...bucketCells(k.buckets),
                m(k.disputed),
              ]),
              [text('Total'), ...bucketCells(c.aged.totals), m(c.aged.disputed)],
            ],
      total: c.aged.clients.length > 0,
      empty: 'Aucune somme due : rien à suivre.',
      notes: [
        ...more(clients.length, c.aged.clients.length, 'clients'),
        'Les montants en litige sont à part ; les avoirs non imputés viennent en déduction.',
      ],
    });

    sections.push({
      title: `Évolution sur 12 mois${suffix(cur)}`,
      head: ['Mois', 'Au', 'En retard', 'Encours', 'DSO'],
      rows: c.trend.map((p) => [
        text(monthLabel(p.date)),
        date(p.date),
        m(p.overdue),
        m(p.receivables),
        days(p.dso),
      ]),
      empty: '',
      notes: [
        'Fins de mois reconstituées à partir des dates des factures et des règlements ; le dernier point est la situation du jour.',
        ...(c.estimatedSettlements !== 0
          ? [
              `${displayCell(m(c.estimatedSettlements))} de règlements sans date connue (déjà réglés au premier import) sont datés de leur échéance : importez le fichier des règlements ou le FEC pour des dates exactes.`,
            ]
          : []),
      ],
    });
  }

  const a = report.activity;
  sections.push({
    title: 'Relances de la période',
    head: ['Étape', 'Canal', 'Statut', 'Nombre', 'Clients', 'Montant relancé'],
    rows: a.sent.map((s) => [
      text(stepLabel(s.step)),
      text(channelLabel(s.channel)),
      text(STATUS_LABELS[s.status] ?? s.status),
      count(s.count),
      count(s.clients),
      money(s.amount, s.currency),
    ]),
    empty: 'Aucune relance sur la période.',
    notes: [],
  });

  const planned = cap(a.planned);
  sections.push({
    title: `À venir dans les ${PLAN_DAYS} jours`,
    head: ['Date', 'Client', 'Étape', 'Canal', 'Montant'],
    rows: planned.map((p) => [
      date(p.date),
      text(clientLabel(p.clientName, p.clientCode)),
      text(stepLabel(p.step)),
      text(channelLabel(p.channel)),
      money(p.amount, p.currency),
    ]),
    empty: 'Rien de prévu dans les 7 jours.',
    notes: [
      ...more(planned.length, a.planned.length, 'actions'),
      'Aujourd’hui : ce que « recouvre relancer » ferait maintenant ; ensuite, les factures dont la prochaine étape arrive.',
    ],
  });

  sections.push({
    title: 'Tâches à faire',
    head: ['Depuis le', 'Client', 'Étape', 'Canal', 'Statut', 'Montant', 'Note'],
    rows: a.tasks.map((t) => [
      date(t.date),
      text(clientLabel(t.clientName, t.clientCode)),
      text(stepLabel(t.step)),
      text(channelLabel(t.channel)),
      text(STATUS_LABELS[t.status] ?? t.status),
      money(t.amount, t.currency),
      text(t.note ?? ''),
    ]),
    empty: 'Aucune tâche en attente.',
    notes: a.tasks.length > 0 ? ['Une fois faite : recouvre historique <client> --ajouter <étape>.'] : [],
  });

  sections.push({
    title: 'Prescription',
    head: ['Facture', 'Client', 'Échéance', 'Prescrite le', 'Jours restants', 'Reste dû'],
    rows: a.prescription.map((p) => [
      text(p.number),
      text(clientLabel(p.clientName, p.clientCode)),
      date(p.dueDate),
      date(p.barredOn),
      p.daysLeft < 0 ? text('prescrite') : count(p.daysLeft),
      money(p.outstanding, p.currency),
    ]),
    empty: 'Aucune créance proche de la prescription.',
    notes: [
      'Prescription comptée depuis l’échéance : 5 ans entre professionnels (art. L110-4 C. com.), 2 ans contre un particulier (art. L218-2 C. consom.) ; alerte 90 jours avant.',
    ],
  });

  sections.push({
    title: 'Factures retirées du recouvrement',
    head: ['Facture', 'Client', 'Reste dû', 'Pourquoi'],
    rows: a.withdrawn.map((w) => [
      text(w.number),
      text(clientLabel(w.clientName, w.clientCode)),
      money(w.outstanding, w.currency),
      text(w.reason ?? `statut ${w.code}`),
    ]),
    empty: 'Aucune facture rejetée ou annulée restée ouverte.',
    notes:
      a.withdrawn.length > 0
        ? [
            'Statut 213 « Rejetée » ou 220 « Annulée » : recouvre ne les relance plus ; soldez-les ou émettez un avoir dans votre logiciel.',
          ]
        : [],
  });

  sections.push({
    title: 'Pénalités des factures payées en retard',
    head: ['Client', 'Factures', 'Pénalités', 'Indemnités', 'Réclamable'],
    rows: a.lateFees.map((f) => [
      text(clientLabel(f.clientName, f.clientCode)),
      count(f.invoices),
      money(f.interest, f.currency),
      money(f.indemnity, f.currency),
      money(f.interest + f.indemnity, f.currency),
    ]),
    empty: 'Aucune pénalité à réclamer sur des factures payées en retard.',
    notes:
      a.lateFees.length > 0
        ? [
            'Payée après l’échéance, une facture doit encore ses pénalités jusqu’au règlement et 40 € d’indemnité (art. L441-10 et D441-5 C. com.). Le détail : recouvre penalites <facture> ; les réclamer : étape « penalites » du scénario.',
          ]
        : [],
  });

  const who = report.client ? ` — ${clientLabel(report.client.name, report.client.code)}` : '';
  return {
    title: `Rapport de recouvrement au ${formatDateFr(report.asOf)}${who}`,
    subtitle: `Balance âgée, indicateurs et activité des ${report.period.days} derniers jours`,
    sections,
    charts: report.currencies.map((c) => ({
      currency: c.currency,
      aged: BUCKETS.map((k, i) => ({ label: BUCKET_TITLES[i] as string, cents: c.aged.totals[k] })),
      trend: c.trend.map((p, i) => ({
        label: shortMonthLabel(p.date, i === 0),
        overdue: p.overdue,
        dso: p.dso.days,
      })),
    })),
    warnings: report.warnings,
  };
}
