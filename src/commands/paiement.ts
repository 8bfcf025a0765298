import { openStore } from '../adapters/db/open.js';
import { requireInvoice, writeJournal } from '../adapters/db/records.js';
import type { Context } from '../context.js';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import { type Cents, formatEuros, guessDecimalMark, parseAmount } from '../domain/money.js';
import { UsageError, UserError } from '../errors.js';

export interface PaiementOptions {
  readonly date?: IsoDate;
  readonly reference?: string;
}

/** Records a payment received for an invoice (partial or full), typed in French amount syntax. */
export async function runPaiement(
  context: Context,
  number: string,
  rawAmount: string,
  options: PaiementOptions,
): Promise<number> {
  const parsed = parseAmount(rawAmount, guessDecimalMark([rawAmount]));
  if (!parsed.ok) throw new UsageError(`Montant « ${rawAmount} » : ${parsed.reason} (exemple : 1 234,56).`);
  if (parsed.cents <= 0)
    throw new UsageError(`Montant « ${rawAmount} » : un règlement est un montant positif.`);
  const date = options.date ?? context.today;
  if (date > context.today) {
    throw new UsageError(
      `Date du règlement ${formatDateFr(date)} dans le futur : enregistrez-le quand il est reçu.`,
    );
  }
  const store = await openStore(context.dbPath, { create: false });
  let left: Cents;
  let currency: string;
  try {
    const { sqlite } = store;
    ({ left, currency } = sqlite.transaction(() => {
      const invoice = requireInvoice(sqlite, number);
      if (invoice.outstanding < 0) {
        throw new UserError(`${invoice.number} est un avoir : un règlement s'enregistre sur une facture.`);
      }
      if (invoice.outstanding === 0) {
        throw new UserError(`La facture ${invoice.number} est déjà soldée : rien n'a été enregistré.`);
      }
      if (parsed.currency !== null && parsed.currency !== invoice.currency) {
        throw new UserError(
          `La facture ${invoice.number} est en ${invoice.currency}, le montant donné en ${parsed.currency} : rien n'a été enregistré.`,
        );
      }
      if (parsed.cents > invoice.outstanding) {
        throw new UserError(
          `${formatEuros(parsed.cents, invoice.currency)} dépasse le reste dû de la facture ${invoice.number} (${formatEuros(invoice.outstanding, invoice.currency)}) : rien n'a été enregistré.`,
          ['Vérifiez le montant ; un trop-perçu se traite dans votre logiciel de comptabilité.'],
        );
      }
      sqlite
        .prepare(
          `INSERT INTO payments (invoice_id, date, amount_cents, source, reference, recorded_at)
           VALUES (?, ?, ?, 'manuel', ?, ?)`,
        )
        .run(invoice.id, date, parsed.cents, options.reference?.trim() || null, context.now.toISOString());
      writeJournal(sqlite, {
        recordedAt: context.now.toISOString(),
        date: context.today,
        kind: 'paiement',
        clientId: invoice.clientId,
        invoiceId: invoice.id,
        details: {
          numero: invoice.number,
          date,
          montant_centimes: parsed.cents,
          reference: options.reference ?? null,
        },
      });
      return { left: requireInvoice(sqlite, number).outstanding, currency: invoice.currency };
    })());
  } finally {
    await store.close();
  }
  context.stdout.write(
    `Règlement de ${formatEuros(parsed.cents, currency)} du ${formatDateFr(date)} enregistré sur la facture ${number}. ` +
      (left === 0
        ? 'Elle est soldée : elle ne sera plus relancée.\n'
        : `Reste dû : ${formatEuros(left, currency)}.\n`) +
      'Enregistrez-le aussi dans votre logiciel : au prochain import, recouvre considère que l’export en tient compte.\n',
  );
  return 0;
}
