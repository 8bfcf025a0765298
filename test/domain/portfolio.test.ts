import { describe, expect, it } from 'vitest';
import type { IsoDate } from '../../src/domain/dates.js';
import {
  byAttention,
  type CompanyPlanJson,
  type CompanyReportJson,
  companyStatus,
  failedStatus,
  portfolioView,
} from '../../src/domain/portfolio.js';

const ASOF = '2026-11-20' as IsoDate;

function report(overrides: Partial<CompanyReportJson> = {}): CompanyReportJson {
  return {
    date: ASOF,
    dernier_import: ASOF,
    devise: 'EUR',
    balance_agee: { non_echu: 100, j1_30: 200, j31_60: 0, j61_90: 0, plus_90: 0 },
    indicateurs: { encours_centimes: 300, en_retard_centimes: 200, dso: { jours: 31 } },
    tendance: [{ mois: '2026-11', en_retard_centimes: 200 }],
    activite: { relances: [], taches: [] },
    avertissements: [],
    ...overrides,
  };
}
const plan = (overrides: Partial<CompanyPlanJson> = {}): CompanyPlanJson => ({
  actions: [],
  actions_incertaines: [],
  ...overrides,
});
const who = (name: string) => ({ folder: name, name, manager: null });

describe('companyStatus', () => {
  it('counts what went today and what waits, most urgent first', () => {
    const s = companyStatus(
      who('A'),
      report({
        dernier_import: '2026-11-10' as IsoDate,
        activite: {
          relances: [
            { statut: 'fait', nombre: 3 },
            { statut: 'echec', nombre: 1 },
          ],
          taches: [{ statut: 'a_faire' }],
        },
      }),
      plan({ actions: [{ client: 'C1', blocages: [{ message: 'adresse postale du client C1 inconnue' }] }] }),
      ASOF,
    );
    expect(s).toMatchObject({ sentToday: 3, failedToday: 1, dueToday: 1, blocked: 1, tasks: 1, urgency: 1 });
    expect(s.attention).toEqual([
      '1 envoi(s) en échec aujourd’hui',
      '1 relance(s) bloquée(s) : adresse postale du client C1 inconnue',
      'données du 10/11/2026 : importez le dernier export',
      '1 tâche(s) à faire (appels, contentieux)',
    ]);
  });

  it('has nothing to say of a company up to date', () => {
    const s = companyStatus(who('A'), report(), plan(), ASOF);
    expect(s.attention).toEqual([]);
    expect(s.urgency).toBeNull();
  });
});

describe('byAttention and the view', () => {
  it('puts a company that could not be read first, then the most urgent, then the largest overdue', () => {
    const quiet = companyStatus(who('Calme'), report(), plan(), ASOF);
    const big = companyStatus(
      who('Grosse'),
      report({ indicateurs: { encours_centimes: 9000, en_retard_centimes: 9000, dso: { jours: 90 } } }),
      plan(),
      ASOF,
    );
    const stale = companyStatus(who('Ancienne'), report({ dernier_import: null }), plan(), ASOF);
    const broken = failedStatus(who('Cassée'), 'recouvre.toml:3 : clé inconnue');
    const order = [quiet, big, stale, broken].sort(byAttention).map((s) => s.company.name);
    expect(order).toEqual(['Cassée', 'Ancienne', 'Grosse', 'Calme']);

    const view = portfolioView([quiet, big, stale, broken], ASOF, null);
    expect(view.subtitle).toBe('4 société(s), 2 à regarder');
    const total = view.sections[0]!.rows.at(-1)!;
    expect(total[3]).toEqual({ kind: 'money', cents: 9000 + 200 + 200, currency: 'EUR' });
    expect(view.charts[0]!.aged.map((b) => b.cents)).toEqual([300, 600, 0, 0, 0]);
  });
});
