import { DocumentRows } from '../adapters/db/document-rows.js';
import type { Store } from '../adapters/db/open.js';
import type { OutgoingMessage } from '../adapters/mailer.js';
import { renderClaimFile, renderLetter } from '../adapters/pdf.js';
import type { Templates } from '../adapters/templates.js';
import type { Creditor } from '../domain/creditor.js';
import { formatDateFr, type IsoDate } from '../domain/dates.js';
import {
  type ClientDetails,
  type DocumentView,
  documentView,
  type InvoiceDetails,
} from '../domain/document-view.js';
import type { PlannedAction } from '../domain/dunning.js';
import { procedureAdvice } from '../domain/litigation.js';
import { formatEuros } from '../domain/money.js';
import { CHANNEL_LABELS, STEP_LABELS, type StepCode, WRITTEN_CHANNELS } from '../domain/scenario.js';

/** What one action produces: an e-mail, a letter to post, a claim file, or several of these. */
export interface RenderedAction {
  readonly email: Omit<OutgoingMessage, 'from' | 'replyTo' | 'bcc' | 'messageId' | 'date'> | null;
  readonly letter: { readonly filename: string; readonly pdf: Buffer } | null;
  readonly claimFile: { readonly filename: string; readonly pdf: Buffer } | null;
}

export interface RenderSettings {
  readonly templates: Templates;
  readonly creditor: Creditor;
  readonly asOf: IsoDate;
  readonly deadlineDays: number;
}

/** Reads, for the actions of a run, what the documents show beyond the plan itself. */
export class DocumentData {
  private readonly rows: DocumentRows;

  constructor(store: Store) {
    this.rows = new DocumentRows(store);
  }

  clientOf(id: number): ClientDetails {
    const row = this.rows.client(id);
    return {
      code: row.code,
      name: row.name,
      emails: row.emails
        .split(/[,;]\s*/)
        .map((e) => e.trim())
        .filter((e) => e !== ''),
      address: (row.address ?? '')
        .split(/\n/)
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    };
  }

  /** Every open invoice and credit note of the client: the account statement. */
  statementOf(clientId: number): InvoiceDetails[] {
    return this.rows.statement(clientId).map((r) => ({
      number: r.number,
      issueDate: r.issue_date,
      dueDate: r.due_date,
      amount: r.amount_cents,
      paid: r.paid_cents,
      outstanding: r.outstanding,
      currency: r.currency,
    }));
  }

  paymentsOf(clientId: number) {
    return this.rows.payments(clientId).map((p) => ({
      number: p.number,
      date: formatDateFr(p.date as IsoDate),
      amount: formatEuros(p.amount_cents, p.currency),
      source: p.source === 'manuel' ? 'saisi dans recouvre' : p.source,
    }));
  }

  historyOf(clientId: number) {
    return this.rows.history(clientId).map((h) => ({
      date: formatDateFr(h.date as IsoDate),
      step: `${STEP_LABELS[h.step as StepCode] ?? h.step}${h.received_on ? ` (reçue le ${formatDateFr(h.received_on as IsoDate)})` : ''}`,
      channel: CHANNEL_LABELS[h.channel as keyof typeof CHANNEL_LABELS] ?? h.channel,
      // Only what was done for sure is evidence; a task still open or an interrupted sending is listed apart.
      done: h.status === 'fait' && WRITTEN_CHANNELS.has(h.channel),
      status: STATUS_LABELS[h.status] ?? h.status,
      messageId: h.message_id,
      document: h.document,
    }));
  }
}

const STATUS_LABELS: Readonly<Record<string, string>> = {
  fait: 'faite',
  a_faire: 'à faire',
  en_cours: 'envoi interrompu',
  incertain: 'envoi incertain',
};

/** File names safe on every system: `C001-mise_en_demeure-2026-11-20.pdf`. */
export function safeName(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** The view of an action, for its templates and documents. */
export function viewOf(action: PlannedAction, data: DocumentData, settings: RenderSettings): DocumentView {
  const statement = data.statementOf(action.client.id);
  const details = new Map(statement.map((s) => [s.number, s]));
  return documentView(
    action,
    settings.creditor,
    data.clientOf(action.client.id),
    details,
    statement,
    settings.asOf,
    settings.deadlineDays,
  );
}

/**
 * Renders one action. E-mail steps give an e-mail; a letter (`courrier`) gives a PDF, sent too by
 * e-mail when it is a mise en demeure and the client has an address; litigation gives the claim file.
 */
export async function renderAction(
  action: PlannedAction,
  data: DocumentData,
  settings: RenderSettings,
): Promise<RenderedAction> {
  const { templates } = settings;
  const view = viewOf(action, data, settings);
  const step = action.step.code;
  const base = `${safeName(action.client.code)}-${step}-${settings.asOf}${action.currency === 'EUR' ? '' : `-${action.currency}`}`;
  const emails = view.client.email === '' ? [] : view.client.email.split(', ');

  let letter: RenderedAction['letter'] = null;
  if (action.channel === 'courrier') {
    const subject = templates.render(`courrier/${step}.objet`, view).trim();
    const pdf = await renderLetter({
      view,
      subject,
      body: templates.render(`courrier/${step}`, view),
      registered: step === 'mise_en_demeure',
      date: settings.asOf,
      currency: action.currency,
      totalCents: view.total_du_centimes,
    });
    letter = { filename: `${base}.pdf`, pdf };
  }

  let email: RenderedAction['email'] = null;
  const byEmail = action.channel === 'email' || (action.channel === 'courrier' && step === 'mise_en_demeure');
  if (byEmail && emails.length > 0 && templates.has(`email/${step}.sujet`)) {
    email = {
      to: emails,
      subject: templates.render(`email/${step}.sujet`, view).replace(/\s+/g, ' ').trim(),
      text: templates.render(`email/${step}.texte`, view),
      html: templates.render(`email/${step}.html`, view),
      attachments: letter ? [{ filename: letter.filename, content: letter.pdf }] : [],
    };
  }

  let claimFile: RenderedAction['claimFile'] = null;
  if (step === 'contentieux') {
    const pdf = await renderClaimFile({
      view,
      date: settings.asOf,
      payments: data.paymentsOf(action.client.id),
      history: data.historyOf(action.client.id),
      procedure: procedureAdvice(
        action.totalClaimed + action.totalInterest + action.totalIndemnity,
        action.client.kind === 'professionnel',
      ),
    });
    claimFile = { filename: `${base}-dossier.pdf`, pdf };
  }
  return { email, letter, claimFile };
}
