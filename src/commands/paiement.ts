import { recordPayment, stampOf } from '../adapters/db/follow-up.js';
import { openStore } from '../adapters/db/open.js';
import type { Context } from '../context.js';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import { formatEuros, guessDecimalMark, parseAmount } from '../domain/money.js';
import { UsageError, UserError } from '../errors.js';
import { writeJson } from './format.js';

export interface PaiementOptions {
  readonly date?: IsoDate;
  readonly reference?: string;
  readonly json?: boolean;
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
  const reference = options.reference?.trim() || null;
  const store = await openStore(context.dbPath, { create: false });
  let recorded: ReturnType<typeof recordPayment>;
  try {
    recorded = recordPayment(
      store,
      number,
      { date, cents: parsed.cents, reference },
      stampOf(context),
      (invoice) => {
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
      },
    );
  } finally {
    await store.close();
  }
  const { left } = recorded;
  const { currency } = recorded.invoice;
  if (options.json) {
    writeJson(context, {
      facture: number,
      date,
      montant_centimes: parsed.cents,
      devise: currency,
      reference,
      reste_du_centimes: left,
      soldee: left === 0,
    });
    return 0;
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
