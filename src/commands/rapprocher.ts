import { waitingLines } from '../adapters/db/bank-store.js';
import { openStore } from '../adapters/db/open.js';
import { progressFor } from '../adapters/progress.js';
import { colors } from '../adapters/terminal.js';
import { confirmLine, reconcile } from '../app/reconcile.js';
import type { Context } from '../context.js';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import { formatEuros } from '../domain/money.js';
import { UsageError } from '../errors.js';
import { plural } from './format.js';

export interface RapprocherOptions {
  readonly confirmer?: string;
  readonly json?: boolean;
}

const RULES = {
  numero: 'numéro de facture cité',
  montant_client: 'montant exact du client',
  somme_client: 'somme exacte de factures du client',
};

/**
 * `recouvre rapprocher releve.csv`: applies the sure matches of a bank statement as payments;
 * `recouvre rapprocher --confirmer 14 F2026-0102`: the user says what a waiting line pays;
 * `recouvre rapprocher`: the lines still waiting.
 */
export async function runRapprocher(
  context: Context,
  args: readonly string[],
  options: RapprocherOptions,
): Promise<number> {
  const c = colors(context);
  const out = (text: string) => context.stdout.write(text);
  const store = await openStore(context.dbPath, { create: false });
  try {
    const clock = { now: context.now, today: context.today };
    if (options.confirmer !== undefined) {
      const id = Number(options.confirmer);
      if (!Number.isInteger(id) || id <= 0)
        throw new UsageError(
          `--confirmer « ${options.confirmer} » : numéro de ligne attendu (voir « recouvre rapprocher »).`,
        );
      if (args.length === 0)
        throw new UsageError(
          'Indiquez la ou les factures que paie cette ligne : recouvre rapprocher --confirmer 14 F2026-0102',
        );
      const done = confirmLine(store, id, args, clock);
      if (options.json) {
        out(
          `${JSON.stringify({
            ligne: id,
            montant_centimes: done.amount,
            devise: done.currency,
            factures: done.allocations.map((a) => ({ numero: a.number, montant_centimes: a.amount })),
          })}\n`,
        );
        return 0;
      }
      out(
        `Ligne n° ${id} (${formatEuros(done.amount, done.currency)}) rapprochée : ${done.allocations.map((a) => `${a.number} ${formatEuros(a.amount, done.currency)}`).join(', ')}.\n`,
      );
      return 0;
    }
    if (args.length > 1) throw new UsageError('Un seul relevé à la fois : recouvre rapprocher releve.csv');
    let importId: number | null = null;
    if (args.length === 1) {
      const report = await reconcile(store, args[0]!, clock, progressFor(context, options));
      importId = report.importId;
      const sure = report.matches.filter((m) => m.kind === 'sure');
      if (options.json) {
        out(
          `${JSON.stringify({
            releve: {
              format: report.statement.format,
              compte: report.statement.account,
              du: report.statement.from,
              au: report.statement.to,
              operations: report.statement.operations,
            },
            rapprochees: sure.length,
            a_confirmer: report.matches.filter((m) => m.kind === 'doubt').length,
            sans_correspondance: report.matches.filter((m) => m.kind === 'none').length,
            deja_lues: report.alreadySeen,
            debits_ignores: report.debits,
            lignes: report.matches.map((m) => ({
              ligne: m.id,
              date: m.line.date,
              montant_centimes: m.line.amount,
              libelle: m.line.label,
              statut:
                m.kind === 'sure' ? 'rapprochee' : m.kind === 'doubt' ? 'a_confirmer' : 'non_rapprochee',
              regle: m.kind === 'sure' ? m.rule : null,
              factures:
                m.kind === 'sure'
                  ? m.allocations.map((a) => ({ numero: a.invoice.number, montant_centimes: a.amount }))
                  : [],
              candidates: m.kind === 'doubt' ? m.candidates.map((i) => i.number) : [],
              raison: m.kind === 'doubt' ? m.reason : null,
            })),
          })}\n`,
        );
        return 0;
      }
      const { statement } = report;
      out(
        `${c.bold(`Relevé ${statement.format}`)}${statement.account ? `, compte ${statement.account}` : ', compte non indiqué'}` +
          `${statement.from && statement.to ? `, du ${formatDateFr(statement.from)} au ${formatDateFr(statement.to)}` : ''}` +
          ` : ${plural(statement.operations, 'opération', 'opérations')}.\n`,
      );
      out(
        `Dans ce relevé : ${c.bold(plural(sure.length, 'virement rapproché', 'virements rapprochés'))}, ${plural(report.matches.length - sure.length, 'à vérifier', 'à vérifier')}` +
          `${report.alreadySeen > 0 ? `, ${plural(report.alreadySeen, 'déjà lu', 'déjà lus')} (relevé déjà rapproché)` : ''}` +
          `${report.debits > 0 ? `, ${plural(report.debits, 'débit ignoré', 'débits ignorés')}` : ''}.\n`,
      );
      for (const m of sure) {
        out(
          `  ${formatDateFr(m.line.date)} ${formatEuros(m.line.amount, m.line.currency)} « ${m.line.label} » → ${m.allocations.map((a) => a.invoice.number).join(', ')} ${c.dim(`(${RULES[m.rule]})`)}\n`,
        );
      }
    }
    const waiting = waitingLines(store);
    if (options.json) {
      // Without a statement: the lines still waiting, as the text lists them.
      out(
        `${JSON.stringify({
          en_attente: waiting.map((w) => ({
            ligne: w.id,
            date: w.date,
            montant_centimes: w.amount_cents,
            devise: w.currency,
            libelle: w.label,
            statut: w.status,
            raison: w.reason,
          })),
        })}\n`,
      );
      return 0;
    }
    if (waiting.length === 0) {
      if (args.length === 0) out('Aucune ligne de relevé en attente.\n');
      return 0;
    }
    // The lines of the statement just read first, then those left waiting by earlier ones.
    const groups =
      importId === null
        ? [{ title: null, lines: waiting }]
        : [
            { title: 'de ce relevé', lines: waiting.filter((w) => w.import_id === importId) },
            { title: 'des relevés précédents', lines: waiting.filter((w) => w.import_id !== importId) },
          ];
    for (const group of groups) {
      if (group.lines.length === 0) continue;
      const n = group.lines.length;
      out(
        `\n${c.bold(plural(n, 'ligne à vérifier', 'lignes à vérifier'))}${group.title ? ` ${group.title}` : ''} (aucun règlement n'est enregistré pour ${n > 1 ? 'elles' : 'elle'}) :\n`,
      );
      for (const w of group.lines) {
        out(
          `  n° ${w.id}  ${formatDateFr(w.date as IsoDate)}  ${formatEuros(w.amount_cents, w.currency)}  « ${w.label} »  ${c.dim(w.reason ?? 'aucune facture ni client reconnu')}\n`,
        );
      }
    }
    out(
      `Pour en rapprocher une : recouvre rapprocher --confirmer <n°> <numéro de facture> [autres factures]\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
