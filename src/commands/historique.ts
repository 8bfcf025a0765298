import { stampOf, targetOf } from '../adapters/db/follow-up.js';
import {
  historyRows,
  lastNotice,
  markTasksDone,
  recordInterruptions,
  recordManualAction,
  recordReceipt,
  tasksOfStep,
} from '../adapters/db/history-store.js';
import { openStore, type Store } from '../adapters/db/open.js';
import { type ClientRef, type InvoiceRef, openInvoicesOfClient } from '../adapters/db/records.js';
import { renderTable } from '../adapters/terminal.js';
import type { Context } from '../context.js';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import { formatEuros } from '../domain/money.js';
import { INTERRUPTION_LABELS, type InterruptionKind } from '../domain/prescription.js';
import {
  CHANNEL_LABELS,
  CHANNELS,
  type Channel,
  STEP_CODES,
  STEP_LABELS,
  type StepCode,
} from '../domain/scenario.js';
import { UsageError, UserError } from '../errors.js';
import { plural } from './format.js';

export interface HistoriqueOptions {
  readonly json?: boolean;
  readonly ajouter?: string;
  readonly canal?: string;
  readonly date?: IsoDate;
  readonly note?: string;
}

/** The channel a step recorded by hand goes by, unless --canal says otherwise. */
const DEFAULT_CHANNELS: Readonly<Record<StepCode, Channel>> = {
  preavis: 'email',
  rappel: 'email',
  relance: 'email',
  appel: 'appel',
  mise_en_demeure: 'courrier',
  contentieux: 'tache',
  penalites: 'email',
};

/** One event of an invoice's or a client's history. */
interface HistoryEvent {
  readonly date: string;
  readonly type: string;
  readonly facture: string | null;
  readonly at: string;
  readonly text: string;
  readonly extra: Record<string, unknown>;
}

const JOURNAL_TEXT: Readonly<Record<string, (d: Record<string, unknown>) => string>> = {
  facture_modifiee: (d) => `modifiée par un import : ${describeChanges(d)}`,
  facture_soldee_absente: () => "soldée : absente d'un export « liste complète »",
  client_modifie: () => 'coordonnées du client mises à jour par un import',
  litige: (d) => `mise en litige : ${String(d.motif ?? '')}`,
  litige_leve: () => 'litige levé',
  statut_transmis: (d) =>
    `statut 212 « Encaissée » écrit pour la plateforme (règlement de ${formatEuros(Number(d.montant_centimes), String(d.devise ?? 'EUR'))} du ${formatDateFr(d.date as IsoDate)})`,
  statut: (d) => {
    const base = `statut ${String(d.code)} « ${String(d.libelle)} » du ${formatDateFr(d.date as IsoDate)}${d.motif ? ` : ${String(d.motif)}` : ''}`;
    return `${base}${STATUS_EFFECT_TEXT[String(d.effet)]?.(d) ?? ''}`;
  },
  pause: (d) =>
    `relances en pause${d.jusqu_au ? ` jusqu'au ${formatDateFr(d.jusqu_au as IsoDate)}` : ''}${d.motif ? ` : ${String(d.motif)}` : ''}`,
  reprise: () => 'relances reprises',
  echeancier: (d) =>
    `échéancier : ${formatEuros(Number(d.total_centimes ?? 0))} en ${plural((d.echeances as unknown[] | undefined)?.length ?? 0, 'échéance', 'échéances')}`,
  echeancier_annule: () => 'échéancier annulé',
  reception_mise_en_demeure: (d) =>
    `mise en demeure du ${formatDateFr(d.envoyee_le as IsoDate)} reçue le ${formatDateFr(d.recue_le as IsoDate)}`,
  interruption_prescription: (d) =>
    `prescription interrompue : ${INTERRUPTION_LABELS[d.evenement as InterruptionKind] ?? String(d.evenement)}${d.note ? ` (${String(d.note)})` : ''} ; nouveau délai à compter du ${formatDateFr(d.date as IsoDate)}`,
};

/** What a lifecycle status did to the invoice, after its text. */
const STATUS_EFFECT_TEXT: Readonly<Record<string, (d: Record<string, unknown>) => string>> = {
  litige: () => ' → en litige, plus relancée',
  litige_partiel: (d) =>
    ` → ${formatEuros(Number(d.conteste_centimes ?? 0))} contestés, seule la part acceptée est relancée`,
  pause: (d) =>
    ` → relances en pause${d.jusqu_au ? ` jusqu'au ${formatDateFr(d.jusqu_au as IsoDate)}` : " jusqu'à un nouveau statut"}`,
  reglement: (d) => ` → règlement de ${formatEuros(Number(d.regle_centimes ?? 0))} enregistré`,
  retiree: () => ' → retirée du recouvrement',
  historique: (d) => (d.note ? ` (${String(d.note)})` : ''),
};

function describeChanges(details: Record<string, unknown>): string {
  const before = (details.avant ?? {}) as Record<string, unknown>;
  const after = (details.apres ?? {}) as Record<string, unknown>;
  return Object.keys(after)
    .map((key) => `${key} ${String(before[key])} → ${String(after[key])}`)
    .join(', ');
}

/** Lists everything that happened to an invoice or a client; --ajouter records a step done by hand. */
export async function runHistorique(
  context: Context,
  reference: string,
  options: HistoriqueOptions,
): Promise<number> {
  const store = await openStore(context.dbPath, { create: false });
  try {
    const target = targetOf(store, reference);
    if (options.ajouter === 'reception') {
      noteReceipt(context, store, target, options);
      return 0;
    }
    if (options.ajouter !== undefined && Object.hasOwn(INTERRUPTION_LABELS, options.ajouter)) {
      noteInterruption(context, store, target, options.ajouter as InterruptionKind, options);
      return 0;
    }
    if (options.ajouter !== undefined) {
      addManualAction(context, store, target, options);
      return 0;
    }
    if (options.canal || options.note) throw new UsageError('--canal et --note vont avec --ajouter <étape>.');
    const events = collectEvents(store, target);
    if (options.json) {
      context.stdout.write(
        `${JSON.stringify(events.map((e) => ({ date: e.date, type: e.type, facture: e.facture, ...e.extra })))}\n`,
      );
      return 0;
    }
    const title =
      target.kind === 'client' ? `Client ${target.code} (${target.name})` : `Facture ${target.number}`;
    context.stdout.write(`${title} : ${plural(events.length, 'événement', 'événements')}\n`);
    if (events.length > 0) {
      context.stdout.write(
        `${renderTable(
          context,
          target.kind === 'client' ? ['Date', 'Facture', 'Événement'] : ['Date', 'Événement'],
          events.map((e) =>
            target.kind === 'client'
              ? [formatDateFr(e.date as IsoDate), e.facture ?? '—', e.text]
              : [formatDateFr(e.date as IsoDate), e.text],
          ),
        )}\n`,
      );
    }
  } finally {
    await store.close();
  }
  return 0;
}

function collectEvents(store: Store, target: InvoiceRef | ClientRef): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const rows = historyRows(store, target);

  const { created } = rows;
  for (const row of created) {
    events.push({
      date: row.date,
      type: 'import',
      facture: row.number,
      at: row.recorded_at,
      text: `importée depuis ${row.file_name}`,
      extra: { fichier: row.file_name },
    });
  }

  const { journal } = rows;
  for (const row of journal) {
    const details = JSON.parse(row.details) as Record<string, unknown>;
    const text = JOURNAL_TEXT[row.kind]?.(details) ?? row.kind;
    events.push({
      date: row.date,
      type: row.kind,
      facture: row.number,
      at: row.recorded_at,
      text,
      extra: details,
    });
  }

  const { payments } = rows;
  for (const row of payments) {
    events.push({
      date: row.date,
      type: 'paiement',
      facture: row.number,
      at: row.recorded_at,
      text: `règlement de ${formatEuros(row.amount_cents, row.currency)}${row.reference ? ` (réf. ${row.reference})` : ''}${row.source === 'manuel' ? ', saisi à la main' : row.source === 'releve' ? ', relevé bancaire' : ''}`,
      extra: { montant_centimes: row.amount_cents, source: row.source, reference: row.reference },
    });
  }

  const { actions } = rows;
  for (const row of actions) {
    const step = describeStep(row.step, row.channel as Channel);
    events.push({
      date: row.date,
      type: 'relance',
      facture: row.number,
      at: row.created_at,
      text: `${step}${row.origin === 'manuel' ? ' (saisie à la main)' : ''}${row.note ? ` : ${row.note}` : ''}`,
      extra: {
        action: row.id,
        etape: row.step,
        canal: row.channel,
        statut: row.status,
        origine: row.origin,
        reste_du_centimes: row.outstanding_cents,
        note: row.note,
        message_id: row.message_id,
        document: row.document,
      },
    });
  }
  return events.sort((a, b) =>
    a.date < b.date ? -1 : a.date > b.date ? 1 : a.at < b.at ? -1 : a.at > b.at ? 1 : 0,
  );
}

/**
 * Records a reminder sent outside recouvre (a phone call, a letter): the scenario goes on from it,
 * and it counts for the minimum interval between two actions to the same client.
 */
function addManualAction(
  context: Context,
  store: Store,
  target: InvoiceRef | ClientRef,
  options: HistoriqueOptions,
): void {
  const step = options.ajouter as StepCode;
  if (!STEP_CODES.includes(step)) {
    throw new UsageError(
      `« ${options.ajouter} » inconnu : une étape (${STEP_CODES.join(', ')}), ou reception, reconnaissance_dette, demande_en_justice.`,
    );
  }
  const channel = (options.canal ?? DEFAULT_CHANNELS[step]) as Channel;
  if (!CHANNELS.includes(channel))
    throw new UsageError(`Canal « ${options.canal} » inconnu : ${CHANNELS.join(', ')}.`);
  const date = options.date ?? context.today;
  if (date > context.today)
    throw new UsageError(`${formatDateFr(date)} est dans le futur : notez une action faite.`);
  if (step === 'penalites' && target.kind === 'client') {
    throw new UsageError(
      'Les pénalités d’une facture payée en retard se notent facture par facture : recouvre historique <facture> --ajouter penalites.',
    );
  }
  const invoices =
    target.kind === 'facture'
      ? [target]
      : openInvoicesOfClient(store, target.id).filter((i) => i.dueDate < date || step === 'preavis');
  if (invoices.length === 0) {
    throw new UserError(
      `Le client ${reference(target)} n'a aucune facture ouverte échue au ${formatDateFr(date)} : rien à noter.`,
    );
  }
  const clientId = target.kind === 'client' ? target.id : target.clientId;
  const note = options.note?.trim() || null;
  // A task that recouvre listed (a call, a litigation file) is marked done rather than added again.
  const tasks = tasksOfStep(store, clientId, step);
  if (tasks.length > 0) {
    markTasksDone(store, tasks, { clientId, step, note }, stampOf(context));
    context.stdout.write(
      `Tâche « ${STEP_LABELS[step]} » du client ${target.kind === 'client' ? target.code : target.clientCode} marquée faite.\n`,
    );
    return;
  }
  recordManualAction(store, { target, clientId, date, step, channel, note, invoices }, stampOf(context));
  context.stdout.write(
    `Noté : ${describeStep(step, channel)} le ${formatDateFr(date)} pour ${invoices.map((i) => i.number).join(', ')}. Le scénario reprend à partir de cette étape.\n`,
  );
}

/** The day of an event recorded by hand: today by default, never in the future. */
function eventDate(context: Context, options: HistoriqueOptions): IsoDate {
  const date = options.date ?? context.today;
  if (date > context.today)
    throw new UsageError(`${formatDateFr(date)} est dans le futur : notez un événement qui a eu lieu.`);
  return date;
}

/**
 * The day a mise en demeure was received (its acknowledgement of receipt): a private client's
 * legal interest runs from it, rather than from the presumed day.
 */
function noteReceipt(
  context: Context,
  store: Store,
  target: InvoiceRef | ClientRef,
  options: HistoriqueOptions,
): void {
  const date = eventDate(context, options);
  const notice = lastNotice(store, target, date);
  if (!notice) {
    throw new UserError(
      `Aucune mise en demeure envoyée à ${reference(target)} au plus tard le ${formatDateFr(date)} : rien à marquer reçu.`,
      ['Les mises en demeure envoyées : recouvre historique <client>'],
    );
  }
  recordReceipt(store, target, notice, date, stampOf(context));
  context.stdout.write(
    `Noté : la mise en demeure du ${formatDateFr(notice.date)} a été reçue le ${formatDateFr(date)}. Pour un client particulier, les intérêts au taux légal courent à partir de cette date.\n`,
  );
}

/** An acknowledgement of the debt or a court application: the prescription starts again from it. */
function noteInterruption(
  context: Context,
  store: Store,
  target: InvoiceRef | ClientRef,
  kind: InterruptionKind,
  options: HistoriqueOptions,
): void {
  const date = eventDate(context, options);
  const invoices = target.kind === 'facture' ? [target] : openInvoicesOfClient(store, target.id);
  if (invoices.length === 0)
    throw new UserError(`Le client ${reference(target)} n'a aucune facture ouverte : rien à noter.`);
  const clientId = target.kind === 'client' ? target.id : target.clientId;
  const note = options.note?.trim() || null;
  recordInterruptions(store, { clientId, invoices, date, kind, note }, stampOf(context));
  context.stdout.write(
    `Noté : ${INTERRUPTION_LABELS[kind]} le ${formatDateFr(date)} pour ${invoices.map((i) => i.number).join(', ')}. La prescription repart de cette date.\n`,
  );
}

/** `describeStep('relance', 'email')` → `'relance par e-mail'`; a call is just « appel ». */
function describeStep(step: string, channel: Channel): string {
  const label = STEP_LABELS[step as StepCode] ?? step;
  if (channel === 'appel') return step === 'appel' ? 'appel téléphonique' : `${label} par téléphone`;
  if (channel === 'tache') return `${label} (tâche)`;
  return `${label} par ${CHANNEL_LABELS[channel]}`;
}

function reference(target: InvoiceRef | ClientRef): string {
  return target.kind === 'client' ? target.code : target.number;
}
