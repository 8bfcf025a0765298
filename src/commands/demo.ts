import { appendFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { creditorOf } from '../adapters/config.js';
import { openStore } from '../adapters/db/open.js';
import { shippedTemplatesDir, Templates, userTemplatesDir } from '../adapters/templates.js';
import { colors } from '../adapters/terminal.js';
import { computeDunningPlan, loadDunningRules } from '../app/dunning-plan.js';
import { DocumentData, renderAction } from '../app/render-action.js';
import type { Context } from '../context.js';
import type { IsoDate } from '../domain/dates.js';
import { runFactures } from './factures.js';
import { runHistorique } from './historique.js';
import { runImport } from './import.js';
import { runInit } from './init.js';
import { runLitige } from './litige.js';
import { runPenalites } from './penalites.js';
import { runRapport } from './rapport.js';
import { runRelancer } from './relancer.js';

/** The bundled example exports, shipped with recouvre. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));

const DEMO_CREDITOR = `
[creancier]
raison_sociale = "Atelier Démo SARL"
siren = "732829320"
adresse = "12 rue des Lilas\\n75011 Paris"
email = "compta@atelier-demo.fr"
telephone = "01 23 45 67 89"
iban = "FR76 3000 6000 0112 3456 7890 189"
bic = "BNPAFRPPXXX"
signataire = "Marie Dupont, gérante"
`;

/** The subject and text of the e-mail the demo's plan sends to a client. */
async function renderedEmail(demo: Context, clientCode: string): Promise<{ subject: string; text: string }> {
  const rules = await loadDunningRules(demo, false);
  const store = await openStore(demo.dbPath, { create: false });
  try {
    const plan = computeDunningPlan(store, rules, DEMO_DATE);
    const action = plan.actions.find((a) => a.client.code === clientCode && a.channel === 'email');
    if (!action) return { subject: '', text: '(aucun e-mail pour ce client ce jour-là)' };
    const rendered = await renderAction(action, new DocumentData(store), {
      templates: new Templates([userTemplatesDir(demo.dbPath), shippedTemplatesDir()]),
      creditor: creditorOf(rules.config),
      asOf: DEMO_DATE,
      deadlineDays: rules.config.documents.delai_mise_en_demeure_jours,
    });
    return { subject: rendered.email?.subject ?? '', text: rendered.email?.text ?? '' };
  } finally {
    await store.close();
  }
}

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
    // The demonstration takes place on its day, as `--date` would set it.
    today: DEMO_DATE,
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
  await runFactures(demo, { enRetard: true });

  step(
    'Le client conteste une facture : elle ne sera plus relancée',
    'recouvre litige F2026-0103 --motif "prestation contestée"',
  );
  await runLitige(demo, 'F2026-0103', { motif: 'prestation contestée' });

  step(
    'Une relance envoyée par courrier le 20/10 est notée : le scénario en tient compte',
    'recouvre historique C001 --ajouter relance --canal courrier --date 2026-10-20',
  );
  await runHistorique(demo, 'C001', { ajouter: 'relance', canal: 'courrier', date: '2026-10-20' as IsoDate });

  step('Le plan de relance du jour, sans rien envoyer', `recouvre relancer --dry-run --date ${DEMO_DATE}`);
  await runRelancer(demo, { dryRun: true });

  step(
    'Le détail des pénalités de retard d’une facture',
    `recouvre penalites F2026-0101 --date ${DEMO_DATE}`,
  );
  await runPenalites(demo, 'F2026-0101', {});

  step("L'identité de la société, pour signer les courriers", 'recouvre.toml, section [creancier]');
  appendFileSync(demo.configPath, DEMO_CREDITOR);
  context.stdout.write(c.dim(DEMO_CREDITOR.trim()) + '\n');

  step(
    'Les e-mails et courriers du jour, écrits pour relecture au lieu d’être envoyés',
    `recouvre relancer --dry-run --date ${DEMO_DATE} --sortie apercu`,
  );
  await runRelancer(demo, { dryRun: true, sortie: 'apercu' });
  const preview = join(folder, 'apercu');
  for (const file of readdirSync(preview).sort()) context.stdout.write(`  ${join(preview, file)}\n`);

  step('Un e-mail de relance, tel que le client le recevra', `(apercu/C004-relance-${DEMO_DATE}.eml)`);
  const email = await renderedEmail(demo, 'C004');
  context.stdout.write(`${c.bold(`Objet : ${email.subject}`)}\n\n${email.text}\n`);
  context.stdout.write(
    `La mise en demeure (PDF, à imprimer et poster en recommandé) : ${join(preview, `C001-mise_en_demeure-${DEMO_DATE}.pdf`)}\n`,
  );

  step(
    'Le rapport de recouvrement : balance âgée, DSO, activité, ce qui vient',
    `recouvre rapport --date ${DEMO_DATE}`,
  );
  await runRapport(demo, { format: 'table' });
  const reportFile = join(folder, 'rapport.html');
  await runRapport({ ...demo, stderr: { write: () => {}, isTTY: false } }, { sortie: reportFile });
  context.stdout.write(
    `\nLe même rapport en page HTML, avec ses graphiques (à ouvrir dans un navigateur, à imprimer ou envoyer) :\n  ${reportFile}\n`,
  );

  context.stdout.write(`\nLa base de démonstration reste dans ${folder} : essayez par exemple\n`);
  context.stdout.write(`  recouvre --db ${join(folder, 'recouvre.db')} factures\n`);
  return 0;
}
