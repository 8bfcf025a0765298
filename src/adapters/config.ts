import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { parse, stringify, TomlError } from 'smol-toml';
import { bicIsValid, type Creditor, ibanIsValid, normalizeIban, sirenIsValid } from '../domain/creditor.js';
import type { ClientKind } from '../domain/invoice-row.js';
import type { Cents } from '../domain/money.js';
import type { PenaltyTerms } from '../domain/penalties.js';
import { parseRate } from '../domain/rates.js';
import {
  CHANNELS,
  type Channel,
  checkSteps,
  DEFAULT_SETTINGS,
  DEFAULT_STEPS,
  type DunningSettings,
  STEP_CODES,
  type Step,
  type StepCode,
} from '../domain/scenario.js';
import { UserError } from '../errors.js';
import type { RateAdditions } from './rate-tables.js';

/** What an import profile may fix for an export recouvre does not recognise on its own. */
export interface ImportProfile {
  readonly separateur?: string;
  readonly encodage?: 'utf8' | 'windows-1252' | 'cp850' | 'utf16le';
  readonly decimale?: ',' | '.';
  readonly format_date?: 'jj/mm/aaaa' | 'mm/jj/aaaa';
  readonly colonnes?: Readonly<Record<string, string>>;
  /** The export has no header row: `colonnes` give places (1, 2…). */
  readonly sans_entete?: boolean;
}

export interface StepConfig {
  readonly etape: StepCode;
  readonly jours: number;
  readonly canal: Channel;
  readonly montant_min?: number | undefined;
}

export interface ScenarioConfig {
  readonly type_client?: ClientKind | undefined;
  readonly clients?: readonly string[] | undefined;
  readonly etapes: readonly StepConfig[];
}

export interface DunningConfig {
  readonly seuil: number;
  readonly intervalle_jours: number;
  readonly regroupement: 'client' | 'facture';
  readonly sans_email: 'courrier' | 'appel';
  readonly alsace_moselle: boolean;
  readonly etapes: readonly StepConfig[];
  readonly scenarios: Readonly<Record<string, ScenarioConfig>>;
}

export interface Config {
  readonly path: string;
  readonly exists: boolean;
  readonly import: {
    readonly delai_paiement_jours: number;
    readonly devise: string;
    /** Days a 211 « Paiement transmis » status pauses an invoice, waiting for the money. */
    readonly attente_paiement_transmis_jours: number;
    /** What `recouvre cabinet import` reads for this company: a file or a folder, from its folder. */
    readonly source?: string | undefined;
    /** The import profile that source is read with. */
    readonly profil?: string | undefined;
  };
  readonly profils: Readonly<Record<string, ImportProfile>>;
  readonly relances: DunningConfig;
  readonly penalites: {
    /** Contractual late-payment rate in percent, when the terms of sale set one. */
    readonly taux_contractuel?: number | undefined;
    readonly gel_taux_premier_semestre: boolean;
    /**
     * Days after its sending by which a mise en demeure is taken as received, while its receipt
     * is not recorded: the legal interest against a private client runs from the receipt.
     */
    readonly delai_reception_jours: number;
  };
  readonly taux: RateAdditions;
  readonly creancier: CreditorConfig;
  readonly smtp: SmtpConfig;
  readonly documents: {
    /** Days the debtor is given by a mise en demeure. */
    readonly delai_mise_en_demeure_jours: number;
    /** A real run refuses when the last import is older than this at the run's date. */
    readonly anciennete_import_max_jours: number;
  };
  readonly rapport: ReportConfig;
}

export interface ReportConfig {
  /** Days of the period the report's activity, delays, recovery rate and simple DSO cover. */
  readonly periode_jours: number;
  readonly methode_dso: 'epuisement' | 'simple';
  /** Who gets `recouvre rapport --envoyer` when no address is given. */
  readonly destinataires: readonly string[];
}

export interface CreditorConfig {
  readonly raison_sociale?: string | undefined;
  readonly siren?: string | undefined;
  /** Intra-EU VAT number: identifies the company's e-invoices when it has no SIREN (a foreign seller). */
  readonly numero_tva?: string | undefined;
  readonly adresse?: string | undefined;
  readonly email?: string | undefined;
  readonly telephone?: string | undefined;
  readonly iban?: string | undefined;
  readonly bic?: string | undefined;
  readonly signataire?: string | undefined;
  readonly lien_paiement?: string | undefined;
}

export interface SmtpConfig {
  readonly url?: string | undefined;
  readonly expediteur?: string | undefined;
  readonly repondre_a?: string | undefined;
  readonly copie_cachee?: string | undefined;
  /** How long to wait for the SMTP server before giving up until the next run. */
  readonly delai_secondes: number;
}

const stepToConfig = (step: Step): StepConfig => ({
  etape: step.code,
  jours: step.days,
  canal: step.channel,
});

export const DEFAULT_CONFIG: Omit<Config, 'path' | 'exists'> = {
  import: { delai_paiement_jours: 30, devise: 'EUR', attente_paiement_transmis_jours: 10 },
  profils: {},
  relances: {
    seuil: DEFAULT_SETTINGS.threshold / 100,
    intervalle_jours: DEFAULT_SETTINGS.minIntervalDays,
    regroupement: DEFAULT_SETTINGS.grouping,
    sans_email: DEFAULT_SETTINGS.noEmailChannel,
    alsace_moselle: DEFAULT_SETTINGS.alsaceMoselle,
    etapes: DEFAULT_STEPS.map(stepToConfig),
    scenarios: {},
  },
  penalites: { gel_taux_premier_semestre: false, delai_reception_jours: 3 },
  taux: { bce: {}, interet_legal: {} },
  creancier: {},
  smtp: { delai_secondes: 30 },
  documents: { delai_mise_en_demeure_jours: 8, anciennete_import_max_jours: 3 },
  rapport: { periode_jours: 30, methode_dso: 'epuisement', destinataires: [] },
};

/** The creditor of the domain, from [creancier] (fields left empty when not configured). */
export function creditorOf(config: Config): Creditor {
  const c = config.creancier;
  return {
    name: c.raison_sociale?.trim() ?? '',
    siren: c.siren?.replace(/\s+/g, '') ?? '',
    address: (c.adresse ?? '')
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== ''),
    email: c.email?.trim() ?? '',
    phone: c.telephone?.trim() ?? '',
    iban: c.iban ? normalizeIban(c.iban) : null,
    bic: c.bic ? c.bic.replace(/\s+/g, '').toUpperCase() : null,
    signatory: c.signataire?.trim() || null,
    paymentLink: c.lien_paiement?.trim() || null,
  };
}

export const EMAIL = /^[^@\s<>(),;:"]+@[^@\s<>(),;:"]+\.[^@\s<>(),;:"]+$/;
/** An address, bare or with a display name: `compta@exemple.fr`, `Compta <compta@exemple.fr>`. */
const ADDRESS =
  /^(?:[^<>]*<[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+>|[^@\s<>(),;:"]+@[^@\s<>(),;:"]+\.[^@\s<>(),;:"]+)$/;

/** Euros as written in the configuration (5, 5.5, 1234.56) to cents; null if not to the cent. */
function eurosToCents(euros: number): Cents | null {
  const value = Math.round(euros * 100);
  return Math.abs(value - euros * 100) < 1e-6 && Number.isSafeInteger(value) ? (value as Cents) : null;
}

function toSteps(steps: readonly StepConfig[]): Step[] {
  return steps.map((s) => ({
    code: s.etape,
    days: s.jours,
    channel: s.canal,
    minAmount: s.montant_min === undefined ? null : eurosToCents(s.montant_min),
  }));
}

/** A scenario's ladder of steps, and its claim of the penalties of invoices paid late apart. */
function ladderOf(list: readonly StepConfig[]): { steps: Step[]; lateFees: Step | null } {
  const steps = toSteps(list);
  return {
    steps: steps.filter((s) => s.code !== 'penalites'),
    lateFees: steps.find((s) => s.code === 'penalites') ?? null,
  };
}

/** The dunning settings of the domain, from the configuration. */
export function dunningSettings(config: Config): DunningSettings {
  const r = config.relances;
  return {
    threshold: eurosToCents(r.seuil) ?? DEFAULT_SETTINGS.threshold,
    minIntervalDays: r.intervalle_jours,
    grouping: r.regroupement,
    noEmailChannel: r.sans_email,
    alsaceMoselle: r.alsace_moselle,
    scenarios: [
      { name: 'defaut', ...ladderOf(r.etapes), clientKind: null, clients: [] },
      ...Object.entries(r.scenarios).map(([name, sc]) => ({
        name,
        ...ladderOf(sc.etapes),
        clientKind: sc.type_client ?? null,
        clients: sc.clients ?? [],
      })),
    ],
  };
}

/** The penalty terms of the domain, from the configuration. */
export function penaltyTerms(config: Config): PenaltyTerms {
  const rate = config.penalites.taux_contractuel;
  return {
    contractualRate: rate === undefined ? null : parseRate(rate),
    freezeFirstHalfYear: config.penalites.gel_taux_premier_semestre,
    noticeReceiptDays: config.penalites.delai_reception_jours,
  };
}

/**
 * Reads `recouvre.toml`. Every section is optional and defaults apply; an unknown key or a bad
 * value is an error that names the key and its line, because a silently ignored setting is worse.
 */
export async function loadConfig(path: string, required: boolean): Promise<Config> {
  if (!existsSync(path)) {
    if (required) throw new UserError(`Fichier de configuration introuvable : « ${path} ».`);
    return { path, exists: false, ...DEFAULT_CONFIG };
  }
  if (statSync(path).isDirectory())
    throw new UserError(`« ${path} » est un dossier, pas un fichier de configuration.`);
  const data = await readToml(path, async (z) => {
    const columns = z.record(z.string(), z.string().min(1));
    const profile = z.strictObject({
      separateur: z.enum([';', ',', '\t', '|']).optional(),
      encodage: z.enum(['utf8', 'windows-1252', 'cp850', 'utf16le']).optional(),
      decimale: z.enum([',', '.']).optional(),
      format_date: z.enum(['jj/mm/aaaa', 'mm/jj/aaaa']).optional(),
      sans_entete: z.boolean().optional(),
      colonnes: columns.optional(),
    });
    const euros = z
      .number()
      .min(0)
      .refine((n) => eurosToCents(n) !== null, 'montant en euros, au centime près (par exemple 5 ou 12.50)');
    const percent = z
      .number()
      .min(0)
      .max(100)
      .refine((n) => parseRate(n) !== null, 'pourcentage avec au plus deux décimales (par exemple 12.15)');
    const steps = z
      .array(
        z.strictObject({
          etape: z.enum(STEP_CODES as [StepCode, ...StepCode[]]),
          jours: z.number().int().min(-60).max(3650),
          canal: z.enum(CHANNELS as [Channel, ...Channel[]]),
          montant_min: euros.optional(),
        }),
      )
      .superRefine((list, ctx) => {
        for (const problem of checkSteps(toSteps(list as StepConfig[])))
          ctx.addIssue({ code: 'custom', message: problem });
      });
    const schema = z.strictObject({
      import: z
        .strictObject({
          delai_paiement_jours: z.number().int().min(0).max(365).default(30),
          devise: z
            .string()
            .regex(/^[A-Z]{3}$/, 'code de devise à trois lettres attendu (EUR)')
            .default('EUR'),
          attente_paiement_transmis_jours: z.number().int().min(0).max(90).default(10),
          source: z.string().min(1).optional(),
          profil: z.string().min(1).optional(),
        })
        .default(DEFAULT_CONFIG.import),
      profils: z.record(z.string(), profile).default({}),
      relances: z
        .strictObject({
          seuil: euros.default(DEFAULT_CONFIG.relances.seuil),
          intervalle_jours: z
            .number()
            .int()
            .min(0)
            .max(365)
            .default(DEFAULT_CONFIG.relances.intervalle_jours),
          regroupement: z.enum(['client', 'facture']).default('client'),
          sans_email: z.enum(['courrier', 'appel']).default('courrier'),
          alsace_moselle: z.boolean().default(false),
          etapes: steps.default(DEFAULT_CONFIG.relances.etapes as StepConfig[]),
          scenarios: z
            .record(
              z.string().regex(/^[A-Za-z0-9_-]+$/, 'nom de scénario : lettres, chiffres, - et _'),
              z.strictObject({
                type_client: z.enum(['professionnel', 'particulier']).optional(),
                clients: z.array(z.string().min(1)).optional(),
                etapes: steps,
              }),
            )
            .default({}),
        })
        .default(DEFAULT_CONFIG.relances as never),
      penalites: z
        .strictObject({
          taux_contractuel: percent.optional(),
          gel_taux_premier_semestre: z.boolean().default(false),
          delai_reception_jours: z.number().int().min(0).max(30).default(3),
        })
        .default(DEFAULT_CONFIG.penalites),
      taux: z
        .strictObject({
          bce: z
            .record(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date d’effet AAAA-MM-JJ attendue'), percent)
            .default({}),
          interet_legal: z
            .record(z.string().regex(/^\d{4}-S[12]$/, 'semestre attendu, par exemple "2026-S2"'), percent)
            .default({}),
        })
        .default(DEFAULT_CONFIG.taux as never),
      creancier: z
        .strictObject({
          raison_sociale: z.string().trim().min(1).optional(),
          siren: z
            .string()
            .refine(sirenIsValid, 'SIREN invalide (9 chiffres, clé de contrôle fausse)')
            .optional(),
          numero_tva: z
            .string()
            .regex(
              /^\s*[A-Za-z]{2}[\s0-9A-Za-z+*.-]{2,14}\s*$/,
              'numéro de TVA attendu, par exemple FR40303265045',
            )
            .optional(),
          adresse: z.string().trim().min(1).optional(),
          email: z.string().regex(EMAIL, 'adresse e-mail invalide').optional(),
          telephone: z.string().trim().min(1).optional(),
          iban: z
            .string()
            .refine(ibanIsValid, 'IBAN invalide (clé de contrôle fausse ou format inconnu)')
            .optional(),
          bic: z
            .string()
            .refine(bicIsValid, 'BIC invalide (8 ou 11 caractères, par exemple BNPAFRPPXXX)')
            .optional(),
          signataire: z.string().trim().min(1).optional(),
          lien_paiement: z
            .string()
            .regex(/^https?:\/\/\S+$/, 'adresse web attendue (https://…)')
            .optional(),
        })
        .default({}),
      smtp: z
        .strictObject({
          url: z
            .string()
            .regex(
              /^smtps?:\/\/[^\s]+$/,
              'adresse du serveur attendue : smtp://utilisateur@serveur:587 ou smtps://…',
            )
            .refine((url) => !/^smtps?:\/\/[^/@]*:[^/@]*@/.test(url), {
              message:
                'pas de mot de passe dans recouvre.toml : mettez-le dans la variable RECOUVRE_SMTP_MOT_DE_PASSE',
            })
            .optional(),
          expediteur: z
            .string()
            .regex(ADDRESS, 'adresse e-mail attendue, par exemple "Compta <compta@exemple.fr>"')
            .optional(),
          repondre_a: z.string().regex(ADDRESS, 'adresse e-mail attendue').optional(),
          copie_cachee: z.string().regex(ADDRESS, 'adresse e-mail attendue').optional(),
          delai_secondes: z.number().int().min(1).max(600).default(30),
        })
        .default(DEFAULT_CONFIG.smtp),
      documents: z
        .strictObject({
          delai_mise_en_demeure_jours: z.number().int().min(1).max(90).default(8),
          anciennete_import_max_jours: z.number().int().min(0).max(365).default(3),
        })
        .default(DEFAULT_CONFIG.documents),
      rapport: z
        .strictObject({
          periode_jours: z.number().int().min(1).max(3660).default(30),
          methode_dso: z
            .enum(['epuisement', 'simple'], {
              message: 'attendu "epuisement" (méthode de l’épuisement du CA) ou "simple"',
            })
            .default('epuisement'),
          destinataires: z.array(z.string().regex(ADDRESS, 'adresse e-mail attendue')).default([]),
        })
        .default({ ...DEFAULT_CONFIG.rapport, destinataires: [] }),
    });
    return schema;
  });
  return { path, exists: true, ...(data as Omit<Config, 'path' | 'exists'>) };
}

/**
 * A TOML file checked against a zod schema: every problem named with its line and key, in French,
 * as a user reads them (`recouvre.toml:4, clé « import.devize » : clé inconnue`).
 */
export async function readToml<T>(
  path: string,
  build: (z: typeof import('zod').z) => import('zod').ZodType<T> | Promise<import('zod').ZodType<T>>,
  /** Where the README describes the file's keys. */
  readmePart = 'Configuration',
): Promise<T> {
  const text = readFileSync(path, 'utf8');
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    if (error instanceof TomlError) {
      throw new UserError(`${path}:${error.line}, colonne ${error.column} : syntaxe TOML invalide.`, [
        firstLine(error.message),
        'Les valeurs texte s’écrivent entre guillemets : devise = "EUR".',
      ]);
    }
    throw error;
  }
  const { z } = await import('zod');
  // Zod's French messages, with the types said as a TOML file writes them.
  z.config({ ...z.locales.fr(), customError: typeMessage });
  const schema = await build(z);
  const result = schema.safeParse(data);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const keys = issue.path.map(String);
      const unknown = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const where = unknown.length > 0 ? [...keys, unknown[0] as string] : keys;
      const line = findKeyLine(text, where);
      const name = unknown.length > 0 ? unknown.map((k) => keyName([...keys, k])).join(', ') : keyName(keys);
      const message = unknown.length > 0 ? 'clé inconnue (vérifiez l’orthographe)' : issue.message;
      return `${path}:${line}, clé « ${name} » : ${message}`;
    });
    const byLine = lines.map((l, i) => ({ l, at: Number(/:(\d+), clé/.exec(l)?.[1] ?? 0) * 1000 + i }));
    throw new UserError(
      `${readmePart === 'Configuration' ? 'Configuration invalide' : 'Fichier invalide'} (${path}).`,
      [
        ...byLine.sort((a, b) => a.at - b.at).map((x) => x.l),
        `Corrigez ces lignes (les clés et leurs valeurs sont décrites dans le README, partie « ${readmePart} »).`,
      ],
    );
  }
  return result.data;
}

/** `relances.etapes[2].jours`: a list's items counted from 1, as a person counts them. */
function keyName(keys: readonly string[]): string {
  return keys.map((k, i) => (/^\d+$/.test(k) ? `[${Number(k) + 1}]` : i === 0 ? k : `.${k}`)).join('');
}

/** What a value of each type looks like in recouvre.toml. */
const TOML_TYPES: Readonly<Record<string, string>> = {
  string: 'un texte entre guillemets (par exemple "EUR")',
  number: 'un nombre, sans guillemets (par exemple 30)',
  int: 'un nombre entier, sans guillemets (par exemple 30)',
  boolean: 'true ou false, sans guillemets',
  array: 'une liste entre crochets (par exemple ["a@exemple.fr"])',
  object: 'une table (par exemple [smtp] ou { etape = "relance", jours = 10 })',
};

function typeMessage(issue: {
  readonly code?: string;
  readonly expected?: string;
  readonly input?: unknown;
}) {
  if (issue.code !== 'invalid_type' || issue.expected === undefined) return undefined;
  const wanted = TOML_TYPES[issue.expected];
  if (wanted === undefined) return undefined;
  const input = issue.input;
  const got =
    input === undefined
      ? 'rien'
      : typeof input === 'string'
        ? `le texte "${input}"`
        : Array.isArray(input)
          ? 'une liste'
          : typeof input === 'object' && input !== null
            ? 'une table'
            : String(input);
  return `attendu ${wanted}, reçu ${got}`;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

/** Line (1-based) where a dotted key is defined, or where its nearest parent table starts. */
export function findKeyLine(text: string, path: readonly string[]): number {
  const lines = text.split(/\r?\n/);
  let table: string[] = [];
  let best = 1;
  let bestDepth = -1;
  const unquote = (part: string) => part.trim().replace(/^["']|["']$/g, '');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const header = /^\[\[?([^\]]+)\]\]?/.exec(line);
    if (header) {
      table = (header[1] ?? '').split('.').map(unquote);
      const depth = matchDepth(table, path);
      if (depth === table.length && depth > bestDepth) {
        best = index + 1;
        bestDepth = depth;
      }
      return;
    }
    const key = /^([A-Za-z0-9_."' -]+?)\s*=/.exec(line);
    if (!key) return;
    const full = [...table, ...(key[1] ?? '').split('.').map(unquote)];
    const depth = matchDepth(full, path);
    if (depth === full.length && depth > bestDepth) {
      best = index + 1;
      bestDepth = depth;
    }
  });
  return best;
}

function matchDepth(keys: readonly string[], path: readonly string[]): number {
  let depth = 0;
  while (depth < keys.length && depth < path.length && keys[depth] === path[depth]) depth++;
  return depth;
}

/** Appends a named import profile to the configuration file, keeping its comments. */
export function saveProfile(config: Config, name: string, profile: ImportProfile): void {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new UserError(`Nom de profil invalide : « ${name} » (lettres, chiffres, - et _ seulement).`);
  }
  if (config.profils[name]) {
    throw new UserError(
      `Le profil « ${name} » existe déjà dans ${config.path} : modifiez-le là, ou choisissez un autre nom.`,
    );
  }
  const body = stringify({ profils: { [name]: profile } });
  const prefix = config.exists ? '\n' : '';
  appendFileSync(
    config.path,
    `${prefix}# Profil d'import enregistré par « recouvre import --enregistrer-profil ${name} »\n${body}\n`,
  );
}
