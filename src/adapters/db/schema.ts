import type { Generated, Insertable, Selectable } from 'kysely';

// Row types of the SQLite store, as the migrations under migrations/ define it. Domain types are
// not row types: adapters convert between the two.

export interface ImportsTable {
  id: Generated<number>;
  started_at: string;
  file_name: string;
  file_path: string;
  sha256: string;
  kind: string;
  encoding: string;
  separator: string;
  created: Generated<number>;
  updated: Generated<number>;
  unchanged: Generated<number>;
  rejected: Generated<number>;
  skipped: Generated<number>;
  duplicates: Generated<number>;
  closed: Generated<number>;
  clients_created: Generated<number>;
  clients_updated: Generated<number>;
  options: Generated<string>;
}

export interface ClientsTable {
  id: Generated<number>;
  code: string;
  name: string;
  emails: Generated<string>;
  kind: Generated<'professionnel' | 'particulier'>;
  address: string | null;
  siren: string | null;
  phone: string | null;
  paused: Generated<0 | 1>;
  paused_until: string | null;
  pause_reason: string | null;
  created_import_id: number | null;
  updated_import_id: number | null;
}

export interface InvoicesTable {
  id: Generated<number>;
  number: string;
  client_id: number;
  issue_date: string;
  due_date: string;
  due_date_computed: Generated<0 | 1>;
  amount_cents: number;
  paid_cents: Generated<number>;
  /** Day of the last payment, when the source dates them (a FEC's lettering). */
  paid_on: string | null;
  /** Fingerprint of the export line the invoice was last read from, while it still holds. */
  line_hash: number | null;
  currency: Generated<string>;
  disputed: Generated<0 | 1>;
  dispute_reason: string | null;
  closed_import_id: number | null;
  created_import_id: number | null;
  updated_import_id: number | null;
  source_line: number | null;
  paused: Generated<0 | 1>;
  paused_until: string | null;
  pause_reason: string | null;
  /** The part its client contests (a 206 « Approuvée partiellement » status): never chased. */
  disputed_cents: Generated<number>;
  /** The lifecycle status (213 « Rejetée », 220 « Annulée ») that took it out of dunning. */
  withdrawn_code: number | null;
}

export interface PaymentsTable {
  id: Generated<number>;
  invoice_id: number;
  date: string;
  amount_cents: number;
  source: string;
  reference: string | null;
  import_id: number | null;
  recorded_at: string;
  /** The « Encaissée » export (`recouvre statuts --encaissees`) that wrote it for the platform. */
  status_export_id: number | null;
}

/** One lifecycle status of an e-invoice, as its platform reported it. */
export interface InvoiceStatusesTable {
  id: Generated<number>;
  invoice_id: number;
  code: number;
  date: string;
  reason: string | null;
  amount_cents: number | null;
  import_id: number | null;
  recorded_at: string;
}

export interface StatusExportsTable {
  id: Generated<number>;
  created_at: string;
  csv_file: string;
  json_file: string;
  count: number;
}

export interface JournalTable {
  id: Generated<number>;
  recorded_at: string;
  date: string;
  kind: string;
  client_id: number | null;
  invoice_id: number | null;
  import_id: number | null;
  details: Generated<string>;
}

export type ActionChannel = 'email' | 'courrier' | 'appel' | 'tache';
export type ActionStatus = 'en_cours' | 'fait' | 'echec' | 'incertain' | 'a_faire';

export interface ActionsTable {
  id: Generated<number>;
  date: string;
  client_id: number;
  currency: string;
  step: string;
  channel: ActionChannel;
  origin: 'relancer' | 'manuel';
  status: ActionStatus;
  created_at: string;
  completed_at: string | null;
  message_id: string | null;
  document: string | null;
  note: string | null;
  error: string | null;
  /** A mise en demeure's receipt, when recorded. */
  received_on: string | null;
}

/** An event that interrupts the prescription of an invoice. */
export interface InterruptionsTable {
  id: Generated<number>;
  invoice_id: number;
  date: string;
  kind: 'reconnaissance_dette' | 'demande_en_justice';
  note: string | null;
  recorded_at: string;
}

export interface ActionInvoicesTable {
  action_id: number;
  invoice_id: number;
  outstanding_cents: number;
  penalties_cents: Generated<number>;
  indemnity_cents: Generated<number>;
}

export interface PaymentPlansTable {
  id: Generated<number>;
  client_id: number;
  currency: string;
  created_at: string;
  date: string;
  total_cents: number;
  note: string | null;
  cancelled_at: string | null;
}

export interface PlanInvoicesTable {
  plan_id: number;
  invoice_id: number;
  outstanding_at_start_cents: number;
}

export interface PlanInstalmentsTable {
  plan_id: number;
  due_date: string;
  amount_cents: number;
}

export interface Database {
  imports: ImportsTable;
  clients: ClientsTable;
  invoices: InvoicesTable;
  payments: PaymentsTable;
  invoice_statuses: InvoiceStatusesTable;
  status_exports: StatusExportsTable;
  journal: JournalTable;
  actions: ActionsTable;
  action_invoices: ActionInvoicesTable;
  payment_plans: PaymentPlansTable;
  plan_invoices: PlanInvoicesTable;
  plan_instalments: PlanInstalmentsTable;
  interruptions: InterruptionsTable;
}

export type ClientRow = Selectable<ClientsTable>;
export type InvoiceRecord = Selectable<InvoicesTable>;
export type NewJournalEntry = Insertable<JournalTable>;
