import { setDispute, stampOf } from '../adapters/db/follow-up.js';
import { openStore } from '../adapters/db/open.js';
import type { Context } from '../context.js';
import { UsageError, UserError } from '../errors.js';
import { writeJson } from './format.js';

export interface LitigeOptions {
  readonly motif?: string;
  readonly lever?: boolean;
  readonly json?: boolean;
}

/** Marks an invoice as disputed (never chased while it is), or lifts the dispute. */
export async function runLitige(context: Context, number: string, options: LitigeOptions): Promise<number> {
  const reason = options.motif?.trim();
  if (Boolean(options.lever) === (reason !== undefined)) {
    throw new UsageError('Indiquez soit --motif "…" (mettre en litige), soit --lever (lever le litige).', [
      `Exemple : recouvre litige ${number} --motif "livraison incomplète"`,
    ]);
  }
  if (reason === '')
    throw new UsageError('Le motif du litige est vide : dites en quelques mots ce qui est contesté.');
  const store = await openStore(context.dbPath, { create: false });
  try {
    setDispute(store, number, options.lever ? null : reason!, stampOf(context), (invoice) => {
      if (options.lever && !invoice.disputed) {
        throw new UserError(`La facture ${invoice.number} n'est pas en litige : rien à lever.`);
      }
    });
  } finally {
    await store.close();
  }
  if (options.json) writeJson(context, { facture: number, litige: !options.lever, motif: reason ?? null });
  else
    context.stdout.write(
      options.lever
        ? `Litige levé sur la facture ${number} : elle reprend son scénario de relance.\n`
        : `Facture ${number} en litige (${reason}) : elle ne sera plus relancée tant que le litige n'est pas levé (recouvre litige ${number} --lever).\n`,
    );
  return 0;
}
