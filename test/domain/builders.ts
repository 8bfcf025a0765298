import type { IsoDate } from '../../src/domain/dates.js';
import { type DunningClient, type DunningInvoice, UNHELD } from '../../src/domain/dunning.js';
import type { Cents } from '../../src/domain/money.js';

/** The engine's view of a client, as the store hands it over; `over` changes any field. */
export function dunningClient(id: number, over: Partial<DunningClient> = {}): DunningClient {
  return {
    id,
    code: `C${String(id).padStart(3, '0')}`,
    name: `Client ${id}`,
    kind: 'professionnel',
    hasEmail: true,
    hasAddress: true,
    paused: false,
    pausedUntil: null,
    pauseReason: null,
    ...over,
  };
}

let nextId = 1;

/**
 * An open invoice (a credit note when `amount` is negative) with nothing paid; each gets a new id
 * and, unless `over` names it, the number `F<id>`.
 */
export function dunningInvoice(
  clientId: number,
  due: string,
  amount: number,
  over: Partial<DunningInvoice> = {},
): DunningInvoice {
  const id = nextId++;
  return {
    id,
    number: `F${id}`,
    clientId,
    creditDate: amount < 0 ? ('2026-09-01' as IsoDate) : null,
    dueDate: due as IsoDate,
    currency: 'EUR',
    amount: amount as Cents,
    declaredPaid: 0 as Cents,
    payments: [],
    freshPayments: [],
    outstanding: amount as Cents,
    ...UNHELD,
    ...over,
  };
}
