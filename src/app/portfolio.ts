import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CliRun } from '../adapters/cli-pool.js';
import type { Portfolio, PortfolioCompany } from '../adapters/portfolio-file.js';
import type { IsoDate } from '../domain/dates.js';
import {
  type CompanyPlanJson,
  type CompanyReportJson,
  type CompanyStatus,
  companyStatus,
  failedStatus,
} from '../domain/portfolio.js';

/**
 * A firm's portfolio at work: each company's own recouvre command, run for it in its folder (its
 * base, configuration, templates, lock), many at once; one company's failure is its own line and
 * the others go on.
 */

export interface CompanyRunner {
  run(
    argv: readonly string[],
    cwd: string,
    env: Readonly<Record<string, string | undefined>>,
  ): Promise<CliRun>;
}

export interface CompanyOutcome {
  readonly company: PortfolioCompany;
  readonly run: CliRun;
  /** The command's --json answer, when it gave one. */
  readonly json: unknown;
}

/** The companies a command works on: the active ones, or those of one staff member. */
export function selectCompanies(portfolio: Portfolio, manager: string | null): PortfolioCompany[] {
  const same = (a: string, b: string) => a.localeCompare(b, 'fr', { sensitivity: 'base' }) === 0;
  return portfolio.companies.filter(
    (c) => c.active && (manager === null || (c.manager !== null && same(c.manager, manager))),
  );
}

/** Runs `argv` (a recouvre command line, with --json) for each company, all queued at once. */
export function runForEach(
  companies: readonly PortfolioCompany[],
  runner: CompanyRunner,
  env: Readonly<Record<string, string | undefined>>,
  argv: (company: PortfolioCompany) => readonly string[],
): Promise<CompanyOutcome[]> {
  // The company's own base and configuration, whatever the firm's environment says.
  const own = { ...env, RECOUVRE_DB: '' };
  return Promise.all(
    companies.map(async (company) => {
      if (
        !existsSync(join(company.path, 'recouvre.db')) &&
        !existsSync(join(company.path, 'recouvre.toml'))
      ) {
        const stderr = `recouvre : dossier de société introuvable ou vide : ${company.path} (ni recouvre.db ni recouvre.toml). Corrigez « dossier » dans cabinet.toml, ou créez-la avec « recouvre cabinet ajouter ».\n`;
        return { company, run: { code: 1, stdout: '', stderr }, json: null };
      }
      const run = await runner.run(
        ['--db', join(company.path, 'recouvre.db'), ...argv(company)],
        company.path,
        own,
      );
      return { company, run, json: parseJson(run.stdout) };
    }),
  );
}

function parseJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return null;
  try {
    return JSON.parse(trimmed);
  } catch {
    return null;
  }
}

/**
 * What a company's command said went wrong: the first error of its --json answer (file, line,
 * column), else the first lines it wrote, without the « recouvre : » prefix.
 */
export function problemOf(run: CliRun, json: unknown = null): string {
  const answer = json as {
    fichier?: string;
    chemin?: string;
    nombre_erreurs?: number;
    erreurs?: {
      ligne?: number;
      colonne?: string | null;
      valeur?: string;
      message?: string;
      fichier?: string;
    }[];
  } | null;
  const first = answer?.erreurs?.[0];
  if (first) {
    const file = basename(first.fichier ?? answer?.fichier ?? answer?.chemin ?? '');
    const where = `${file}${first.ligne ? `:${first.ligne}` : ''}${first.colonne ? `, colonne « ${first.colonne} »` : ''}`;
    const more =
      (answer?.nombre_erreurs ?? 1) > 1 ? ` (et ${(answer?.nombre_erreurs ?? 1) - 1} autre(s))` : '';
    return `${where} : ${first.valeur ? `« ${first.valeur} » : ` : ''}${first.message ?? ''}${more}`;
  }
  const lines = run.stderr
    .split('\n')
    .map((l) => l.replace(/^recouvre : /, '').trim())
    .filter((l) => l !== '');
  return lines.slice(0, 2).join(' ') || `arrêt avec le code ${run.code}`;
}

/** The morning report's line of each company: its report and today's plan, read from its own store. */
export async function companyStatuses(
  companies: readonly PortfolioCompany[],
  runner: CompanyRunner,
  env: Readonly<Record<string, string | undefined>>,
  asOf: IsoDate,
): Promise<CompanyStatus[]> {
  const date = ['--date', asOf];
  const [reports, plans] = await Promise.all([
    runForEach(companies, runner, env, () => ['rapport', '--format', 'json', '--periode', '1', ...date]),
    runForEach(companies, runner, env, () => ['relancer', '--dry-run', '--json', ...date]),
  ]);
  return companies.map((company, i) => {
    const identity = { folder: company.folder, name: company.name, manager: company.manager };
    const report = reports[i] as CompanyOutcome;
    const plan = plans[i] as CompanyOutcome;
    if (report.json === null) return failedStatus(identity, problemOf(report.run));
    if (plan.json === null) return failedStatus(identity, problemOf(plan.run));
    return companyStatus(identity, report.json as CompanyReportJson, plan.json as CompanyPlanJson, asOf);
  });
}
