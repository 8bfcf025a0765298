import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { CliPool } from '../adapters/cli-pool.js';
import { loadConfig } from '../adapters/config.js';
import {
  appendCompany,
  createPortfolio,
  loadPortfolio,
  type NewCompany,
  PORTFOLIO_FILE,
  type PortfolioCompany,
} from '../adapters/portfolio-file.js';
import { renderTable } from '../adapters/terminal.js';
import {
  type CompanyOutcome,
  type CompanyRunner,
  companyStatuses,
  problemOf,
  runForEach,
  selectCompanies,
} from '../app/portfolio.js';
import type { Context } from '../context.js';
import type { IsoDate } from '../domain/dates.js';
import { formatEuros } from '../domain/money.js';
import { byAttention, type CompanyStatus, portfolioView } from '../domain/portfolio.js';
import { UsageError, UserError } from '../errors.js';
import { displayPath, plural, writeJson } from './format.js';
import { runInit } from './init.js';
import { chooseFormat, recipientsOf, reportTable, sendReport, writeOutput } from './report-output.js';

/**
 * `recouvre cabinet …`: a firm's portfolio of client companies, one folder each, listed in
 * `cabinet.toml`. Each company's own command runs for it (`recouvre --db <dossier>/recouvre.db …`),
 * as many at once as there are cores; nothing of one company reaches another's.
 */

export interface CabinetOptions {
  readonly cabinet?: string;
  readonly responsable?: string;
  readonly paralleles?: number;
  readonly json?: boolean;
  readonly dryRun?: boolean;
  readonly date?: IsoDate;
  readonly format?: string;
  readonly sortie?: string;
  readonly nom?: string;
  readonly siren?: string;
  /** `true` when given without addresses: those of the firm's recouvre.toml [rapport] destinataires. */
  readonly envoyer?: string | boolean;
}

const portfolioPath = (context: Context, options: CabinetOptions) =>
  resolve(context.cwd, options.cabinet ?? PORTFOLIO_FILE);

/** `cabinet init`: a `cabinet.toml` listing the company folders found here. */
export async function runCabinetInit(context: Context, options: CabinetOptions): Promise<number> {
  const file = portfolioPath(context, options);
  if (existsSync(file)) {
    throw new UserError(`${displayPath(context.cwd, file)} existe déjà : il est laissé tel quel.`, [
      'Ajoutez une société avec « recouvre cabinet ajouter <dossier> ».',
    ]);
  }
  const base = dirname(file);
  const found: NewCompany[] = [];
  for (const entry of readdirSync(base, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (!entry.isDirectory() || !existsSync(join(base, entry.name, 'recouvre.db'))) continue;
    found.push(await describeCompany(join(base, entry.name), entry.name, {}));
  }
  createPortfolio(file, found);
  context.stdout.write(
    `Portefeuille créé : ${displayPath(context.cwd, file)}, ${plural(found.length, 'société trouvée', 'sociétés trouvées')}${found.length > 0 ? ` (${found.map((f) => f.folder).join(', ')})` : ''}.\n` +
      'Ajoutez-en avec « recouvre cabinet ajouter <dossier> --responsable <nom> » ; indiquez dans le recouvre.toml de chacune ce que « cabinet import » doit lire ([import] source).\n',
  );
  return 0;
}

/** Name and SIREN from the company's own configuration when the command line does not give them. */
async function describeCompany(
  path: string,
  folder: string,
  given: { name?: string | undefined; siren?: string | undefined; manager?: string | undefined },
): Promise<NewCompany> {
  const config = await loadConfig(join(path, 'recouvre.toml'), false).catch(() => null);
  return {
    folder,
    name: given.name ?? config?.creancier.raison_sociale,
    siren: given.siren ?? config?.creancier.siren,
    manager: given.manager,
  };
}

/** `cabinet ajouter <dossier>`: one more company, its folder and base created when new. */
export async function runCabinetAjouter(
  context: Context,
  folder: string,
  options: CabinetOptions,
): Promise<number> {
  const file = portfolioPath(context, options);
  const path = resolve(context.cwd, folder);
  if (existsSync(path) && !statSync(path).isDirectory())
    throw new UsageError(`« ${folder} » est un fichier : une société a son propre dossier.`);
  const portfolio = existsSync(file) ? await loadPortfolio(file) : null;
  if (portfolio?.companies.some((c) => c.path === path))
    throw new UserError(`« ${folder} » est déjà dans le portefeuille (${displayPath(context.cwd, file)}).`);
  const created = !existsSync(join(path, 'recouvre.db'));
  if (created) {
    mkdirSync(path, { recursive: true });
    const quiet = { write: () => {}, isTTY: false };
    await runInit({
      ...context,
      stdout: quiet,
      dbPath: join(path, 'recouvre.db'),
      configPath: join(path, 'recouvre.toml'),
    });
  }
  const entry = await describeCompany(path, relative(dirname(file), path) || '.', {
    name: options.nom,
    siren: options.siren,
    manager: options.responsable,
  });
  if (portfolio === null) createPortfolio(file, [entry]);
  else appendCompany(file, entry);
  context.stdout.write(
    `Société « ${entry.name ?? entry.folder} » ajoutée au portefeuille (${displayPath(context.cwd, file)})${created ? ' ; sa base et sa configuration sont créées' : ''}.\n` +
      `Indiquez dans ${displayPath(context.cwd, join(path, 'recouvre.toml'))} ce que « cabinet import » lit : [import] source = "exports/factures.csv".\n`,
  );
  return 0;
}

async function withCompanies<T>(
  context: Context,
  options: CabinetOptions,
  work: (companies: PortfolioCompany[], runner: CompanyRunner) => Promise<T>,
): Promise<T> {
  const portfolio = await loadPortfolio(portfolioPath(context, options));
  const companies = selectCompanies(portfolio, options.responsable ?? null);
  if (companies.length === 0) {
    throw new UserError(
      options.responsable
        ? `Aucune société active suivie par « ${options.responsable} » dans ${displayPath(context.cwd, portfolio.file)}.`
        : `Aucune société active dans ${displayPath(context.cwd, portfolio.file)}.`,
      ['Ajoutez-en avec « recouvre cabinet ajouter <dossier> ».'],
    );
  }
  const size = Math.max(1, Math.min(options.paralleles ?? availableParallelism(), companies.length));
  const pool = new CliPool(new URL('../cabinet-worker.js', import.meta.url), size);
  try {
    return await work(companies, pool);
  } finally {
    await pool.close();
  }
}

/** One line per company: its name, whether its command went well, and what it said. */
function writeOutcomes(
  context: Context,
  options: CabinetOptions,
  outcomes: readonly CompanyOutcome[],
  summary: (json: Record<string, unknown>) => string,
  ok: (outcome: CompanyOutcome) => boolean,
): number {
  const failing = outcomes.filter((o) => !ok(o));
  if (options.json) {
    writeJson(context, {
      societes: outcomes.map((o) => ({
        dossier: o.company.folder,
        nom: o.company.name,
        responsable: o.company.manager,
        code_sortie: o.run.code,
        a_regarder: !ok(o),
        resultat: o.json,
        erreur: o.run.code === 0 ? null : problemOf(o.run, o.json),
      })),
      a_regarder: failing.length,
    });
  } else {
    context.stdout.write(
      `${renderTable(
        context,
        ['Société', 'Responsable', 'Résultat'],
        outcomes.map((o) => [
          o.company.name,
          o.company.manager ?? '',
          o.json !== null && o.run.code === 0
            ? summary(o.json as Record<string, unknown>)
            : `✗ ${problemOf(o.run, o.json)}`,
        ]),
      )}\n`,
    );
    context.stdout.write(
      failing.length === 0
        ? `${plural(outcomes.length, 'société traitée', 'sociétés traitées')}, rien à regarder.\n`
        : `${plural(outcomes.length, 'société traitée', 'sociétés traitées')}, ${plural(failing.length, 'à regarder', 'à regarder')} : ${failing.map((o) => o.company.name).join(', ')}.\n`,
    );
  }
  return failing.length > 0 ? 1 : 0;
}

const n = (json: Record<string, unknown>, key: string) => Number(json[key] ?? 0);

/** `cabinet import`: each company's configured source (`[import] source` of its recouvre.toml). */
export async function runCabinetImport(context: Context, options: CabinetOptions): Promise<number> {
  return withCompanies(context, options, async (companies, runner) => {
    const outcomes = await runForEach(companies, runner, context.env, () => [
      'import',
      '--json',
      ...(options.dryRun ? ['--dry-run'] : []),
    ]);
    return writeOutcomes(
      context,
      options,
      outcomes,
      (json) =>
        json.type === undefined || json.type === 'e-factures'
          ? `${n(json, 'crees')} créée(s), ${n(json, 'mis_a_jour')} mise(s) à jour, ${n(json, 'inchanges')} inchangée(s)${n(json, 'nombre_erreurs') > 0 ? `, ${n(json, 'nombre_erreurs')} erreur(s)` : ''}`
          : `${String(json.type)} : ${n(json, 'crees')} enregistré(s), ${n(json, 'deja_connus')} déjà connu(s)`,
      (o) => o.run.code === 0,
    );
  });
}

/** `cabinet relancer [--dry-run]`: each company's run of the day, with its own guarantees. */
export async function runCabinetRelancer(context: Context, options: CabinetOptions): Promise<number> {
  return withCompanies(context, options, async (companies, runner) => {
    const outcomes = await runForEach(companies, runner, context.env, () => [
      'relancer',
      '--json',
      ...(options.dryRun ? ['--dry-run'] : []),
      ...(options.date ? ['--date', options.date] : []),
    ]);
    const actions = (json: Record<string, unknown>) =>
      (json.actions as
        | { resultat?: string; total_reclame_centimes?: number; blocages?: unknown[] }[]
        | undefined) ?? [];
    return writeOutcomes(
      context,
      options,
      outcomes,
      (json) => {
        const list = actions(json);
        if (options.dryRun) {
          const claimed = list.reduce((sum, a) => sum + (a.total_reclame_centimes ?? 0), 0);
          const blocked = list.filter((a) => (a.blocages?.length ?? 0) > 0).length;
          return `${plural(list.length, 'action', 'actions')} prévue(s), ${formatEuros(claimed)} réclamés${blocked > 0 ? `, ${blocked} bloquée(s)` : ''}`;
        }
        const by = (r: string) => list.filter((a) => a.resultat === r).length;
        return `${by('envoye')} envoyée(s), ${by('ecrit')} écrite(s), ${by('tache')} tâche(s), ${by('echec')} échec(s), ${by('bloque')} bloquée(s)`;
      },
      (o) =>
        o.run.code === 0 &&
        o.json !== null &&
        actions(o.json as Record<string, unknown>).every(
          (a) => a.resultat !== 'echec' && a.resultat !== 'bloque' && (a.blocages?.length ?? 0) === 0,
        ),
    );
  });
}

/** `cabinet rapport`: the firm's morning, one line per company, what needs a person first. */
export async function runCabinetRapport(context: Context, options: CabinetOptions): Promise<number> {
  const format = chooseFormat(options);
  if (format === 'pdf' && options.sortie === undefined && options.envoyer === undefined)
    throw new UsageError('Le rapport PDF s’écrit dans un fichier : ajoutez --sortie cabinet.pdf.');
  const asOf = context.today;
  const statuses = await withCompanies(context, options, (companies, runner) =>
    companyStatuses(companies, runner, context.env, asOf),
  );
  const view = portfolioView(statuses, asOf, options.responsable ?? null);
  const needing = statuses.filter((s) => s.attention.length > 0).length;
  if (options.envoyer !== undefined && options.envoyer !== false) {
    // The firm's own settings (SMTP, sender, recipients): the recouvre.toml beside cabinet.toml.
    const config = await loadConfig(join(dirname(portfolioPath(context, options)), 'recouvre.toml'), false);
    const recipients = recipientsOf(options.envoyer, config.rapport.destinataires) ?? [];
    const euros = statuses.filter((st) => st.error === null && st.currency === 'EUR');
    const sum = (pick: (st: CompanyStatus) => number) => euros.reduce((total, st) => total + pick(st), 0);
    await sendReport(context, config, recipients, view, {
      asOf,
      summary: `${formatEuros(sum((st) => st.receivables))} d’encours, dont ${formatEuros(sum((st) => st.overdue))} en retard ; ${plural(needing, 'société à regarder', 'sociétés à regarder')}`,
      attachment: `cabinet-${asOf}.pdf`,
    });
    context.stdout.write(`Rapport du cabinet du ${asOf} envoyé à ${recipients.join(', ')}.\n`);
    if (options.format === undefined && options.sortie === undefined && !options.json)
      return needing > 0 ? 1 : 0;
  }
  if (format === 'json') {
    const output = `${JSON.stringify(portfolioJson(statuses, asOf, options.responsable ?? null))}\n`;
    writeOutput(context, output, options.sortie);
    return needing > 0 ? 1 : 0;
  }
  const output =
    format === 'table'
      ? reportTable(context, view)
      : format === 'csv'
        ? (await import('../adapters/report-files.js')).reportCsv(view)
        : format === 'html'
          ? (await import('../adapters/report-files.js')).reportHtml(view)
          : await (await import('../adapters/pdf.js')).renderReport(view, asOf);
  writeOutput(context, output, options.sortie);
  return needing > 0 ? 1 : 0;
}

function portfolioJson(statuses: readonly CompanyStatus[], asOf: IsoDate, manager: string | null) {
  return {
    date: asOf,
    responsable: manager,
    societes: [...statuses].sort(byAttention).map((s) => ({
      dossier: s.company.folder,
      nom: s.company.name,
      responsable: s.company.manager,
      erreur: s.error,
      devise: s.currency,
      encours_centimes: s.receivables,
      en_retard_centimes: s.overdue,
      dso_jours: s.dso,
      envoyees_aujourdhui: s.sentToday,
      echecs_aujourdhui: s.failedToday,
      a_faire_aujourdhui: s.dueToday,
      bloquees: s.blocked,
      incertaines: s.uncertain,
      taches: s.tasks,
      dernier_import: s.lastImport,
      a_regarder: s.attention,
    })),
    a_regarder: statuses.filter((s) => s.attention.length > 0).length,
  };
}
