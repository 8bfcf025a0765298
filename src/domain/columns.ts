/**
 * Which column of an export holds which field. Headers differ from one software to the next, so
 * each field lists the titles seen in French (and a few English) exports; they are compared after
 * `normalizeHeader`, which ignores accents, case, punctuation and spacing.
 */
export type FieldKey =
  | 'number'
  | 'clientCode'
  | 'clientName'
  | 'email'
  | 'issueDate'
  | 'dueDate'
  | 'amount'
  | 'paid'
  | 'remaining'
  | 'currency'
  | 'clientKind'
  | 'address'
  | 'postcode'
  | 'city'
  | 'country'
  | 'status'
  | 'siren'
  | 'phone';

export interface FieldSpec<K extends string = FieldKey> {
  readonly key: K;
  /** The name a user writes in `--colonne NOM=…` and in a saved profile. */
  readonly option: string;
  /** How a message names the field. */
  readonly label: string;
  readonly synonyms: readonly string[];
}

export const FIELDS: readonly FieldSpec[] = [
  {
    key: 'number',
    option: 'numero',
    label: 'numéro de facture',
    synonyms: [
      'N° facture',
      'No facture',
      'Numéro',
      'Numéro facture',
      'Numéro de facture',
      'N° de facture',
      'Facture',
      'Pièce',
      'N° pièce',
      'Référence',
      'Réf',
      'Ref facture',
      'Invoice',
      'Invoice Number',
      'Invoice No',
      'Num facture',
    ],
  },
  {
    key: 'clientCode',
    option: 'code_client',
    label: 'code client',
    synonyms: [
      'Code client',
      'Compte',
      'Compte client',
      'Code tiers',
      'N° client',
      'Numéro client',
      'Réf client',
      'Customer ID',
      'Client ID',
    ],
  },
  {
    key: 'clientName',
    option: 'client',
    label: 'client',
    synonyms: [
      'Client',
      'Raison sociale',
      'Tiers',
      'Nom du client',
      'Nom client',
      'Société',
      'Customer',
      'Customer Name',
      'Company Name',
      'Nom',
    ],
  },
  {
    key: 'email',
    option: 'email',
    label: 'e-mail',
    synonyms: [
      'Email',
      'E-mail',
      'Courriel',
      'Adresse email',
      'Adresse e-mail',
      'Mail',
      'Email client',
      'Courriel client',
    ],
  },
  {
    key: 'issueDate',
    option: 'date',
    label: 'date de facture',
    synonyms: [
      'Date',
      'Date facture',
      'Date de facture',
      'Date de pièce',
      'Date pièce',
      "Date d'émission",
      'Date émission',
      'Date de création',
      'Invoice Date',
    ],
  },
  {
    key: 'dueDate',
    option: 'echeance',
    label: "date d'échéance",
    synonyms: [
      'Échéance',
      "Date d'échéance",
      'Date échéance',
      'Date limite de règlement',
      'Date limite',
      'Due date',
      'Due',
    ],
  },
  {
    key: 'amount',
    option: 'montant',
    label: 'montant TTC',
    synonyms: [
      'Montant TTC',
      'Total TTC',
      'TTC',
      'Montant',
      'Total',
      'Montant facture',
      'Net à payer',
      'Amount',
    ],
  },
  {
    key: 'paid',
    option: 'regle',
    label: 'montant réglé',
    synonyms: [
      'Réglé',
      'Montant payé',
      'Payé',
      'Montant réglé',
      'Encaissé',
      'Déjà réglé',
      'Paid',
      'Amount Paid',
    ],
  },
  {
    key: 'remaining',
    option: 'reste_du',
    label: 'reste dû',
    synonyms: [
      'Reste dû',
      'Solde',
      'Reste à payer',
      'Restant dû',
      'Reste à régler',
      'Montant dû',
      'Balance',
      'Balance due',
    ],
  },
  {
    key: 'currency',
    option: 'devise',
    label: 'devise',
    synonyms: ['Devise', 'Monnaie', 'Currency', 'Currency Code'],
  },
  {
    key: 'clientKind',
    option: 'type_client',
    label: 'type de client',
    synonyms: ['Type client', 'Type de client', 'Catégorie client', 'Type tiers', 'Nature client'],
  },
  {
    key: 'address',
    option: 'adresse',
    label: 'adresse',
    synonyms: ['Adresse', 'Adresse 1', 'Adresse client', 'Billing Address'],
  },
  {
    key: 'postcode',
    option: 'code_postal',
    label: 'code postal',
    synonyms: ['Code postal', 'CP', 'Billing Code'],
  },
  { key: 'city', option: 'ville', label: 'ville', synonyms: ['Ville', 'Commune', 'Billing City'] },
  { key: 'country', option: 'pays', label: 'pays', synonyms: ['Pays', 'Billing Country'] },
  {
    key: 'status',
    option: 'statut',
    label: 'statut',
    synonyms: ['Statut', 'État', 'Status', 'Invoice Status', 'Statut facture'],
  },
  { key: 'siren', option: 'siren', label: 'SIREN', synonyms: ['SIREN', 'SIRET', 'N° SIREN', 'N° SIRET'] },
  {
    key: 'phone',
    option: 'telephone',
    label: 'téléphone',
    synonyms: ['Téléphone', 'Tél', 'Tel', 'Phone', 'Billing Phone'],
  },
];

/** `normalizeHeader(' N° Facture ')` → `'no facture'`; `normalizeHeader("Date d'échéance")` → `'date d echeance'`. */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\ufeff/, '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/n\s*[°º]/g, 'no ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The fields a kind of file may have, how to recognise them, and which it cannot do without. */
export interface Catalogue<K extends string> {
  readonly fields: readonly FieldSpec<K>[];
  readonly byKey: ReadonlyMap<K, FieldSpec<K>>;
  readonly byOption: ReadonlyMap<string, FieldSpec<K>>;
  readonly index: ReadonlyMap<string, K>;
  readonly missingRequired: (columns: Partial<Record<K, number>>) => FieldSpec<K>[];
}

export function makeCatalogue<K extends string>(
  fields: readonly FieldSpec<K>[],
  required: (columns: Partial<Record<K, number>>, need: (key: K) => FieldSpec<K>) => FieldSpec<K>[],
): Catalogue<K> {
  const byKey = new Map(fields.map((f) => [f.key, f]));
  const index = new Map<string, K>();
  for (const field of fields) {
    for (const synonym of field.synonyms) {
      const key = normalizeHeader(synonym);
      if (!index.has(key)) index.set(key, field.key);
    }
  }
  return {
    fields,
    byKey,
    byOption: new Map(fields.map((f) => [f.option, f])),
    index,
    missingRequired: (columns) => required(columns, (key) => byKey.get(key) as FieldSpec<K>),
  };
}

/** The fields an invoice export cannot do without. */
export const INVOICE_CATALOGUE: Catalogue<FieldKey> = makeCatalogue(FIELDS, (columns, need) => {
  const missing: FieldSpec[] = [];
  if (columns.number === undefined) missing.push(need('number'));
  if (columns.clientName === undefined && columns.clientCode === undefined) missing.push(need('clientName'));
  if (columns.issueDate === undefined) missing.push(need('issueDate'));
  if (columns.amount === undefined) missing.push(need('amount'));
  return missing;
});

export const FIELD_BY_KEY: ReadonlyMap<FieldKey, FieldSpec> = INVOICE_CATALOGUE.byKey;
export const FIELD_BY_OPTION: ReadonlyMap<string, FieldSpec> = INVOICE_CATALOGUE.byOption;

export type ColumnMap<K extends string = FieldKey> = Partial<Record<K, number>>;

export interface Recognition<K extends string = FieldKey> {
  readonly columns: ColumnMap<K>;
  /** Headers that name no known field. */
  readonly unknown: readonly string[];
  /** User mappings naming a header that is not in the file. */
  readonly missingOverrides: readonly { readonly field: FieldSpec<K>; readonly header: string }[];
}

/**
 * Maps a header row to fields. An explicit mapping (`{ number: 'Réf. doc' }`) wins; otherwise the
 * first column whose title is a synonym of a field takes it.
 */
export function recognizeColumns<K extends string = FieldKey>(
  headers: readonly string[],
  overrides: Partial<Record<K, string>> = {},
  catalogue: Catalogue<K> = INVOICE_CATALOGUE as unknown as Catalogue<K>,
): Recognition<K> {
  const columns: ColumnMap<K> = {};
  const taken = new Set<number>();
  const normalized = headers.map(normalizeHeader);
  const missingOverrides: { field: FieldSpec<K>; header: string }[] = [];
  for (const [key, header] of Object.entries(overrides) as [K, string][]) {
    const at = normalized.indexOf(normalizeHeader(header));
    const field = catalogue.byKey.get(key);
    if (!field) continue;
    if (at === -1) missingOverrides.push({ field, header });
    else {
      columns[key] = at;
      taken.add(at);
    }
  }
  normalized.forEach((name, at) => {
    if (taken.has(at)) return;
    const key = catalogue.index.get(name);
    if (key !== undefined && columns[key] === undefined && overrides[key] === undefined) {
      columns[key] = at;
      taken.add(at);
    }
  });
  const unknown = headers.filter((h, at) => !taken.has(at) && h.trim() !== '');
  return { columns, unknown, missingOverrides };
}

/** How many cells of a row are known invoice titles: used to find the header row under a preamble. */
export function headerScore(cells: readonly string[]): number {
  let score = 0;
  for (const cell of cells) if (INVOICE_CATALOGUE.index.has(normalizeHeader(cell))) score++;
  return score;
}

/** The fields an invoice export cannot do without. */
export function missingRequired(columns: ColumnMap): FieldSpec[] {
  return INVOICE_CATALOGUE.missingRequired(columns);
}
