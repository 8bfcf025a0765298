import { openStore } from '../adapters/db/open.js';
import { requireTarget, writeJournal } from '../adapters/db/records.js';
import type { Context } from '../context.js';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import { UsageError } from '../errors.js';

export interface PauseOptions {
  readonly jusquAu?: IsoDate;
  readonly motif?: string;
  readonly reprendre?: boolean;
}

/** Pauses the reminders of a client or of one invoice (until a date, or until resumed). */
export async function runPause(context: Context, reference: string, options: PauseOptions): Promise<number> {
  if (options.reprendre && (options.jusquAu || options.motif)) {
    throw new UsageError('--reprendre ne se combine pas avec --jusqu-au ni --motif.');
  }
  if (options.jusquAu && options.jusquAu < context.today) {
    throw new UsageError(
      `--jusqu-au ${formatDateFr(options.jusquAu)} est passé : donnez une date à venir, ou omettez-la pour une pause sans fin.`,
    );
  }
  const reason = options.motif?.trim() || null;
  const store = await openStore(context.dbPath, { create: false });
  let label = '';
  try {
    const { sqlite } = store;
    sqlite.transaction(() => {
      const target = requireTarget(sqlite, reference);
      const table = target.kind === 'client' ? 'clients' : 'invoices';
      label =
        target.kind === 'client'
          ? `le client ${target.code} (${target.name})`
          : `la facture ${target.number}`;
      sqlite
        .prepare(`UPDATE ${table} SET paused = ?, paused_until = ?, pause_reason = ? WHERE id = ?`)
        .run(
          options.reprendre ? 0 : 1,
          options.reprendre ? null : (options.jusquAu ?? null),
          options.reprendre ? null : reason,
          target.id,
        );
      writeJournal(sqlite, {
        recordedAt: context.now.toISOString(),
        date: context.today,
        kind: options.reprendre ? 'reprise' : 'pause',
        clientId: target.kind === 'client' ? target.id : target.clientId,
        invoiceId: target.kind === 'client' ? null : target.id,
        details: options.reprendre ? {} : { jusqu_au: options.jusquAu ?? null, motif: reason },
      });
    })();
  } finally {
    await store.close();
  }
  const until = options.jusquAu
    ? `jusqu'au ${formatDateFr(options.jusquAu)} inclus (elles reprennent seules le lendemain)`
    : 'jusqu’à « recouvre pause … --reprendre »';
  context.stdout.write(
    options.reprendre ? `Relances reprises pour ${label}.\n` : `Relances en pause pour ${label}, ${until}.\n`,
  );
  return 0;
}
