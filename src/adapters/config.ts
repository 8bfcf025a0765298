import { appendFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { parse, stringify, TomlError } from 'smol-toml';
import { UserError } from '../errors.js';

/** What an import profile may fix for an export recouvre does not recognise on its own. */
export interface ImportProfile {
  readonly separateur?: string;
  readonly encodage?: 'utf8' | 'windows-1252' | 'utf16le';
  readonly decimale?: ',' | '.';
  readonly format_date?: 'jj/mm/aaaa' | 'mm/jj/aaaa';
  readonly colonnes?: Readonly<Record<string, string>>;
}

export interface Config {
  readonly path: string;
  readonly exists: boolean;
  readonly import: {
    readonly delai_paiement_jours: number;
    readonly devise: string;
  };
  readonly profils: Readonly<Record<string, ImportProfile>>;
}

export const DEFAULT_CONFIG: Omit<Config, 'path' | 'exists'> = {
  import: { delai_paiement_jours: 30, devise: 'EUR' },
  profils: {},
};

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
  z.config(z.locales.fr());
  const columns = z.record(z.string(), z.string().min(1));
  const profile = z.strictObject({
    separateur: z.enum([';', ',', '\t', '|']).optional(),
    encodage: z.enum(['utf8', 'windows-1252', 'utf16le']).optional(),
    decimale: z.enum([',', '.']).optional(),
    format_date: z.enum(['jj/mm/aaaa', 'mm/jj/aaaa']).optional(),
    colonnes: columns.optional(),
  });
  const schema = z.strictObject({
    import: z
      .strictObject({
        delai_paiement_jours: z.number().int().min(0).max(365).default(30),
        devise: z
          .string()
          .regex(/^[A-Z]{3}$/, 'code de devise à trois lettres attendu (EUR)')
          .default('EUR'),
      })
      .default(DEFAULT_CONFIG.import),
    profils: z.record(z.string(), profile).default({}),
  });
  const result = schema.safeParse(data);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const keys = issue.path.map(String);
      const unknown = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const where = unknown.length > 0 ? [...keys, unknown[0] as string] : keys;
      const line = findKeyLine(text, where);
      const name =
        unknown.length > 0 ? unknown.map((k) => [...keys, k].join('.')).join(', ') : keys.join('.');
      const message = unknown.length > 0 ? 'clé inconnue (vérifiez l’orthographe)' : issue.message;
      return `${path}:${line}, clé « ${name} » : ${message}`;
    });
    throw new UserError(`Configuration invalide (${path}).`, lines);
  }
  return { path, exists: true, ...(result.data as Omit<Config, 'path' | 'exists'>) };
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
