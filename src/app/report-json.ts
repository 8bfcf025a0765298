import type { Buckets } from '../domain/aged-balance.js';
import type { CurrencyReport, Report } from '../domain/report-model.js';

/**
 * The report as JSON for scripts and cron: stable French keys, amounts in cents (`_centimes`),
 * durations in days, rates as fractions (0.823), null where a figure cannot be computed.
 * The top level repeats the main currency's figures (euros when there are any).
 */
export function reportJson(report: Report): unknown {
  const mainJson = currencyJson(report.currencies[0] as CurrencyReport);
  const { devise, balance_agee, litiges_centimes, indicateurs, tendance } = mainJson;
  const a = report.activity;
  return {
    date: report.asOf,
    dernier_import: report.lastImport,
    periode: { du: report.period.from, au: report.period.to, jours: report.period.days },
    client: report.client ? { code: report.client.code, nom: report.client.name } : null,
    devise,
    balance_agee,
    litiges_centimes,
    indicateurs,
    tendance,
    devises: report.currencies.map(currencyJson),
    activite: {
      relances: a.sent.map((s) => ({
        devise: s.currency,
        etape: s.step,
        canal: s.channel,
        statut: s.status,
        nombre: s.count,
        clients: s.clients,
        montant_centimes: s.amount,
      })),
      a_venir: a.planned.map((p) => ({
        date: p.date,
        client: p.clientCode,
        nom: p.clientName,
        etape: p.step,
        canal: p.channel,
        devise: p.currency,
        montant_centimes: p.amount,
      })),
      taches: a.tasks.map((t) => ({
        date: t.date,
        client: t.clientCode,
        nom: t.clientName,
        etape: t.step,
        canal: t.channel,
        statut: t.status,
        devise: t.currency,
        montant_centimes: t.amount,
        note: t.note,
      })),
      prescription: a.prescription.map((p) => ({
        facture: p.number,
        client: p.clientCode,
        nom: p.clientName,
        echeance: p.dueDate,
        prescrite_le: p.barredOn,
        jours_restants: p.daysLeft,
        devise: p.currency,
        reste_du_centimes: p.outstanding,
      })),
      retirees_du_recouvrement: a.withdrawn.map((w) => ({
        facture: w.number,
        client: w.clientCode,
        nom: w.clientName,
        devise: w.currency,
        reste_du_centimes: w.outstanding,
        code_statut: w.code,
        motif: w.reason,
      })),
      penalites_factures_payees_en_retard: a.lateFees.map((f) => ({
        client: f.clientCode,
        nom: f.clientName,
        devise: f.currency,
        factures: f.invoices,
        penalites_centimes: f.interest,
        indemnites_centimes: f.indemnity,
        reclamable_centimes: f.interest + f.indemnity,
      })),
    },
    avertissements: report.warnings,
  };
}

/** The buckets and their total, in that order. */
function cents(b: Buckets) {
  return {
    non_echu: b.non_echu,
    j1_30: b.j1_30,
    j31_60: b.j31_60,
    j61_90: b.j61_90,
    plus_90: b.plus_90,
    total: b.total,
  };
}

function currencyJson(c: CurrencyReport) {
  return {
    devise: c.currency,
    balance_agee: cents(c.aged.totals),
    litiges_centimes: c.aged.disputed,
    // Rows of one shape: a large store has 50,000 clients, and rows built key by key take a
    // tenth of a second more to build and to write.
    clients: c.aged.clients.map(({ code, name, buckets, disputed }) => ({
      client: code,
      nom: name,
      ...cents(buckets),
      litiges: disputed,
    })),
    indicateurs: {
      encours_centimes: c.receivables,
      en_retard_centimes: c.overdue,
      dso: { methode: c.dso.method, jours: c.dso.days, minimum: c.dso.atLeast },
      delai_moyen_paiement_jours: c.delays.afterIssue,
      retard_moyen_jours: c.delays.late,
      ecart_moyen_echeance_jours: c.delays.afterDue,
      factures_soldees_periode: c.delays.count,
      recouvrement: {
        echu_centimes: c.recovery.due,
        encaisse_centimes: c.recovery.collected,
        taux: c.recovery.rate,
      },
      litiges: { montant_centimes: c.disputes.amount, factures: c.disputes.invoices, taux: c.disputes.rate },
      penalites_centimes: c.penalties.interest,
      indemnites_centimes: c.penalties.indemnity,
      factures_en_retard_professionnels: c.penalties.invoices,
      reglements_dates_estimees_centimes: c.estimatedSettlements,
    },
    tendance: c.trend.map((p) => ({
      date: p.date,
      mois: p.date.slice(0, 7),
      en_retard_centimes: p.overdue,
      encours_centimes: p.receivables,
      dso_jours: p.dso.days,
      dso_minimum: p.dso.atLeast,
    })),
  };
}

/** Rows of a long array written at once by `jsonChunks`. */
const ROWS_PER_CHUNK = 1000;

/**
 * The text of `JSON.stringify(value)`, in pieces: long arrays (the clients of a large store, the
 * week's actions) a thousand rows at a time, so that the report is never one string in memory.
 */
export function* jsonChunks(value: unknown): Generator<string> {
  if (Array.isArray(value)) {
    if (value.length <= ROWS_PER_CHUNK) {
      yield JSON.stringify(value);
      return;
    }
    for (let from = 0; from < value.length; from += ROWS_PER_CHUNK) {
      const rows = JSON.stringify(value.slice(from, from + ROWS_PER_CHUNK));
      yield `${from === 0 ? '[' : ','}${rows.slice(1, -1)}`;
    }
    yield ']';
  } else if (value !== null && typeof value === 'object' && !('toJSON' in value)) {
    let separator = '{';
    for (const [key, field] of Object.entries(value)) {
      if (field === undefined) continue;
      yield `${separator}${JSON.stringify(key)}:`;
      yield* jsonChunks(field);
      separator = ',';
    }
    yield separator === '{' ? '{}' : '}';
  } else {
    yield JSON.stringify(value) ?? 'null';
  }
}
