import { join } from 'node:path';
import { type Config, creditorOf } from '../adapters/config.js';
import type { Store } from '../adapters/db/open.js';
import { progressFor } from '../adapters/progress.js';
import { colors } from '../adapters/terminal.js';
import { type EInvoiceImportReport, importEInvoices } from '../app/import-einvoices.js';
import type { Context } from '../context.js';
import { formatDateFr } from '../domain/dates.js';
import { UsageError } from '../errors.js';
import { displayPath, plural } from './format.js';
import type { ImportOptions } from './import-options.js';

/** The CSV options an e-invoice has no use for: its XML says everything. */
const CSV_ONLY: readonly (keyof ImportOptions)[] = [
  'encodage',
  'separateur',
  'decimale',
  'formatDate',
  'colonne',
  'sansEntete',
  'profil',
  'enregistrerProfil',
  'listeComplete',
];

/** `recouvre import facture.pdf`, `recouvre import facture.xml`, `recouvre import dossier/`. */
export async function runEInvoiceImport(
  context: Context,
  path: string,
  options: ImportOptions,
  config: Config,
  withStore: <R>(run: (store: Store) => Promise<R>, committed: (result: R) => boolean) => Promise<R>,
): Promise<number> {
  const misplaced = CSV_ONLY.filter((o) => options[o] !== undefined && options[o] !== false);
  if (misplaced.length > 0) {
    throw new UsageError(
      `--${misplaced.map((o) => o.replace(/[A-Z]/g, (l) => `-${l.toLowerCase()}`)).join(', --')} : sans objet pour une facture électronique (Factur-X, CII, UBL), qui dit elle-même ses champs.`,
    );
  }
  const creditor = creditorOf(config);
  const report = await withStore(
    (store) =>
      importEInvoices(
        store,
        {
          path,
          dryRun: options.dryRun ?? false,
          ignoreErrors: options.ignorerErreurs ?? false,
          acceptAmountChanges: options.accepterModifications ?? false,
          defaultDays: options.delaiPaiement ?? config.import.delai_paiement_jours,
          company: {
            name: creditor.name,
            siren: creditor.siren === '' ? null : creditor.siren,
            vat: config.creancier.numero_tva?.replace(/\s+/g, '').toUpperCase() ?? null,
          },
        },
        { now: context.now, today: context.today },
        progressFor(context, options),
      ),
    (done) => done.committed,
  );
  if (options.json) {
    context.stdout.write(`${JSON.stringify(toJson(report))}\n`);
  } else {
    printReport(context, report);
  }
  return report.problems.length > 0 ? 1 : 0;
}

function ruleText(rule: EInvoiceImportReport['computedDueDates'][number]['rule']): string {
  if (rule.kind === 'default')
    return `faute d'échéance et de délai écrits, ${rule.days} jours après la facture (délai légal, art. L441-10 du Code de commerce, ou celui de votre configuration)`;
  if (rule.days === 0) return `d'après « ${rule.text} » : payable à réception`;
  return `d'après « ${rule.text} » : ${rule.days} jours${rule.endOfMonth ? ' fin de mois' : ''}`;
}

function toJson(report: EInvoiceImportReport) {
  const c = report.counts;
  return {
    type: 'e-factures',
    chemin: report.path,
    dossier: report.folder,
    simulation: report.dryRun,
    importe: report.committed,
    fichiers_lus: report.filesRead,
    fichiers_ignores: report.filesSkipped,
    factures: report.invoices,
    avoirs: report.creditNotes,
    formats: report.bySyntax,
    lues_deux_fois: report.sameInvoiceTwice,
    crees: c?.created ?? 0,
    mis_a_jour: c?.updated ?? 0,
    inchanges: c?.unchanged ?? 0,
    clients_crees: c?.clientsCreated ?? 0,
    clients_mis_a_jour: c?.clientsUpdated ?? 0,
    echeances_calculees: report.computedDueDates.map((d) => ({
      fichier: d.file,
      numero: d.number,
      echeance: d.date,
      regle: d.rule.kind === 'default' ? 'delai_legal' : 'conditions_de_paiement',
      ...(d.rule.kind === 'terms' ? { conditions: d.rule.text } : {}),
    })),
    nombre_erreurs: report.problems.length,
    erreurs: report.problems.map((p) => ({ fichier: p.file, message: p.message })),
  };
}

function printReport(context: Context, report: EInvoiceImportReport): void {
  const c = colors(context);
  const out = (line = '') => context.stdout.write(`${line}\n`);
  const err = (line = '') => context.stderr.write(`${line}\n`);
  const name = displayPath(context.cwd, report.path);
  for (const p of report.problems)
    err(`${c.red('✗')} ${report.folder ? join(name, p.file) : name} : ${p.message}`);
  if (report.counts === null) {
    err();
    err(
      c.bold(
        `${plural(report.problems.length, 'fichier refusé', 'fichiers refusés')} : rien n'a été importé, la base est inchangée.`,
      ),
    );
    err('Corrigez ou retirez ces fichiers puis relancez, ou importez les autres avec --ignorer-erreurs.');
    return;
  }
  const counts = report.counts;
  const formats = Object.entries(report.bySyntax)
    .map(([syntax, n]) => `${n} ${syntax}`)
    .join(', ');
  out(
    c.bold(report.dryRun ? `Simulation de l'import de ${name} (rien n'est écrit)` : `Import de ${name}`) +
      c.dim(` — factures électroniques : ${formats}`),
  );
  out(
    `  ${plural(counts.created, 'facture créée', 'factures créées')}, ${plural(counts.updated, 'mise à jour', 'mises à jour')}, ${plural(counts.unchanged, 'inchangée', 'inchangées')}${report.dryRun ? ' (simulation)' : ''}`,
  );
  out(
    `  ${plural(counts.clientsCreated, 'client créé', 'clients créés')}, ${plural(counts.clientsUpdated, 'client mis à jour', 'clients mis à jour')}`,
  );
  if (report.creditNotes > 0)
    out(
      `  dont ${plural(report.creditNotes, 'avoir', 'avoirs')}, déduit${report.creditNotes > 1 ? 's' : ''} de ce que doit le client.`,
    );
  if (report.sameInvoiceTwice > 0)
    out(
      `  ${plural(report.sameInvoiceTwice, 'facture présente dans deux fichiers', 'factures présentes dans deux fichiers')} (PDF et XML), lue${report.sameInvoiceTwice > 1 ? 's' : ''} une fois.`,
    );
  if (report.filesSkipped > 0)
    out(
      c.dim(
        `  ${plural(report.filesSkipped, 'fichier ni PDF ni XML laissé de côté', 'fichiers ni PDF ni XML laissés de côté')}.`,
      ),
    );
  for (const d of report.computedDueDates) {
    const line = `  ${d.number} (${d.file}) sans date d'échéance : ${formatDateFr(d.date)}, ${ruleText(d.rule)}.`;
    out(d.rule.kind === 'default' ? c.yellow(line) : line);
  }
  if (report.problems.length > 0)
    out(
      c.yellow(
        `  ${plural(report.problems.length, 'fichier refusé', 'fichiers refusés')} (--ignorer-erreurs) : voir ci-dessus.`,
      ),
    );
}
