import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { shippedTemplatesDir, templateFiles, userTemplatesDir } from '../adapters/templates.js';
import type { Context } from '../context.js';
import { displayPath, plural } from './format.js';

/**
 * Copies the shipped templates for the user to edit. An existing file is never overwritten: the
 * user's changes are worth more than a newer default.
 */
export async function runModelesExporter(context: Context, folder?: string): Promise<number> {
  const target = folder ? resolve(context.cwd, folder) : userTemplatesDir(context.dbPath);
  const source = shippedTemplatesDir();
  let copied = 0;
  const kept: string[] = [];
  for (const file of templateFiles(source)) {
    const path = join(target, file);
    if (existsSync(path)) {
      kept.push(file);
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    copyFileSync(join(source, file), path);
    copied++;
  }
  context.stdout.write(
    `${plural(copied, 'modèle copié', 'modèles copiés')} dans ${displayPath(context.cwd, target)}.\n`,
  );
  if (kept.length > 0) {
    context.stdout.write(
      `${plural(kept.length, 'modèle existant gardé tel quel', 'modèles existants gardés tels quels')}.\n`,
    );
  }
  const beside = resolve(userTemplatesDir(context.dbPath));
  context.stdout.write(
    target === beside
      ? 'Modifiez-les : recouvre les utilise à la place des modèles fournis (un modèle supprimé revient au modèle fourni).\n'
      : `recouvre n'utilise que les modèles de ${displayPath(context.cwd, beside)} : copiez-y ceux que vous modifiez.\n`,
  );
  return 0;
}
