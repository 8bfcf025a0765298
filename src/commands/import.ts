import { existsSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { type Config, type ImportProfile, loadConfig, saveProfile } from '../adapters/config.js';
import {
  ENCODING_LABELS,
  type Encoding,
  inspectSource,
  readSample,
  SEPARATOR_LABELS,
} from '../adapters/csv-source.js';
import { onStore, openStore, type Store } from '../adapters/db/open.js';
import { sniffFile } from '../adapters/einvoice/files.js';
import { progressFor } from '../adapters/progress.js';
import { colors } from '../adapters/terminal.js';
import { importFec, looksLikeFec } from '../app/import-fec.js';
import {
  importPayments,
  looksLikePayments,
  overpaymentText,
  type PaymentImportReport,
  type PaymentImportRequest,
} from '../app/import-payments.js';
import {
  importStatuses,
  looksLikeJson,
  looksLikeStatuses,
  type StatusImportReport,
  type StatusImportRequest,
} from '../app/import-statuses.js';
import { type ImportReport, importInvoices, rejectsPathFor } from '../app/invoice-import/index.js';
import type { Context } from '../context.js';
import {
  type Catalogue,
  FIELD_BY_OPTION,
  FIELDS,
  type FieldKey,
  INVOICE_CATALOGUE,
} from '../domain/columns.js';
import { type DateOrder, dateOrderLabel } from '../domain/dates.js';
import { STATUS_CATALOGUE } from '../domain/lifecycle.js';
import type { DecimalMark } from '../domain/money.js';
import { PAYMENT_CATALOGUE } from '../domain/payment-row.js';
import { UsageError, UserError } from '../errors.js';
import { displayPath, plural } from './format.js';
import type { ImportOptions } from './import-options.js';

const ENCODINGS: Readonly<Record<string, Encoding>> = {
  utf8: 'utf8',
  'utf-8': 'utf8',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  latin1: 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso-8859-15': 'windows-1252',
  ansi: 'windows-1252',
  cp850: 'cp850',
  dos: 'cp850',
  ibm850: 'cp850',
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

function parseColumns<K extends string = FieldKey>(
  specs: readonly string[],
  catalogue: Catalogue<K> = INVOICE_CATALOGUE as unknown as Catalogue<K>,
): Partial<Record<K, string>> {
  const columns: Partial<Record<K, string>> = {};
  for (const spec of specs) {
    const at = spec.indexOf('=');
    const name = at === -1 ? '' : spec.slice(0, at).trim();
    const field = catalogue.byOption.get(name);
    if (!field || at === -1 || spec.slice(at + 1).trim() === '') {
      throw new UsageError(`--colonne « ${spec} » : attendu CHAMP="Intitulé dans le fichier".`, [
        `Champs possibles : ${catalogue.fields.map((f) => f.option).join(', ')}.`,
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

export async function runImport(
  context: Context,
  given: string | undefined,
  options: ImportOptions,
): Promise<number> {
  const config = await loadConfig(context.configPath, false);
  // Without a file: what this company's recouvre.toml says to read ([import] source, profil), as
  // `recouvre cabinet import` runs it for every company of a firm.
  const configured = config.import.source;
  if (given === undefined && configured === undefined) {
    throw new UsageError('Quel fichier importer ? Donnez-le : recouvre import factures.csv', [
      `Ou inscrivez-le dans ${config.path}, section [import] : source = "exports/factures.csv" (un fichier ou un dossier), et profil = "…" s'il en faut un.`,
    ]);
  }
  const file = given ?? resolve(dirname(config.path), configured as string);
  const configuredProfile = config.import.profil;
  if (given === undefined && options.profil === undefined && configuredProfile !== undefined)
    options = { ...options, profil: configuredProfile };
  if (given === undefined && !existsSync(file)) {
    throw new UserError(
      `${config.path} : [import] source = « ${configured} » : ce fichier ou dossier n'existe pas (${file}).`,
      ['Déposez-y le dernier export, ou corrigez le chemin (il part du dossier de la société).'],
    );
  }
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
      `--encodage « ${encodingName} » inconnu (attendu : utf8, windows-1252, latin1, cp850 ou utf16).`,
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
  const dateOrder =
    dateFormat === undefined ? undefined : ((dateFormat === 'jj/mm/aaaa' ? 'jma' : 'mja') as DateOrder);
  const noHeader = options.sansEntete ?? profile?.sans_entete ?? false;
  const type = options.type?.toLowerCase();
  if (
    type !== undefined &&
    !['factures', 'paiements', 'reglements', 'règlements', 'fec', 'statuts'].includes(type)
  ) {
    throw new UsageError(`--type « ${options.type} » : attendu factures, paiements, statuts ou fec.`);
  }
  if (type === undefined && existsSync(file) && statSync(file).isFile()) {
    // A bank statement given to import by mistake: say which command reads it.
    const { statementFormat } = await import('../adapters/bank-formats.js');
    const format = statementFormat(file);
    if (format !== null) {
      throw new UserError(
        `${basename(file)} est un relevé bancaire (${format}), pas un export de factures.`,
        [`Pour enregistrer les règlements qu'il contient : recouvre rapprocher ${file}`],
      );
    }
  }
  if (type === undefined && existsSync(file) && (statSync(file).isDirectory() || sniffFile(file) !== null)) {
    const { runEInvoiceImport } = await import('./import-einvoices.js');
    return runEInvoiceImport(context, file, options, config, (run, committed) =>
      withImportStore(context, options.dryRun ?? false, run, committed),
    );
  }
  if (type === 'statuts' || (type === undefined && (await looksLikeStatusFile(file, encoding)))) {
    return runStatusImport(context, file, options, config, {
      encoding,
      separator,
      decimalMark: decimal as DecimalMark | undefined,
      dateOrder,
      columns: parseColumns(options.colonne ?? [], STATUS_CATALOGUE),
      noHeader,
    });
  }
  if ((type === undefined && (await looksLikeFec(file, encoding))) || type === 'fec') {
    return runFecImport(context, file, options, encoding, config);
  }
  const payments =
    type === undefined ? await looksLikePayments(file, encoding, separator) : type !== 'factures';
  if (payments) {
    return runPaymentImport(context, file, options, {
      encoding,
      separator,
      decimalMark: decimal as DecimalMark | undefined,
      dateOrder,
      columns: parseColumns(options.colonne ?? [], PAYMENT_CATALOGUE),
      noHeader,
    });
  }
  const columns = {
    ...profileColumns(profile, config, options.profil),
    ...parseColumns(options.colonne ?? []),
  };

  const report = await withImportStore(
    context,
    options.dryRun ?? false,
    (store) =>
      importInvoices(
        store,
        {
          file,
          dryRun: options.dryRun ?? false,
          ignoreErrors: options.ignorerErreurs ?? false,
          completeList: options.listeComplete ?? false,
          acceptAmountChanges: options.accepterModifications ?? false,
          encoding,
          separator,
          decimalMark: decimal as DecimalMark | undefined,
          dateOrder,
          columns,
          noHeader,
          paymentTermDays: options.delaiPaiement ?? config.import.delai_paiement_jours,
          paymentWaitDays: config.import.attente_paiement_transmis_jours,
          defaultCurrency: config.import.devise,
          forceInvoices: options.type === 'factures',
        },
        { now: context.now, today: context.today },
        progressFor(context, options),
      ),
    (done) => done.committed,
  );

  if (options.enregistrerProfil && report.committed) {
    const saved: ImportProfile = {
      separateur: report.separator,
      encodage: report.encoding,
      decimale: report.decimalMark,
      format_date: dateOrderLabel(report.dateOrder),
      ...(noHeader ? { sans_entete: true } : {}),
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
    format_date: dateOrderLabel(report.dateOrder),
    dates_lues: report.dateFormat,
    ligne_en_tete: report.headerLine,
    simulation: report.dryRun,
    importe: report.committed,
    crees: c.created,
    mis_a_jour: c.updated,
    inchanges: c.unchanged,
    rejetes: c.rejected,
    ignorees: c.skipped,
    lignes_total: c.totalLines,
    doublons: c.duplicates,
    soldees: c.closed,
    clients_crees: c.clientsCreated,
    clients_mis_a_jour: c.clientsUpdated,
    echeances_calculees: report.dueDatesComputed,
    avoirs_crees: report.creditNotesCreated,
    litiges_selon_statut: c.disputedByStatus,
    pauses_selon_statut: c.pausedByStatus,
    retraits_selon_statut: c.withdrawnByStatus,
    colonnes: Object.fromEntries(
      FIELDS.filter((f) => report.columns[f.key] !== undefined).map((f) => [f.option, report.columns[f.key]]),
    ),
    colonnes_ignorees: report.ignoredColumns,
    nombre_erreurs: report.errorCount,
    erreurs: errorsJson(report.errors),
    rejets: report.rejectsFile,
  };
}

const SHOWN_ERRORS = 50;

/** The problems of a file, line by line; false when they stopped the import. */
function printErrors(
  context: Context,
  file: string,
  report: Pick<ImportReport, 'file' | 'errors' | 'errorCount' | 'committed' | 'dryRun'>,
  writesRejects = true,
): boolean {
  const c = colors(context);
  const name = displayPath(context.cwd, report.file);
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
        writesRejects
          ? `Corrigez le fichier puis relancez, ou importez les lignes valides avec --ignorer-erreurs (les lignes rejetées iront dans ${displayPath(context.cwd, rejectsPathFor(file))}).`
          : 'Corrigez le fichier puis relancez, ou importez les lignes valides avec --ignorer-erreurs.',
      );
      return false;
    }
  }
  return true;
}

function printReport(context: Context, file: string, report: ImportReport, options: ImportOptions): void {
  const c = colors(context);
  const out = (line = '') => context.stdout.write(`${line}\n`);
  const name = displayPath(context.cwd, report.file);
  const counts = report.counts;
  if (!printErrors(context, file, report)) return;
  const head = report.dryRun ? `Simulation de l'import de ${name} (rien n'est écrit)` : `Import de ${name}`;
  out(
    c.bold(head) +
      c.dim(
        ` — ${ENCODING_LABELS[report.encoding]}, séparateur ${SEPARATOR_LABELS[report.separator] ?? report.separator}, décimale « ${report.decimalMark} », dates ${report.dateFormat}`,
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
  if (counts.totalLines > 0)
    out(
      `  ${plural(counts.totalLines, 'ligne de total ignorée', 'lignes de total ignorées')} (la somme des lignes au-dessus).`,
    );
  if (counts.disputedByStatus > 0) {
    out(
      c.yellow(
        `  ${plural(counts.disputedByStatus, 'facture mise en litige', 'factures mises en litige')} d'après la colonne de statut (en litige, contestée, refusée, approuvée partiellement) : elles ne seront pas relancées. Quand le litige est réglé : recouvre litige NUMÉRO --lever.`,
      ),
    );
  }
  if (counts.pausedByStatus > 0) {
    out(
      c.yellow(
        `  ${plural(counts.pausedByStatus, 'facture mise en pause', 'factures mises en pause')} d'après la colonne de statut (suspendue, ou paiement transmis : le temps que le virement arrive). Pour reprendre plus tôt : recouvre pause NUMÉRO --reprendre.`,
      ),
    );
  }
  if (counts.withdrawnByStatus > 0) {
    out(
      c.yellow(
        `  ${plural(counts.withdrawnByStatus, 'facture retirée du recouvrement', 'factures retirées du recouvrement')} d'après la colonne de statut (rejetée ou annulée).`,
      ),
    );
  }
  if (counts.closed > 0) {
    out(
      c.yellow(
        `  ${plural(counts.closed, 'facture ouverte absente du fichier considérée comme soldée', 'factures ouvertes absentes du fichier considérées comme soldées')} (--liste-complete).`,
      ),
    );
  }
  if (report.creditNotesCreated > 0) {
    const named = report.creditNoteExamples.map((k) => `${k.number}, ligne ${k.line}`).join(' ; ');
    const more = report.creditNotesCreated > report.creditNoteExamples.length ? ' ; …' : '';
    out(
      c.yellow(
        `  ${plural(report.creditNotesCreated, 'montant négatif lu comme un avoir', 'montants négatifs lus comme des avoirs')} (${named}${more}) : déduit${report.creditNotesCreated > 1 ? 's' : ''} de ce que doit le client. Si c'est une erreur de l'export, corrigez la ligne et réimportez.`,
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

/** `recouvre import reglements.csv`: payments, each one for a named invoice. */
async function runPaymentImport(
  context: Context,
  file: string,
  options: ImportOptions,
  format: Omit<PaymentImportRequest, 'file' | 'dryRun' | 'ignoreErrors'>,
): Promise<number> {
  if (options.listeComplete || options.enregistrerProfil || options.profil) {
    throw new UsageError(
      '--liste-complete, --profil et --enregistrer-profil ne valent que pour un export de factures.',
    );
  }
  const report: PaymentImportReport = await onStore(context.dbPath, (store) =>
    importPayments(
      store,
      { file, dryRun: options.dryRun ?? false, ignoreErrors: options.ignorerErreurs ?? false, ...format },
      { now: context.now, today: context.today },
    ),
  );
  const c = report.counts;
  if (options.json) {
    context.stdout.write(
      `${JSON.stringify(
        fileImportJson('paiements', report, {
          encodage: report.encoding,
          separateur: report.separator,
          remboursements: c.refunds,
          trop_percus: report.overpayments.map((o) => ({
            numero: o.number,
            montant_centimes: o.cents,
            devise: o.currency,
          })),
        }),
      )}\n`,
    );
    return report.errorCount > 0 ? 1 : 0;
  }
  if (!printErrors(context, file, report)) return 1;
  const color = colors(context);
  const name = displayPath(context.cwd, report.file);
  context.stdout.write(
    `${color.bold(report.dryRun ? `Simulation de l'import des règlements de ${name} (rien n'est écrit)` : `Import des règlements de ${name}`)}\n`,
  );
  context.stdout.write(
    `  ${plural(c.created, 'règlement enregistré', 'règlements enregistrés')}, ${plural(c.known, 'déjà connu', 'déjà connus')}, ${plural(c.rejected, 'rejeté', 'rejetés')}${report.dryRun ? ' (simulation)' : ''}\n`,
  );
  if (c.duplicates > 0) {
    context.stdout.write(
      `  ${plural(c.duplicates, 'ligne en double comptée une fois', 'lignes en double comptées une fois')} (même facture, date, montant et référence).\n`,
    );
  }
  if (c.refunds > 0) {
    context.stdout.write(
      color.yellow(
        `  ${plural(c.refunds, 'remboursement (montant négatif) enregistré', 'remboursements (montants négatifs) enregistrés')} : ${c.refunds > 1 ? 'ils augmentent' : 'il augmente'} le reste dû.\n`,
      ),
    );
  }
  for (const o of report.overpayments) {
    context.stdout.write(
      color.yellow(
        `  Trop-perçu sur ${overpaymentText(o)} : un avoir pour le client, déduit de ses prochaines relances.\n`,
      ),
    );
  }
  if (report.rejectsFile)
    context.stdout.write(
      color.yellow(`  Lignes rejetées écrites dans ${displayPath(context.cwd, report.rejectsFile)}.\n`),
    );
  return report.errorCount > 0 ? 1 : 0;
}

async function looksLikeStatusFile(file: string, encoding: Encoding | undefined): Promise<boolean> {
  if (!existsSync(file) || !statSync(file).isFile()) return false;
  const sample = await readSample(await inspectSource(file, encoding), 64 * 1024);
  return looksLikeJson(sample) || looksLikeStatuses(sample);
}

/** `recouvre import statuts.csv` (or a platform's JSON): the lifecycle statuses of e-invoices. */
async function runStatusImport(
  context: Context,
  file: string,
  options: ImportOptions,
  config: Config,
  format: Omit<StatusImportRequest, 'file' | 'dryRun' | 'ignoreErrors' | 'paymentWaitDays'>,
): Promise<number> {
  if (options.listeComplete || options.enregistrerProfil || options.profil || options.accepterModifications) {
    throw new UsageError(
      '--liste-complete, --accepter-modifications, --profil et --enregistrer-profil ne valent que pour un export de factures.',
    );
  }
  const report: StatusImportReport = await onStore(context.dbPath, (store) =>
    importStatuses(
      store,
      {
        file,
        dryRun: options.dryRun ?? false,
        ignoreErrors: options.ignorerErreurs ?? false,
        paymentWaitDays: config.import.attente_paiement_transmis_jours,
        ...format,
      },
      { now: context.now, today: context.today },
    ),
  );
  const c = report.counts;
  if (options.json) {
    context.stdout.write(
      `${JSON.stringify(
        fileImportJson('statuts', report, {
          format: report.format,
          en_litige: c.disputed,
          en_litige_partiel: c.partial,
          en_pause: c.paused,
          encaissees: c.paid,
          retirees: c.withdrawn,
          encaissees_deja_connues: c.alreadyPaid,
        }),
      )}\n`,
    );
    return report.errorCount > 0 ? 1 : 0;
  }
  if (!printErrors(context, file, report, report.format !== 'json')) return 1;
  const color = colors(context);
  const name = displayPath(context.cwd, report.file);
  const out = (text: string) => context.stdout.write(text);
  out(
    `${color.bold(report.dryRun ? `Simulation de l'import des statuts de ${name} (rien n'est écrit)` : `Import des statuts de ${name}`)}\n`,
  );
  out(
    `  ${plural(c.created, 'statut enregistré', 'statuts enregistrés')}, ${plural(c.known, 'déjà connu', 'déjà connus')}, ${plural(c.rejected, 'rejeté', 'rejetés')}${report.dryRun ? ' (simulation)' : ''}\n`,
  );
  const effects = [
    [
      c.disputed,
      'facture mise en litige (207, 210 ou 206 sans montant)',
      'factures mises en litige (207, 210 ou 206 sans montant)',
    ],
    [
      c.partial,
      'facture acceptée en partie : seule la part acceptée sera relancée',
      'factures acceptées en partie : seule la part acceptée sera relancée',
    ],
    [c.paused, 'facture en pause (208 ou 211)', 'factures en pause (208 ou 211)'],
    [c.paid, 'règlement enregistré (212 « Encaissée »)', 'règlements enregistrés (212 « Encaissée »)'],
    [
      c.withdrawn,
      'facture retirée du recouvrement (213 « Rejetée » ou 220 « Annulée »)',
      'factures retirées du recouvrement (213 « Rejetée » ou 220 « Annulée »)',
    ],
    [
      c.alreadyPaid,
      '« Encaissée » déjà connue de recouvre (règlement enregistré ou facture soldée) : gardée dans l’historique',
      '« Encaissée » déjà connues de recouvre (règlement enregistré ou facture soldée) : gardées dans l’historique',
    ],
  ] as const;
  for (const [count, one, many] of effects) if (count > 0) out(`  ${plural(count, one, many)}\n`);
  if (c.duplicates > 0)
    out(
      `  ${plural(c.duplicates, 'statut en double compté une fois', 'statuts en double comptés une fois')} (même facture, code et date).\n`,
    );
  if (report.rejectsFile)
    out(color.yellow(`  Lignes rejetées écrites dans ${displayPath(context.cwd, report.rejectsFile)}.\n`));
  if (c.created > 0 && !report.dryRun)
    out(
      color.dim(
        '  Chaque statut figure dans « recouvre historique <facture> » ; « recouvre relancer --dry-run » en tient compte.\n',
      ),
    );
  return report.errorCount > 0 ? 1 : 0;
}

/** `recouvre import 123456789FEC20261231.txt`: the receivables of the legal accounting export. */
async function runFecImport(
  context: Context,
  file: string,
  options: ImportOptions,
  encoding: Encoding | undefined,
  config: Config,
): Promise<number> {
  const report = await withImportStore(
    context,
    options.dryRun ?? false,
    (store) =>
      importFec(
        store,
        {
          file,
          dryRun: options.dryRun ?? false,
          encoding,
          acceptAmountChanges: options.accepterModifications ?? false,
          paymentTermDays: options.delaiPaiement ?? config.import.delai_paiement_jours,
          currency: config.import.devise,
        },
        { now: context.now, today: context.today },
      ),
    (done) => !done.dryRun,
  );
  const c = report.counts;
  if (options.json) {
    context.stdout.write(
      `${JSON.stringify({
        type: 'fec',
        fichier: report.file,
        encodage: report.encoding,
        simulation: report.dryRun,
        crees: c.created,
        mis_a_jour: c.updated,
        inchanges: c.unchanged,
        factures: report.invoices,
        avoirs: report.creditNotes,
        clients_crees: c.clientsCreated,
        reglements: report.payments,
        reglements_sans_lettrage: report.unletteredPayments,
        pieces_partagees: report.sharedPieceRefs,
      })}\n`,
    );
    return 0;
  }
  const color = colors(context);
  const name = displayPath(context.cwd, report.file);
  const out = (text: string) => context.stdout.write(`${text}\n`);
  out(
    color.bold(
      report.dryRun ? `Simulation de l'import du FEC ${name} (rien n'est écrit)` : `Import du FEC ${name}`,
    ),
  );
  out(
    `  ${plural(report.invoices, 'facture', 'factures')} et ${plural(report.creditNotes, 'avoir', 'avoirs')} sur les comptes clients : ${plural(c.created, 'créée', 'créées')}, ${plural(c.updated, 'mise à jour', 'mises à jour')}, ${plural(c.unchanged, 'inchangée', 'inchangées')}`,
  );
  out(
    `  ${plural(c.clientsCreated, 'client créé', 'clients créés')}, ${plural(report.payments, 'règlement lu', 'règlements lus')}`,
  );
  if (report.unletteredPayments > 0) {
    out(
      color.yellow(
        `  ${plural(report.unletteredPayments, 'règlement non lettré imputé', 'règlements non lettrés imputés')} sur les factures les plus anciennes du client.`,
      ),
    );
  }
  if (report.sharedPieceRefs > 0) {
    out(
      `  Numéro de pièce partagé par plusieurs écritures : ${plural(report.sharedPieceRefs, 'facture identifiée', 'factures identifiées')} par journal et numéro d'écriture (par exemple VE-00000001).`,
    );
  }
  out(color.dim("  Échéances : date de pièce + délai de paiement (le FEC n'en donne pas)."));
  return 0;
}

/**
 * Runs an import on the base. A first import creates the base; if nothing was committed (errors,
 * dry run), the folder is left as it was, without an empty base.
 */
async function withImportStore<R>(
  context: Context,
  dryRun: boolean,
  run: (store: Store) => Promise<R>,
  committed: (result: R) => boolean,
): Promise<R> {
  const newStore = !existsSync(context.dbPath);
  const store = await openStore(context.dbPath, { create: !dryRun });
  let result: R | undefined;
  try {
    result = await run(store);
    return result;
  } finally {
    await store.close();
    if (newStore && (result === undefined || !committed(result))) {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${context.dbPath}${suffix}`, { force: true });
    }
  }
}

/** The problems of a file as JSON: `[{"ligne":14,"colonne":"Montant TTC","valeur":"12,3O","message":"…"}]`. */
/** The summary every payment or status file import gives with --json, with what is its own. */
function fileImportJson(
  type: 'paiements' | 'statuts',
  report: {
    readonly file: string;
    readonly sha256: string;
    readonly dryRun: boolean;
    readonly committed: boolean;
    readonly counts: {
      readonly created: number;
      readonly known: number;
      readonly duplicates: number;
      readonly rejected: number;
    };
    readonly errorCount: number;
    readonly errors: readonly { line: number; column: string | null; value: string; message: string }[];
    readonly rejectsFile: string | null;
  },
  own: Record<string, unknown>,
) {
  const c = report.counts;
  return {
    type,
    fichier: report.file,
    sha256: report.sha256,
    simulation: report.dryRun,
    importe: report.committed,
    crees: c.created,
    deja_connus: c.known,
    doublons: c.duplicates,
    rejetes: c.rejected,
    ...own,
    nombre_erreurs: report.errorCount,
    erreurs: errorsJson(report.errors),
    rejets: report.rejectsFile,
  };
}

function errorsJson(
  errors: readonly { line: number; column: string | null; value: string; message: string }[],
) {
  return errors.map((e) => ({ ligne: e.line, colonne: e.column, valeur: e.value, message: e.message }));
}
