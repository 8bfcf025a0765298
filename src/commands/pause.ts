import { setPause, stampOf } from '../adapters/db/follow-up.js';
import { openStore } from '../adapters/db/open.js';
import type { Context } from '../context.js';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import { UsageError } from '../errors.js';
import { writeJson } from './format.js';

export interface PauseOptions {
  readonly jusquAu?: IsoDate;
  readonly motif?: string;
  readonly reprendre?: boolean;
  readonly json?: boolean;
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
  const pause = options.reprendre
    ? null
    : { until: options.jusquAu ?? null, reason: options.motif?.trim() || null };
  const store = await openStore(context.dbPath, { create: false });
  let target: ReturnType<typeof setPause>;
  try {
    target = setPause(store, reference, pause, stampOf(context));
  } finally {
    await store.close();
  }
  if (options.json) {
    writeJson(context, {
      ...(target.kind === 'client'
        ? { client: target.code, nom: target.name }
        : { facture: target.number, client: target.clientCode }),
      en_pause: pause !== null,
      jusqu_au: pause?.until ?? null,
      motif: pause?.reason ?? null,
    });
    return 0;
  }
  const label =
    target.kind === 'client' ? `le client ${target.code} (${target.name})` : `la facture ${target.number}`;
  const until = options.jusquAu
    ? `jusqu'au ${formatDateFr(options.jusquAu)} inclus (elles reprennent seules le lendemain)`
    : 'jusqu’à « recouvre pause … --reprendre »';
  context.stdout.write(
    pause ? `Relances en pause pour ${label}, ${until}.\n` : `Relances reprises pour ${label}.\n`,
  );
  return 0;
}
