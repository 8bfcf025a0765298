import { appendFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stringify } from 'smol-toml';
import { sirenIsValid } from '../domain/creditor.js';
import { UserError } from '../errors.js';
import { readToml } from './config.js';

/**
 * `cabinet.toml`: the firm's portfolio, one `[[societe]]` per client company, each in its own folder
 * (its own base, configuration, templates and creditor identity). The file is written by hand or
 * by `recouvre cabinet init` / `ajouter`, which only ever append to it: a comment stays.
 */

export interface PortfolioCompany {
  /** The folder as written in the file, and its absolute path. */
  readonly folder: string;
  readonly path: string;
  readonly name: string;
  readonly siren: string | null;
  readonly manager: string | null;
  readonly active: boolean;
}

export interface Portfolio {
  readonly file: string;
  readonly companies: readonly PortfolioCompany[];
}

export const PORTFOLIO_FILE = 'cabinet.toml';

const HEADER = `# Portefeuille du cabinet : une société par dossier (sa base recouvre.db, son recouvre.toml).
# « recouvre cabinet ajouter <dossier> » ajoute une société ; actif = false la laisse de côté.
# Pour « recouvre cabinet import », chaque société dit quoi lire dans son recouvre.toml :
#   [import]
#   source = "exports/factures.csv"   # un fichier ou un dossier, depuis le dossier de la société
#   profil = "sage"                   # facultatif
`;

export async function loadPortfolio(file: string): Promise<Portfolio> {
  if (!existsSync(file)) {
    throw new UserError(`Aucun portefeuille ici : « ${file} » n'existe pas.`, [
      'Créez-le dans le dossier du cabinet avec « recouvre cabinet init » (il y inscrit les dossiers de sociétés trouvés),',
      'ou indiquez-le avec --cabinet <fichier>.',
    ]);
  }
  const data = await readToml(
    file,
    (z) =>
      z.strictObject({
        societe: z
          .array(
            z.strictObject({
              dossier: z.string().min(1),
              nom: z.string().min(1).optional(),
              siren: z
                .string()
                .refine(
                  (s) => sirenIsValid(s.replace(/\s+/g, '')),
                  'SIREN invalide (9 chiffres, clé de contrôle fausse)',
                )
                .optional(),
              responsable: z.string().min(1).optional(),
              actif: z.boolean().default(true),
            }),
          )
          .default([]),
      }),
    'Un cabinet',
  );
  const base = dirname(file);
  const seen = new Map<string, string>();
  const companies = data.societe.map((entry) => {
    const path = resolve(base, entry.dossier);
    const before = seen.get(path);
    if (before !== undefined)
      throw new UserError(
        `${file} : le dossier « ${entry.dossier} » est inscrit deux fois (déjà comme « ${before} »).`,
        ['Une société, un dossier : retirez l’une des deux entrées.'],
      );
    seen.set(path, entry.dossier);
    return {
      folder: entry.dossier,
      path,
      name: entry.nom ?? entry.dossier,
      siren: entry.siren?.replace(/\s+/g, '') ?? null,
      manager: entry.responsable ?? null,
      active: entry.actif,
    };
  });
  return { file, companies };
}

export interface NewCompany {
  readonly folder: string;
  readonly name?: string | undefined;
  readonly siren?: string | undefined;
  readonly manager?: string | undefined;
}

function entryText(company: NewCompany): string {
  const entry: Record<string, string> = { dossier: company.folder };
  if (company.name) entry.nom = company.name;
  if (company.siren) entry.siren = company.siren;
  if (company.manager) entry.responsable = company.manager;
  return `\n[[societe]]\n${stringify(entry)}\n`;
}

/** Writes a new `cabinet.toml`; never over an existing one. */
export function createPortfolio(file: string, companies: readonly NewCompany[]): void {
  writeFileSync(file, HEADER + companies.map(entryText).join(''), { flag: 'wx' });
}

/** Appends one company to `cabinet.toml`, leaving the rest of the file as it is. */
export function appendCompany(file: string, company: NewCompany): void {
  if (statSync(file).size === 0) writeFileSync(file, HEADER);
  appendFileSync(file, entryText(company));
}
