import { openStore } from '../adapters/db/open.js';
import { requireInvoice, writeJournal } from '../adapters/db/records.js';
import type { Context } from '../context.js';
import { UsageError, UserError } from '../errors.js';

export interface LitigeOptions {
  readonly motif?: string;
  readonly lever?: boolean;
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
    const { sqlite } = store;
    sqlite.transaction(() => {
      const invoice = requireInvoice(sqlite, number);
      if (options.lever && !invoice.disputed) {
        throw new UserError(`La facture ${invoice.number} n'est pas en litige : rien à lever.`);
      }
      sqlite
        .prepare('UPDATE invoices SET disputed = ?, dispute_reason = ? WHERE id = ?')
        .run(options.lever ? 0 : 1, options.lever ? null : reason, invoice.id);
      writeJournal(sqlite, {
        recordedAt: context.now.toISOString(),
        date: context.today,
        kind: options.lever ? 'litige_leve' : 'litige',
        clientId: invoice.clientId,
        invoiceId: invoice.id,
        details: options.lever ? { numero: invoice.number } : { numero: invoice.number, motif: reason },
      });
    })();
  } finally {
    await store.close();
  }
  context.stdout.write(
    options.lever
      ? `Litige levé sur la facture ${number} : elle reprend son scénario de relance.\n`
      : `Facture ${number} en litige (${reason}) : elle ne sera plus relancée tant que le litige n'est pas levé (recouvre litige ${number} --lever).\n`,
  );
  return 0;
}
