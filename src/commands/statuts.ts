import { dirname, resolve } from 'node:path';
import { onStore } from '../adapters/db/open.js';
import { colors, renderTable } from '../adapters/terminal.js';
import { exportPaidStatuses } from '../app/export-paid-statuses.js';
import type { Context } from '../context.js';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import { formatEuros } from '../domain/money.js';
import { UsageError } from '../errors.js';
import { displayPath, plural, writeJson } from './format.js';

export interface StatutsOptions {
  readonly encaissees?: boolean;
  readonly depuis?: IsoDate;
  readonly sortie?: string;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

const SOURCE_TEXT: Readonly<Record<string, string>> = {
  releve: 'relevé bancaire',
  fichier: 'fichier de règlements',
  manuel: 'saisi',
};

/** `recouvre statuts --encaissees`: writes the 212 « Encaissée » statuses a platform should receive. */
export async function runStatuts(context: Context, options: StatutsOptions): Promise<number> {
  if (!options.encaissees) {
    throw new UsageError('Précisez ce que vous voulez écrire : --encaissees.', [
      'recouvre statuts --encaissees écrit les statuts 212 « Encaissée » des règlements enregistrés,',
      'à déposer sur votre plateforme agréée ; les statuts reçus de la plateforme se lisent avec recouvre import statuts.csv.',
    ]);
  }
  const dir = resolve(context.cwd, options.sortie ?? dirname(context.dbPath));
  const result = await onStore(context.dbPath, (store) =>
    exportPaidStatuses(
      store,
      { dir, since: options.depuis ?? null, dryRun: options.dryRun ?? false },
      context,
    ),
  );
  const { paid } = result;
  if (options.json) {
    writeJson(context, {
      simulation: options.dryRun ?? false,
      depuis: options.depuis ?? null,
      nombre: paid.length,
      csv: result.csvFile,
      json: result.jsonFile,
      statuts: paid.map((p) => ({
        numero_facture: p.number,
        code: 212,
        date: p.date,
        montant_centimes: p.amount,
        devise: p.currency,
        origine: p.source,
        deja_transmis: p.exported,
      })),
    });
    return 0;
  }
  const out = (text: string) => context.stdout.write(`${text}\n`);
  const c = colors(context);
  if (paid.length === 0) {
    out(
      options.depuis
        ? `Aucun règlement enregistré depuis le ${formatDateFr(options.depuis)} : aucun fichier écrit.`
        : 'Aucun nouveau règlement à transmettre depuis le dernier export : aucun fichier écrit.',
    );
    return 0;
  }
  out(
    c.bold(
      `${plural(paid.length, 'statut 212 « Encaissée »', 'statuts 212 « Encaissée »')}${options.dryRun ? ' à écrire (simulation : rien n’est écrit)' : paid.length > 1 ? ' écrits' : ' écrit'}`,
    ),
  );
  out(
    renderTable(
      context,
      ['Facture', 'Date', 'Montant', 'Origine'],
      paid.map((p) => [
        p.exported ? `${p.number} (déjà transmis)` : p.number,
        formatDateFr(p.date as IsoDate),
        formatEuros(p.amount, p.currency),
        SOURCE_TEXT[p.source] ?? p.source,
      ]),
      [2],
    ),
  );
  if (result.csvFile && result.jsonFile) {
    out(
      `Fichiers : ${displayPath(context.cwd, result.csvFile)} et ${displayPath(context.cwd, result.jsonFile)}`,
    );
    out(
      c.dim(
        'Déposez l’un des deux sur votre plateforme agréée. Ces règlements ne seront plus repris au prochain export (--depuis <date> les réécrit).',
      ),
    );
  }
  return 0;
}
