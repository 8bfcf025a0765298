import { isUtf8 } from 'node:buffer';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Handlebars from 'handlebars';
import { formatDateFr, formatDateLong, type IsoDate, isoDate } from '../domain/dates.js';
import { formatEuros } from '../domain/money.js';
import { UserError } from '../errors.js';
import { packageRoot } from './package-root.js';

/** The templates shipped with recouvre. */
export function shippedTemplatesDir(): string {
  return join(packageRoot(), 'templates');
}

/** Where a company's own templates live: `modeles/` beside its database. */
export function userTemplatesDir(dbPath: string): string {
  return join(dbPath, '..', 'modeles');
}

/**
 * Handlebars templates, looked up first in the company's `modeles/` folder, then in the shipped
 * `templates/`. A name ending in `.html` is HTML (every value escaped); any other is plain text.
 * Compiled with `strict`, so that a misspelt variable is an error naming the file and the line
 * rather than a blank in a letter.
 */
export class Templates {
  private readonly handlebars = Handlebars.create();
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();
  private readonly dirs: readonly string[];

  constructor(dirs: readonly string[]) {
    this.dirs = dirs.filter((dir) => existsSync(dir));
    // `{{pluriel jours_retard "jour" "jours"}}` → "1 jour", "12 jours": formatting only, no logic.
    this.handlebars.registerHelper('pluriel', (count: unknown, one: unknown, many: unknown) => {
      const n = Number(count);
      return `${n} ${Math.abs(n) < 2 ? String(one) : String(many)}`;
    });
    // Helper names must differ from every field of the views: Handlebars looks helpers up first.
    // `{{euros total_du_centimes}}` → "1 234,56 €" (`{{euros x "USD"}}` for another currency).
    this.handlebars.registerHelper('euros', (cents: unknown, ...rest: unknown[]) =>
      formatEuros(Number(cents), typeof rest[0] === 'string' ? rest[0] : 'EUR'),
    );
    // `{{date_courte date_iso}}` → "20/11/2026"; `{{date_en_lettres date_iso}}` → "20 novembre 2026".
    this.handlebars.registerHelper('date_courte', (iso: unknown) => formatDateFr(checkedDate(iso)));
    this.handlebars.registerHelper('date_en_lettres', (iso: unknown) => formatDateLong(checkedDate(iso)));
    // Partials: a shipped one is replaced by the company's own of the same name.
    for (const dir of [...this.dirs].reverse()) {
      const partials = join(dir, 'partials');
      if (!existsSync(partials)) continue;
      for (const file of readdirSync(partials)) {
        if (!file.endsWith('.hbs')) continue;
        const path = join(partials, file);
        const name = file.slice(0, -'.hbs'.length);
        this.handlebars.registerPartial(name, this.compile(path, name.endsWith('.html')));
      }
    }
  }

  /** The path a template name resolves to, or null. */
  pathOf(name: string): string | null {
    for (const dir of this.dirs) {
      const path = join(dir, `${name}.hbs`);
      if (existsSync(path) && statSync(path).isFile()) return path;
    }
    return null;
  }

  has(name: string): boolean {
    return this.pathOf(name) !== null;
  }

  /** Renders `name` (e.g. `email/relance.html`) with a view model. */
  render(name: string, view: object): string {
    let template = this.compiled.get(name);
    const path = this.pathOf(name);
    if (path === null) {
      throw new UserError(
        `Modèle « ${name}.hbs » introuvable (ni dans modeles/, ni dans les modèles fournis).`,
        ['Recopiez les modèles fournis avec « recouvre modeles exporter » puis modifiez-les.'],
      );
    }
    if (!template) {
      template = this.compile(path, name.endsWith('.html'));
      this.compiled.set(name, template);
    }
    try {
      return template(view);
    } catch (error) {
      throw templateError(path, error);
    }
  }

  private compile(path: string, html: boolean): Handlebars.TemplateDelegate {
    const source = templateSource(path);
    try {
      const template = this.handlebars.compile(source, { strict: true, noEscape: !html });
      // Handlebars parses lazily: parse now, so that a syntax error names its file at once.
      this.handlebars.precompile(source, { strict: true });
      return (view: unknown) => {
        try {
          return template(view);
        } catch (error) {
          throw templateError(path, error);
        }
      };
    } catch (error) {
      throw templateError(path, error);
    }
  }
}

/**
 * A template's text. A template saved in another encoding than UTF-8 (Windows' Notepad « ANSI »)
 * would put garbled accents in front of the debtor: refused, with its first such line.
 */
function templateSource(path: string): string {
  const bytes = readFileSync(path);
  if (!isUtf8(bytes)) {
    let line = 1;
    for (const text of bytes.toString('latin1').split('\n')) {
      if (!isUtf8(Buffer.from(text, 'latin1'))) break;
      line++;
    }
    throw new UserError(
      `Modèle ${path}:${line} : le fichier n'est pas enregistré en UTF-8 (accents illisibles).`,
      ['Rouvrez-le et enregistrez-le en UTF-8 (Bloc-notes : « Enregistrer sous », Encodage « UTF-8 »).'],
    );
  }
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function checkedDate(value: unknown): IsoDate {
  const date = typeof value === 'string' ? isoDate(value) : null;
  if (!date) throw new Error(`date attendue au format AAAA-MM-JJ, reçu « ${String(value)} »`);
  return date;
}

function templateError(path: string, error: unknown): Error {
  if (error instanceof UserError) return error;
  const message = (error as Error).message ?? String(error);
  const parse = /(?:Parse|Lexical) error on line (\d+)/.exec(message);
  const missing = /"([^"]+)" not defined in .* - (\d+):(\d+)/.exec(message);
  const where = parse ? `:${parse[1]}` : missing ? `:${missing[2]}` : '';
  const what = missing
    ? `la variable « ${missing[1]} » n'existe pas (voir la liste des variables dans le README)`
    : parse
      ? 'erreur de syntaxe Handlebars'
      : message.split('\n')[0];
  return new UserError(`Modèle ${path}${where} : ${what}.`, parse ? message.split('\n').slice(1, 3) : []);
}

/** Every template file under a folder, as relative paths (for `modeles exporter`). */
export function templateFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.hbs')) files.push(relative(dir, path));
    }
  };
  walk(dir);
  return files.sort();
}
