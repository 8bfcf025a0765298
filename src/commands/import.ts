import { existsSync, rmSync } from 'node:fs';
import { type Config, type ImportProfile, loadConfig, saveProfile } from '../adapters/config.js';
import { ENCODING_LABELS, type Encoding, SEPARATOR_LABELS } from '../adapters/csv-source.js';
import { openStore } from '../adapters/db/open.js';
import { colors } from '../adapters/terminal.js';
import { type ImportReport, importInvoices, rejectsPathFor } from '../app/import-invoices.js';
import type { Context } from '../context.js';
import { FIELD_BY_OPTION, FIELDS, type FieldKey } from '../domain/columns.js';
import type { DateOrder } from '../domain/dates.js';
import type { DecimalMark } from '../domain/money.js';
import { UsageError, UserError } from '../errors.js';
import { displayPath, plural } from './format.js';

export interface ImportOptions {
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly ignorerErreurs?: boolean;
  readonly listeComplete?: boolean;
  readonly encodage?: string;
  readonly separateur?: string;
  readonly decimale?: string;
  readonly formatDate?: string;
  readonly colonne?: readonly string[];
  readonly profil?: string;
  readonly enregistrerProfil?: string;
  readonly delaiPaiement?: number;
  readonly type?: string;
}

const ENCODINGS: Readonly<Record<string, Encoding>> = {
  utf8: 'utf8',
  'utf-8': 'utf8',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  latin1: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso-8859-15': 'windows-1252',
  ansi: 'windows-1252',
  utf16: 'utf16le',
  'utf-16': 'utf16le',
  utf16le: 'utf16le',
};
const SEPARATOR_NAMES: Readonly<Record<string, string>> = {
  ';': ';',
  ',': ',',
  '|': '|',
  tab: '\t',
  tabulation: '\t',
  '\\t': '\t',
  '\t': '\t',
};

function parseColumns(specs: readonly string[]): Partial<Record<FieldKey, string>> {
  const columns: Partial<Record<FieldKey, string>> = {};
  for (const spec of specs) {
    const at = spec.indexOf('=');
    const name = at === -1 ? '' : spec.slice(0, at).trim();
    const field = FIELD_BY_OPTION.get(name);
    if (!field || at === -1 || spec.slice(at + 1).trim() === '') {
      throw new UsageError(`--colonne « ${spec} » : attendu CHAMP="Intitulé dans le fichier".`, [
        `Champs possibles : ${FIELDS.map((f) => f.option).join(', ')}.`,
      ]);
    }
    columns[field.key] = spec.slice(at + 1).trim();
  }
  return columns;
}

function profileColumns(profile: ImportProfile | undefined, config: Config, name: string | undefined) {
  if (!profile?.colonnes) return {};
  const specs = Object.entries(profile.colonnes).map(([field, header]) => {
    if (!FIELD_BY_OPTION.has(field)) {
      throw new UserError(`${config.path} : profil « ${name} », champ inconnu « ${field} ».`, [
        `Champs possibles : ${FIELDS.map((f) => f.option).join(', ')}.`,
      ]);
    }
    return `${field}=${header}`;
  });
  return parseColumns(specs);
}

export async function runImport(context: Context, file: string, options: ImportOptions): Promise<number> {
  const config = await loadConfig(context.configPath, false);
  let profile: ImportProfile | undefined;
  if (options.profil) {
    profile = config.profils[options.profil];
    if (!profile) {
      const known = Object.keys(config.profils);
      throw new UserError(`Profil d'import « ${options.profil} » introuvable dans ${config.path}.`, [
        known.length > 0
          ? `Profils connus : ${known.join(', ')}.`
          : 'Aucun profil enregistré : créez-en un avec --enregistrer-profil NOM.',
      ]);
    }
  }
  const encodingName = options.encodage ?? profile?.encodage;
  const encoding = encodingName === undefined ? undefined : ENCODINGS[encodingName.toLowerCase()];
  if (encodingName !== undefined && !encoding) {
    throw new UsageError(
      `--encodage « ${encodingName} » inconnu (attendu : utf8, windows-1252, latin1 ou utf16).`,
    );
  }
  const separatorName = options.separateur ?? profile?.separateur;
  const separator = separatorName === undefined ? undefined : SEPARATOR_NAMES[separatorName.toLowerCase()];
  if (separatorName !== undefined && !separator) {
    throw new UsageError(`--separateur « ${separatorName} » inconnu (attendu : ";", ",", "|" ou tab).`);
  }
  const decimal = options.decimale ?? profile?.decimale;
  if (decimal !== undefined && decimal !== ',' && decimal !== '.') {
    throw new UsageError(`--decimale « ${decimal} » : attendu « , » ou « . ».`);
  }
  const dateFormat = options.formatDate ?? profile?.format_date;
  if (dateFormat !== undefined && dateFormat !== 'jj/mm/aaaa' && dateFormat !== 'mm/jj/aaaa') {
    throw new UsageError(`--format-date « ${dateFormat} » : attendu jj/mm/aaaa ou mm/jj/aaaa.`);
  }
  const columns = {
    ...profileColumns(profile, config, options.profil),
    ...parseColumns(options.colonne ?? []),
  };

  // A first import creates the store; if it fails, the folder is left as it was, without an empty base.
  const newStore = !existsSync(context.dbPath);
  const store = await openStore(context.dbPath, { create: !options.dryRun });
  let report: ImportReport | undefined;
  try {
    report = await importInvoices(
      store,
      {
        file,
        dryRun: options.dryRun ?? false,
        ignoreErrors: options.ignorerErreurs ?? false,
        completeList: options.listeComplete ?? false,
        encoding,
        separator,
        decimalMark: decimal as DecimalMark | undefined,
        dateOrder:
          dateFormat === undefined ? undefined : ((dateFormat === 'jj/mm/aaaa' ? 'jma' : 'mja') as DateOrder),
        columns,
        paymentTermDays: options.delaiPaiement ?? config.import.delai_paiement_jours,
        defaultCurrency: config.import.devise,
        forceInvoices: options.type === 'factures',
      },
      { now: context.now, today: context.today },
    );
  } finally {
    await store.close();
    if (newStore && !report?.committed) {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${context.dbPath}${suffix}`, { force: true });
    }
  }

  if (options.enregistrerProfil && report.committed) {
    const saved: ImportProfile = {
      separateur: report.separator,
      encodage: report.encoding,
      decimale: report.decimalMark,
      format_date: report.dateOrder === 'jma' ? 'jj/mm/aaaa' : 'mm/jj/aaaa',
      colonnes: Object.fromEntries(
        FIELDS.filter((f) => report.columns[f.key] !== undefined).map((f) => [
          f.option,
          report.columns[f.key] as string,
        ]),
      ),
    };
    saveProfile(config, options.enregistrerProfil, saved);
  }

  if (options.json) {
    context.stdout.write(`${JSON.stringify(toJson(report))}\n`);
  } else {
    printReport(context, file, report, options);
  }
  return report.errorCount > 0 ? 1 : 0;
}

function toJson(report: ImportReport) {
  const c = report.counts;
  return {
    fichier: report.file,
    sha256: report.sha256,
    encodage: report.encoding,
    separateur: report.separator,
    decimale: report.decimalMark,
    format_date: report.dateOrder === 'jma' ? 'jj/mm/aaaa' : 'mm/jj/aaaa',
    ligne_en_tete: report.headerLine,
    simulation: report.dryRun,
    importe: report.committed,
    crees: c.created,
    mis_a_jour: c.updated,
    inchanges: c.unchanged,
    rejetes: c.rejected,
    ignorees: c.skipped,
    doublons: c.duplicates,
    soldees: c.closed,
    clients_crees: c.clientsCreated,
    clients_mis_a_jour: c.clientsUpdated,
    echeances_calculees: report.dueDatesComputed,
    colonnes: Object.fromEntries(
      FIELDS.filter((f) => report.columns[f.key] !== undefined).map((f) => [f.option, report.columns[f.key]]),
    ),
    colonnes_ignorees: report.ignoredColumns,
    nombre_erreurs: report.errorCount,
    erreurs: report.errors.map((e) => ({
      ligne: e.line,
      colonne: e.column,
      valeur: e.value,
      message: e.message,
    })),
    rejets: report.rejectsFile,
  };
}

const SHOWN_ERRORS = 50;

function printReport(context: Context, file: string, report: ImportReport, options: ImportOptions): void {
  const c = colors(context);
  const out = (line = '') => context.stdout.write(`${line}\n`);
  const name = displayPath(context.cwd, report.file);
  const counts = report.counts;
  if (report.errorCount > 0) {
    const err = (line = '') => context.stderr.write(`${line}\n`);
    for (const e of report.errors.slice(0, SHOWN_ERRORS)) {
      const where = e.column ? `, colonne « ${e.column} »` : '';
      const value = e.value !== '' ? `« ${e.value} » : ` : '';
      err(`${c.red('✗')} ${name}:${e.line}${where} : ${value}${e.message}`);
    }
    if (report.errorCount > SHOWN_ERRORS) {
      err(`  … et ${report.errorCount - SHOWN_ERRORS} autres erreurs (toutes avec --json).`);
    }
    if (!report.committed && !report.dryRun) {
      err();
      err(
        c.bold(
          `${plural(report.errorCount, 'erreur', 'erreurs')} dans ${name} : rien n'a été importé, la base est inchangée.`,
        ),
      );
      err(
        `Corrigez le fichier puis relancez, ou importez les lignes valides avec --ignorer-erreurs (les lignes rejetées iront dans ${displayPath(context.cwd, rejectsPathFor(file))}).`,
      );
      return;
    }
  }
  const head = report.dryRun ? `Simulation de l'import de ${name} (rien n'est écrit)` : `Import de ${name}`;
  out(
    c.bold(head) +
      c.dim(
        ` — ${ENCODING_LABELS[report.encoding]}, séparateur ${SEPARATOR_LABELS[report.separator] ?? report.separator}, décimale « ${report.decimalMark} », dates ${report.dateOrder === 'jma' ? 'jj/mm/aaaa' : 'mm/jj/aaaa'}`,
      ),
  );
  const would = report.dryRun ? ' (simulation)' : '';
  out(
    `  ${plural(counts.created, 'facture créée', 'factures créées')}, ${plural(counts.updated, 'mise à jour', 'mises à jour')}, ${plural(counts.unchanged, 'inchangée', 'inchangées')}, ${plural(counts.rejected, 'rejetée', 'rejetées')}${would}`,
  );
  out(
    `  ${plural(counts.clientsCreated, 'client créé', 'clients créés')}, ${plural(counts.clientsUpdated, 'client mis à jour', 'clients mis à jour')}`,
  );
  if (report.headerLine > 1)
    out(
      `  ${plural(report.headerLine - 1, 'ligne ignorée', 'lignes ignorées')} avant les titres de colonnes.`,
    );
  if (counts.duplicates > 0) {
    out(
      `  ${plural(counts.duplicates, 'ligne répétée à l’identique regroupée', 'lignes répétées à l’identique regroupées')} avec la facture de même numéro.`,
    );
  }
  if (counts.skipped > 0)
    out(`  ${plural(counts.skipped, 'facture ignorée', 'factures ignorées')} (brouillon ou annulée).`);
  if (counts.closed > 0) {
    out(
      c.yellow(
        `  ${plural(counts.closed, 'facture ouverte absente du fichier considérée comme soldée', 'factures ouvertes absentes du fichier considérées comme soldées')} (--liste-complete).`,
      ),
    );
  }
  if (report.dueDatesComputed > 0) {
    out(
      `  Échéance calculée (date de facture + délai de paiement) pour ${plural(report.dueDatesComputed, 'facture', 'factures')} sans échéance.`,
    );
  }
  if (report.ignoredColumns.length > 0) {
    out(c.dim(`  Colonnes non utilisées : ${report.ignoredColumns.map((h) => `« ${h} »`).join(', ')}.`));
  }
  if (report.rejectsFile) {
    out(c.yellow(`  Lignes rejetées écrites dans ${displayPath(context.cwd, report.rejectsFile)}.`));
  }
  if (options.enregistrerProfil && report.committed) {
    out(
      `  Profil « ${options.enregistrerProfil} » enregistré dans ${displayPath(context.cwd, context.configPath)}.`,
    );
  }
}
