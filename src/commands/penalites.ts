import { loadDunningInput, loadPastActions } from '../adapters/db/dunning-store.js';
import { latestSettlementDate, loadLateFeeInput } from '../adapters/db/late-fees-store.js';
import { openStore, type Store } from '../adapters/db/open.js';
import { invoiceWithClient } from '../adapters/db/records.js';
import { colors } from '../adapters/terminal.js';
import { loadDunningRules } from '../app/dunning-plan.js';
import type { Context } from '../context.js';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import { clientLabel, planDunning } from '../domain/dunning.js';
import { type LateFee, lateFees } from '../domain/late-fees.js';
import { type Cents, formatEuros } from '../domain/money.js';
import {
  computePenalties,
  type DatedAmount,
  formalNoticeReceipt,
  type InterestPeriod,
  type Penalty,
} from '../domain/penalties.js';
import { formatRate } from '../domain/rates.js';
import { UserError } from '../errors.js';
import { plural } from './format.js';

export interface PenalitesOptions {
  readonly json?: boolean;
}

const BASIS_LABELS: Readonly<Record<InterestPeriod['basis'], string>> = {
  'bce+10': 'taux BCE + 10 points',
  contractuel: 'taux contractuel',
  plancher: "plancher légal : 3 × taux de l'intérêt légal",
  legal: "taux de l'intérêt légal",
};

/** Explains, line by line, the late-payment interest and the indemnity of one invoice. */
export async function runPenalites(
  context: Context,
  number: string,
  options: PenalitesOptions,
): Promise<number> {
  // `--date`, when given, is the context's day (main.ts).
  const asOf = context.today;
  // Forced: the explanation holds on any day, a Sunday included.
  const rules = await loadDunningRules(context, true);
  const store = await openStore(context.dbPath, { create: false });
  let result: { penalty: Penalty; details: Details };
  let credits: DatedAmount[] = [];
  let creditNotes: string[] = [];
  try {
    const row = invoiceWithClient(store, number);
    if (!row)
      throw new UserError(`Facture « ${number} » inconnue.`, ['La liste des factures : recouvre factures']);
    const input = loadDunningInput(store, asOf, { clientId: row.client_id, dueUntil: asOf });
    const invoice = input.invoices.find((i) => i.id === row.id);
    if (invoice && invoice.outstanding < 0) {
      context.stdout.write(`${number} est un avoir : il réduit ce que doit le client, sans pénalités.\n`);
      return 0;
    }
    if (!invoice) {
      const settled = settledResult(store, rules, row.client_id, row.id, number, asOf);
      if (typeof settled === 'string') {
        context.stdout.write(settled);
        return 0;
      }
      result = settled;
    } else {
      const client = input.clients.get(invoice.clientId)!;
      const receipt = formalNoticeReceipt(
        loadPastActions(store, row.client_id).filter(
          (a) => a.step === 'mise_en_demeure' && a.invoiceIds.includes(invoice.id),
        ),
        rules.penalties.noticeReceiptDays,
      );
      // When a reminder claims this invoice today, its figure (credit notes applied) is the one shown.
      const covered = planDunning(input, rules)
        .actions.flatMap((a) => a.invoices)
        .find((c) => c.invoice.id === invoice.id);
      credits = (covered?.credits ?? []).map((k) => ({
        date: k.creditNote.creditDate ?? k.creditNote.dueDate,
        amount: k.amount,
      }));
      creditNotes = (covered?.credits ?? []).map(
        (k) =>
          `${k.creditNote.number} (${formatEuros(k.amount, invoice.currency)} au ${formatDateFr(k.creditNote.creditDate ?? k.creditNote.dueDate)})`,
      );
      const penalty = computePenalties(
        {
          amount: invoice.amount,
          declaredPaid: invoice.declaredPaid,
          payments: invoice.payments,
          extraCredits: [...invoice.freshPayments, ...credits],
          dueDate: invoice.dueDate,
          clientKind: client.kind,
          formalNoticeDate: receipt?.date ?? null,
        },
        rules.penalties,
        rules.rates,
        asOf,
      );
      result = {
        penalty,
        details: {
          number,
          clientCode: client.code,
          clientName: client.name,
          kind: client.kind,
          currency: invoice.currency,
          amount: invoice.amount,
          outstanding: invoice.outstanding,
          dueDate: invoice.dueDate,
          formalNotice: receipt,
          asOf,
          claimed: invoice.outstanding - credits.reduce((sum, k) => sum + k.amount, 0),
          creditNotes,
          settled: null,
        },
      };
    }
  } finally {
    await store.close();
  }
  if (options.json) context.stdout.write(`${JSON.stringify(toJson(result.penalty, result.details))}\n`);
  else writeExplanation(context, result.penalty, result.details);
  return 0;
}

interface Details {
  readonly number: string;
  readonly clientCode: string;
  readonly clientName: string;
  readonly kind: string;
  readonly currency: string;
  readonly amount: number;
  readonly outstanding: number;
  readonly dueDate: IsoDate;
  readonly formalNotice: ReturnType<typeof formalNoticeReceipt>;
  readonly asOf: IsoDate;
  /** Outstanding less the credit notes applied to it by today's reminder. */
  readonly claimed: number;
  readonly creditNotes: readonly string[];
  /** A settled invoice: when it was paid, and whether its penalties can still be claimed. */
  readonly settled: LateFee | null;
}

const LATE_FEE_STATES: Readonly<Record<LateFee['state'], string>> = {
  rien: 'rien à réclamer',
  reclamable: 'réclamable',
  deja_reclamee: 'déjà réclamé',
  litige: 'facture en litige : rien n’est réclamé',
  prescrite: 'prescrit',
};

/**
 * A settled invoice: what its delay made due, up to its payment, stays due (art. L441-10,
 * D441-5); or why there is nothing to show, as a sentence.
 */
function settledResult(
  store: Store,
  rules: Awaited<ReturnType<typeof loadDunningRules>>,
  clientId: number,
  invoiceId: number,
  number: string,
  asOf: IsoDate,
): { penalty: Penalty; details: Details } | string {
  const fee = lateFees(loadLateFeeInput(store, asOf, clientId), rules).find(
    (f) => f.invoice.id === invoiceId,
  );
  if (!fee) return settledOnTime(store, invoiceId, number);
  const { client } = fee;
  return {
    penalty: fee.penalty,
    details: {
      number,
      clientCode: client.code,
      clientName: client.name,
      kind: client.kind,
      currency: fee.invoice.currency,
      amount: fee.invoice.amount,
      outstanding: 0 as Cents,
      dueDate: fee.invoice.dueDate,
      formalNotice: fee.noticeReceipt,
      asOf,
      claimed: 0,
      creditNotes: [],
      settled: fee,
    },
  };
}

/** Why a settled invoice has no penalty to show. */
function settledOnTime(store: Store, invoiceId: number, number: string): string {
  const { dueDate, lastDate } = latestSettlementDate(store, invoiceId);
  if (lastDate === null)
    return `La facture ${number} est soldée, à une date que recouvre ne connaît pas : pas de pénalités calculables. Pour les calculer, notez le règlement avec sa date (recouvre paiement ${number} <montant> --date jj/mm/aaaa) ou importez un FEC.\n`;
  if (lastDate <= dueDate)
    return `La facture ${number} est soldée le ${formatDateFr(lastDate)}, sans retard : il n'y a rien à réclamer.\n`;
  return `La facture ${number} est soldée, mais une partie de son règlement n'a pas de date : recouvre ne peut pas calculer le retard.\n`;
}

function toJson(penalty: Penalty, d: Details): unknown {
  return {
    numero: d.number,
    client: d.clientCode,
    type_client: d.kind,
    date: d.asOf,
    echeance: d.dueDate,
    mise_en_demeure: d.formalNotice?.sent ?? null,
    mise_en_demeure_recue_le: d.formalNotice?.date ?? null,
    reception_presumee: d.formalNotice?.presumed ?? null,
    reglee_le: d.settled?.settledOn ?? null,
    etat: d.settled?.state ?? null,
    reste_du_centimes: d.outstanding,
    reclame_centimes: d.claimed,
    interets_centimes: penalty.interest,
    indemnite_centimes: penalty.indemnity,
    periodes: penalty.periods.map((p) => ({
      du: p.from,
      au: p.to,
      jours: p.days,
      base_centimes: p.base,
      taux_points_de_base: p.rate,
      fondement: p.basis,
      semestre: p.halfYear,
      taux_estime: p.estimated,
    })),
    avertissements: penalty.warnings,
  };
}

function writeExplanation(context: Context, penalty: Penalty, d: Details): void {
  const c = colors(context);
  const out = (text: string) => context.stdout.write(text);
  const money = (n: number) => formatEuros(n, d.currency);
  out(`${c.bold(`Facture ${d.number}`)} — ${clientLabel(d.clientName, d.clientCode)}, client ${d.kind}\n`);
  if (d.settled) {
    out(
      `Réglée le ${formatDateFr(d.settled.settledOn)}, ${plural(d.settled.daysLate, 'jour', 'jours')} après l'échéance du ${formatDateFr(d.dueDate)}${d.settled.state === 'rien' ? '.' : ' : ce retard a fait courir des sommes qui restent dues.'}\n\n`,
    );
  } else {
    out(
      `Reste dû ${money(d.outstanding)} · échéance ${formatDateFr(d.dueDate)} · calcul au ${formatDateFr(d.asOf)}\n\n`,
    );
  }
  const professional = d.kind === 'professionnel';
  out(
    c.bold(
      professional
        ? `Intérêts de retard (art. L441-10 du Code de commerce), du lendemain de l’échéance${d.settled ? ' au règlement' : ''} :\n`
        : 'Intérêts au taux légal (art. 1231-6 et 1344-1 du Code civil), à compter de la mise en demeure :\n',
    ),
  );
  if (!professional && d.formalNotice) {
    out(
      `  mise en demeure envoyée le ${formatDateFr(d.formalNotice.sent)}, ${d.formalNotice.presumed ? `réception présumée le ${formatDateFr(d.formalNotice.date)} (accusé de réception non noté : recouvre historique ${d.clientCode} --ajouter reception --date jj/mm/aaaa)` : `reçue le ${formatDateFr(d.formalNotice.date)}`}\n`,
    );
  }
  if (penalty.periods.length === 0) out(`  aucun : ${penalty.noInterestReason ?? ''}\n`);
  for (const p of penalty.periods) {
    const euros = (p.exactInterestCents / 100).toFixed(4).replace('.', ',');
    out(
      `  du ${formatDateFr(p.from)} au ${formatDateFr(p.to)} : ${money(p.base)} × ${formatRate(p.rate)} × ${plural(p.days, 'jour', 'jours')} / 365 = ${euros} €` +
        c.dim(` (${BASIS_LABELS[p.basis]}, ${p.halfYear}${p.estimated ? ', taux estimé' : ''})`) +
        '\n',
    );
  }
  out(`  Total des intérêts, arrondi au centime : ${c.bold(money(penalty.interest))}\n`);
  if (professional) {
    out(
      `Indemnité forfaitaire pour frais de recouvrement (art. D441-5 du Code de commerce) : ${money(penalty.indemnity)}\n`,
    );
  } else {
    out('Pas d’indemnité forfaitaire de 40 € : elle ne s’applique qu’entre professionnels.\n');
  }
  if (d.creditNotes.length > 0) {
    out(`Avoir imputé sur cette facture : ${d.creditNotes.join(', ')} ; reste réclamé ${money(d.claimed)}\n`);
  }
  const total = money(d.claimed + penalty.interest + penalty.indemnity);
  if (d.settled) {
    const fee = d.settled;
    const state = LATE_FEE_STATES[fee.state];
    out(
      `${c.bold('Total dû au titre du retard')} : ${total} (${fee.stateDate ? `${state} le ${formatDateFr(fee.stateDate)}` : state})\n`,
    );
    if (fee.state === 'reclamable')
      out(
        c.dim(
          'Pour le réclamer : étape « penalites » du scénario (recouvre.toml), ou notez une réclamation faite à la main : recouvre historique ' +
            `${d.number} --ajouter penalites\n`,
        ),
      );
  } else out(`${c.bold('Total réclamable')} : ${total}\n`);
  for (const warning of penalty.warnings) out(c.yellow(`Attention : ${warning}\n`));
}
