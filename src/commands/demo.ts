import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { colors } from '../adapters/terminal.js';
import type { Context } from '../context.js';
import type { IsoDate } from '../domain/dates.js';
import { runFactures } from './factures.js';
import { runImport } from './import.js';
import { runInit } from './init.js';
import { runLitige } from './litige.js';
import { runPenalites } from './penalites.js';
import { runRelancer } from './relancer.js';

/** The bundled example exports, shipped with recouvre. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));

/** The day the demo pretends to be, so that its story reads the same whenever it runs. */
const DEMO_DATE = '2026-11-20' as IsoDate;

/**
 * Runs the main job on the bundled examples, in a fresh temporary folder: it never touches the
 * user's own ./recouvre.db.
 */
export async function runDemo(context: Context): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), 'recouvre-demo-'));
  const demo: Context = {
    ...context,
    cwd: folder,
    dbPath: join(folder, 'recouvre.db'),
    configPath: join(folder, 'recouvre.toml'),
  };
  const c = colors(context);
  const step = (title: string, command: string) =>
    context.stdout.write(`\n${c.bold(c.cyan(`▶ ${title}`))}\n${c.dim(`$ ${command}`)}\n`);
  context.stdout.write(`${c.bold('Démonstration de recouvre')} dans ${folder}\n`);
  context.stdout.write(
    c.dim(`(votre ./recouvre.db n'est pas touchée ; la démonstration se place au 20/11/2026)\n`),
  );

  step('Créer la base et la configuration de la société', 'recouvre init');
  await runInit(demo);

  const first = join(EXAMPLES_DIR, 'factures.csv');
  step(
    "Importer l'export des factures (Windows-1252, point-virgule, virgule décimale)",
    `recouvre import ${first}`,
  );
  await runImport(demo, first, {});

  const second = join(EXAMPLES_DIR, 'factures-maj.csv');
  step("Réimporter l'export du lendemain : mises à jour, jamais de doublon", `recouvre import ${second}`);
  await runImport(demo, second, {});

  step('Les factures en retard', `recouvre factures --en-retard --date ${DEMO_DATE}`);
  await runFactures(demo, { enRetard: true, date: DEMO_DATE });

  step(
    'Le client conteste une facture : elle ne sera plus relancée',
    'recouvre litige F2026-0103 --motif "prestation contestée"',
  );
  await runLitige(demo, 'F2026-0103', { motif: 'prestation contestée' });

  step('Le plan de relance du jour, sans rien envoyer', `recouvre relancer --dry-run --date ${DEMO_DATE}`);
  await runRelancer(demo, { dryRun: true, date: DEMO_DATE });

  step(
    'Le détail des pénalités de retard d’une facture',
    `recouvre penalites F2026-0101 --date ${DEMO_DATE}`,
  );
  await runPenalites(demo, 'F2026-0101', { date: DEMO_DATE });

  context.stdout.write(`\nLa base de démonstration reste dans ${folder} : essayez par exemple\n`);
  context.stdout.write(`  recouvre --db ${join(folder, 'recouvre.db')} factures\n`);
  return 0;
}
