import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help, InvalidArgumentError, Option } from 'commander';
import { type Context, type GlobalOptions, makeContext } from './context.js';
import { type IsoDate, isoDate } from './domain/dates.js';
import { UserError } from './errors.js';

// The one place that turns outcomes into exit codes: 0 ok, 1 a problem the user can fix (French
// message, no stack trace), 2 bad usage of the command line. Commands are loaded lazily so that
// `recouvre --help` does not pay for SQLite, kysely or PDF libraries.

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const TITLES: Readonly<Record<string, string>> = {
  'Usage:': 'Utilisation :',
  'Options:': 'Options :',
  'Commands:': 'Commandes :',
  'Arguments:': 'Arguments :',
  'Global Options:': 'Options globales :',
};

class FrenchHelp extends Help {
  override styleTitle(title: string): string {
    return TITLES[title] ?? title;
  }
  override commandUsage(cmd: Command): string {
    return super.commandUsage(cmd).replace('[command]', '[commande]');
  }
  override optionDescription(option: Option): string {
    const base = super.optionDescription(option);
    return base
      .replace(/\(default: ([^)]*)\)/, '(par défaut : $1)')
      .replace(/\(choices: ([^)]*)\)/, '(valeurs : $1)');
  }
}

class FrenchCommand extends Command {
  override createCommand(name?: string): Command {
    return new FrenchCommand(name);
  }
  override createHelp(): Help {
    return Object.assign(new FrenchHelp(), this.configureHelp());
  }
}

/** commander's own messages, in French. */
function translate(message: string): string {
  return message
    .replace(/^error: missing required argument '(.+)'/m, 'erreur : argument obligatoire manquant « $1 »')
    .replace(/^error: option '(.+)' argument missing/m, "erreur : l'option « $1 » attend une valeur")
    .replace(/^error: unknown option '(.+)'/m, 'erreur : option inconnue « $1 »')
    .replace(/^\(Did you mean (.+)\?\)/m, '(vouliez-vous dire $1 ?)')
    .replace(
      /^error: too many arguments(?: for '(.+)')?\. Expected (\d+) arguments? but got (\d+)\./m,
      (_m, command: string | undefined, expected: string, got: string) =>
        `erreur : trop d'arguments${command ? ` pour « ${command} »` : ''} (${expected} attendu(s), ${got} donné(s))`,
    )
    .replace(/^error: unknown command '(.+)'/m, 'erreur : commande inconnue « $1 »')
    .replace(
      /^error: option '(.+)' argument '(.*)' is invalid\./m,
      'erreur : option « $1 », valeur « $2 » invalide :',
    )
    .replace(
      /^error: command-argument value '(.*)' is invalid for argument '(.+)'\./m,
      'erreur : « $1 » invalide pour « $2 » :',
    )
    .replace(/^error: /m, 'erreur : ');
}

/** A date as the user types it: `03/12/2026` (the French way, 2-digit day and month optional) or `2026-12-03`. */
function parseIsoDate(value: string): IsoDate {
  const french = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value.trim());
  const date = french
    ? isoDate(`${french[3]}-${french[2]!.padStart(2, '0')}-${french[1]!.padStart(2, '0')}`)
    : isoDate(value.trim());
  if (!date)
    throw new InvalidArgumentError(
      'date attendue au format jj/mm/aaaa (ou aaaa-mm-jj), par exemple 03/12/2026 ; vérifiez aussi que ce jour existe.',
    );
  return date;
}

function parseWholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('nombre entier attendu.');
  return Number(value);
}

function parsePositiveNumber(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 3660) {
    throw new InvalidArgumentError('nombre de jours attendu, de 1 à 3660.');
  }
  return Number(value);
}

function collect(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

export interface Io {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: { write(text: string): void; readonly isTTY: boolean };
  readonly stderr: { write(text: string): void; readonly isTTY: boolean };
  readonly now: () => Date;
}

/** The commands whose `--date` is the business day they work as of (the others date an event). */
const AS_OF_COMMANDS = new Set(['factures', 'relancer', 'rapport', 'penalites']);

export async function main(io: Io): Promise<number> {
  let exitCode = 0;
  const program = new FrenchCommand();
  const contextOf = (command: Command): Context =>
    makeContext(
      {
        ...command.optsWithGlobals<GlobalOptions>(),
        // The day these commands work as of is the context's: set here once, read as `today`.
        asOf: AS_OF_COMMANDS.has(command.name()) ? (command.opts().date as IsoDate | undefined) : undefined,
      },
      {
        cwd: io.cwd,
        env: io.env,
        stdout: io.stdout,
        stderr: io.stderr,
        now: io.now(),
        clock: io.now,
      },
    );
  // commander calls an action with (...arguments, options, command).
  const run =
    // biome-ignore lint/suspicious/noExplicitAny: the actions' own signatures type their arguments
      (action: (context: Context, ...args: any[]) => Promise<number>) =>
      async (...args: unknown[]) => {
        const command = args.at(-1) as Command;
        exitCode = await action(contextOf(command), ...args.slice(0, -1));
      };

  /** An action whose command module is imported only when it runs. */
  const lazy = <K extends string>(
    load: () => Promise<Record<K, (context: Context, ...args: never[]) => Promise<number>>>,
    name: K,
  ) =>
    run(async (context, ...args: unknown[]) => {
      const module = await load();
      return (module[name] as (context: Context, ...args: unknown[]) => Promise<number>)(context, ...args);
    });

  program
    .name('recouvre')
    .description(
      'Relance des factures impayées : importe les exports de votre logiciel, prépare les relances, suit les retards.',
    )
    .usage('[options] <commande>')
    .addHelpText(
      'after',
      `
Exemples :
  recouvre demo                              démonstration sur les exemples fournis
  recouvre init                              crée recouvre.db et recouvre.toml ici
  recouvre import factures.csv               importe (ou met à jour) les factures
  recouvre factures --en-retard              les factures échues non réglées
  recouvre relancer --dry-run                les relances du jour, sans rien envoyer
  recouvre penalites F2026-0101              le calcul des pénalités d'une facture

Une société par dossier : lancez recouvre dans le dossier de la société, ou utilisez --db.
RECOUVRE_DEBUG=1 affiche le détail technique d'une erreur interne.`,
    )
    .version(VERSION, '-V, --version', 'afficher la version')
    .helpOption('-h, --help', "afficher l'aide")
    .helpCommand('aide [commande]', "afficher l'aide d'une commande")
    .addOption(
      new Option('--db <fichier>', 'base de la société (ou variable RECOUVRE_DB)').default(
        undefined,
        './recouvre.db',
      ),
    )
    .addOption(
      new Option('--config <fichier>', 'configuration').default(undefined, 'recouvre.toml à côté de la base'),
    )
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`${translate(text)}Lancez « recouvre --help » pour l'aide.\n`),
    });

  program
    .command('demo')
    .description(
      'démonstration sur les exemples fournis, dans un dossier temporaire (ne touche pas à votre base)',
    )
    .action(lazy(() => import('./commands/demo.js'), 'runDemo'));

  program
    .command('init')
    .description('créer la base (recouvre.db) et une configuration commentée (recouvre.toml)')
    .action(lazy(() => import('./commands/init.js'), 'runInit'));

  program
    .command('import')
    .description(
      'importer un export (factures, règlements, FEC, statuts de la plateforme) ou des factures électroniques',
    )
    .argument(
      '[fichier]',
      'export CSV de votre logiciel, FEC, statuts (CSV ou JSON), Factur-X, CII ou UBL, ou un dossier de factures électroniques ; sans fichier : [import] source de recouvre.toml',
    )
    .option('--dry-run', 'montrer ce qui changerait, sans rien écrire')
    .option('--type <genre>', 'genre du fichier : factures, paiements, statuts ou fec (deviné sinon)')
    .option('--json', 'résumé en JSON')
    .option('--ignorer-erreurs', 'importer les lignes valides ; les rejetées vont dans FICHIER.rejets.csv')
    .option('--liste-complete', 'le fichier liste toutes les factures ouvertes : les absentes sont soldées')
    .option(
      '--accepter-modifications',
      'écrire un montant qui tombe à zéro, change de signe ou varie de plus que ce qui est réglé (refusé sinon)',
    )
    .option('--encodage <nom>', 'utf8, windows-1252 (ou latin1), cp850, utf16 (détecté sinon)')
    .option('--separateur <car>', '";", ",", "|" ou tab (détecté sinon)')
    .option('--decimale <car>', '"," ou "." (détecté sinon)')
    .option('--format-date <format>', 'jj/mm/aaaa ou mm/jj/aaaa (détecté sinon)')
    .option(
      '--colonne <champ=intitulé>',
      'colonne à utiliser pour un champ (répétable), ex. montant="Net à payer"',
      collect,
    )
    .option('--sans-entete', 'le fichier n’a pas de ligne de titres : --colonne donne la place, ex. numero=1')
    .option('--profil <nom>', "utiliser un profil d'import enregistré dans la configuration")
    .option('--enregistrer-profil <nom>', "enregistrer ces réglages comme profil d'import")
    .option(
      '--delai-paiement <jours>',
      "délai quand l'export n'a pas d'échéance (30 par défaut)",
      parseWholeNumber,
    )
    .addHelpText(
      'after',
      `
Exemples :
  recouvre import factures.csv
  recouvre import factures.csv --dry-run
  recouvre import reglements.csv                    les règlements reçus (deviné, ou --type paiements)
  recouvre import factures-pdf/                     les Factur-X, CII et UBL d'un dossier
  recouvre import statuts.csv                       les statuts envoyés par la plateforme (207 En litige…)
  recouvre import export-sage.csv --colonne numero="Réf. doc" --enregistrer-profil sage
  recouvre import export-sage.csv --profil sage --liste-complete`,
    )
    .action(lazy(() => import('./commands/import.js'), 'runImport'));

  program
    .command('factures')
    .description('lister les factures ouvertes, ou en retard')
    .option('--en-retard', 'seulement les factures échues et non réglées')
    .option('--client <code>', 'seulement ce client')
    .option('--date <jj/mm/aaaa>', "date de référence (aujourd'hui par défaut)", parseIsoDate)
    .option('--limite <n>', 'nombre de lignes affichées (0 : toutes ; 100 par défaut)', parseWholeNumber)
    .option('--json', 'liste en JSON (montants en centimes)')
    .action(lazy(() => import('./commands/factures.js'), 'runFactures'));

  program
    .command('relancer')
    .description('préparer les relances du jour : rappel, relance, mise en demeure, contentieux')
    .option('--dry-run', 'montrer le plan (actions, factures écartées, prochaines étapes) sans rien faire')
    .option('--date <jj/mm/aaaa>', "jour de la relance (aujourd'hui par défaut)", parseIsoDate)
    .option('--client <code>', 'seulement ce client')
    .option(
      '--sortie <dossier>',
      'écrire les e-mails (.eml) et les courriers (PDF) dans ce dossier au lieu de les envoyer',
    )
    .option('--forcer', 'agir même un samedi, un dimanche ou un jour férié')
    .option('--renvoyer-incertains', 'renvoyer les actions interrompues lors d’une relance précédente')
    .option('--ignorer-anciennete', 'relancer même si le dernier import date de plus de 3 jours')
    .option(
      '--accepter-taux-estimes',
      'écrire les mises en demeure même si un taux de pénalités n’est pas encore connu (estimé)',
    )
    .option('--json', 'plan ou résultat en JSON (montants en centimes)')
    .addHelpText(
      'after',
      `
Exemples :
  recouvre relancer --dry-run                       le plan du jour, sans rien envoyer
  recouvre relancer --dry-run --sortie apercu       et les e-mails et courriers, pour les relire
  recouvre relancer                                 envoie les e-mails, écrit les courriers à poster
  recouvre relancer --dry-run --date 01/12/2026     le plan de mardi prochain`,
    )
    .action(lazy(() => import('./commands/relancer.js'), 'runRelancer'));

  const modeles = program.command('modeles').description('modèles des e-mails et des courriers');
  modeles
    .command('exporter')
    .description('copier les modèles fournis pour les personnaliser (modeles/ à côté de la base)')
    .argument('[dossier]', 'dossier de destination (par défaut : modeles/ à côté de la base)')
    .action(lazy(() => import('./commands/modeles.js'), 'runModelesExporter'));

  program
    .command('sauvegarde')
    .description(
      'copier la base, même pendant qu’une autre commande travaille (dans sauvegardes/ par défaut)',
    )
    .argument('[fichier]', 'fichier de la copie (sauvegardes/recouvre-AAAA-MM-JJ-HHMMSS.db sinon)')
    .option(
      '--garder <n>',
      'ne garder que les n sauvegardes les plus récentes de sauvegardes/',
      parseWholeNumber,
    )
    .option('--json', 'résultat en JSON')
    .addHelpText(
      'after',
      '\nExemples :\n  recouvre sauvegarde\n  recouvre sauvegarde --garder 30        # chaque jour, par cron\n  recouvre sauvegarde /media/cle/compta.db',
    )
    .action(lazy(() => import('./commands/sauvegarde.js'), 'runSauvegarde'));

  program
    .command('restaurer')
    .description('remettre une sauvegarde en place (la base actuelle est gardée dans sauvegardes/)')
    .argument('<fichier>', 'la sauvegarde à restaurer')
    .option('--json', 'résultat en JSON')
    .addHelpText('after', '\nExemple :\n  recouvre restaurer sauvegardes/recouvre-2026-12-01-180000.db')
    .action(lazy(() => import('./commands/sauvegarde.js'), 'runRestaurer'));

  program
    .command('rapprocher')
    .description(
      'rapprocher un relevé bancaire des factures ouvertes : les virements sûrs deviennent des règlements',
    )
    .argument(
      '[fichier...]',
      'le relevé (CSV, OFX, CAMT.053 ou CFONB 120) ; avec --confirmer, la ou les factures que paie la ligne',
    )
    .option('--confirmer <n°>', 'dire quelles factures paie une ligne en attente')
    .option('--json', 'résultat en JSON (montants en centimes)')
    .addHelpText(
      'after',
      '\nFormats lus (reconnus au contenu, pas à l’extension) :\n  CSV       colonnes Date, Libellé et Crédit (ou Montant), ; ou , ou tabulation\n  OFX       export Quicken / Money (.ofx), OFX 1 et 2\n  CAMT.053  relevé XML ISO 20022 (.xml)\n  CFONB 120 relevé au format des banques françaises (.txt, .dat)\n\nExemples :\n  recouvre rapprocher releve-novembre.csv\n  recouvre rapprocher                              les lignes en attente\n  recouvre rapprocher --confirmer 14 F2026-0102',
    )
    .action(lazy(() => import('./commands/rapprocher.js'), 'runRapprocher'));

  program
    .command('rapport')
    .description('rapport de recouvrement : balance âgée, DSO, taux de recouvrement, relances, à venir')
    .option('--date <jj/mm/aaaa>', "date du rapport (aujourd'hui par défaut)", parseIsoDate)
    .option('--format <format>', 'table (par défaut), json, csv, html ou pdf')
    .option('--json', 'rapport en JSON (comme --format json), pour un script ou cron')
    .option('--sortie <fichier>', 'écrire le rapport dans ce fichier (format déduit de l’extension)')
    .option(
      '--envoyer [adresses]',
      'envoyer le rapport par e-mail (HTML + PDF joint) ; sans adresse : [rapport] destinataires',
    )
    .option('--client <code>', 'seulement ce client')
    .option(
      '--periode <jours>',
      'période des indicateurs et de l’activité (30 jours par défaut)',
      parsePositiveNumber,
    )
    .option('--dso <methode>', 'epuisement (par défaut) ou simple')
    .option('--limite <n>', 'clients et actions listés (0 : tous ; 20 dans un tableau)', parseWholeNumber)
    .addHelpText(
      'after',
      [
        '',
        'Exemples :',
        '  recouvre rapport',
        '  recouvre rapport --sortie rapport.html',
        '  recouvre rapport --format csv > rapport.csv',
        '  recouvre rapport --envoyer compta@exemple.fr,direction@exemple.fr',
        '',
        'Dans une crontab (chaque lundi à 7 h) :',
        '  0 7 * * 1  cd /chemin/societe && recouvre import export.csv && recouvre rapport --envoyer',
      ].join('\n'),
    )
    .action(lazy(() => import('./commands/rapport.js'), 'runRapport'));

  program
    .command('penalites')
    .description('détailler le calcul des pénalités de retard et de l’indemnité d’une facture')
    .argument('<numero>', 'numéro de la facture')
    .option('--date <jj/mm/aaaa>', "date du calcul (aujourd'hui par défaut)", parseIsoDate)
    .option('--json', 'calcul en JSON (montants en centimes, taux en points de base)')
    .action(lazy(() => import('./commands/penalites.js'), 'runPenalites'));

  program
    .command('litige')
    .description('mettre une facture en litige (elle n’est plus relancée), ou lever le litige')
    .argument('<numero>', 'numéro de la facture')
    .option('--motif <texte>', 'ce que le client conteste')
    .option('--lever', 'lever le litige : la facture reprend son scénario')
    .option('--json', 'résultat en JSON')
    .addHelpText('after', '\nExemple :\n  recouvre litige F2026-0102 --motif "livraison incomplète"')
    .action(lazy(() => import('./commands/litige.js'), 'runLitige'));

  program
    .command('pause')
    .description('suspendre les relances d’un client ou d’une facture (promesse de paiement…)')
    .argument('<client|numero>', 'code client ou numéro de facture (client:CODE ou facture:NUMERO si ambigu)')
    .option('--jusqu-au <jj/mm/aaaa>', 'reprise automatique le lendemain de cette date', parseIsoDate)
    .option('--motif <texte>', 'pourquoi (promesse de paiement, accord…)')
    .option('--reprendre', 'lever la pause')
    .option('--json', 'résultat en JSON')
    .addHelpText(
      'after',
      '\nExemples :\n  recouvre pause C002 --jusqu-au 15/12/2026 --motif "promesse de paiement"\n  recouvre pause C002 --reprendre',
    )
    .action(lazy(() => import('./commands/pause.js'), 'runPause'));

  program
    .command('paiement')
    .description('enregistrer un règlement reçu (partiel ou total) sur une facture')
    .argument('<numero>', 'numéro de la facture')
    .argument('<montant>', 'montant reçu, par exemple "1 234,56"')
    .option('--date <jj/mm/aaaa>', "date du règlement (aujourd'hui par défaut)", parseIsoDate)
    .option('--reference <texte>', 'référence du virement ou du chèque')
    .option('--json', 'résultat en JSON (montants en centimes)')
    .addHelpText(
      'after',
      '\nExemple :\n  recouvre paiement F2026-0102 "500,00" --date 18/11/2026 --reference VIR-4521',
    )
    .action(lazy(() => import('./commands/paiement.js'), 'runPaiement'));

  program
    .command('echeancier')
    .description('accorder un échéancier (les factures ne sont plus relancées tant qu’il est respecté)')
    .argument('<numero|client>', 'numéro de facture, ou code client pour toutes ses factures ouvertes')
    .option('--echeances <n>', 'nombre d’échéances égales', parseWholeNumber)
    .option('--debut <jj/mm/aaaa>', 'date de la première échéance', parseIsoDate)
    .option('--intervalle-jours <n>', 'jours entre deux échéances (chaque mois par défaut)', parseWholeNumber)
    .option('--motif <texte>', 'accord, courrier du client…')
    .option('--annuler', 'annuler l’échéancier en cours')
    .option('--json', 'échéanciers en JSON (montants en centimes)')
    .addHelpText(
      'after',
      '\nExemples :\n  recouvre echeancier C004 --echeances 3 --debut 05/12/2026\n  recouvre echeancier C004            (montre l’échéancier en cours)\n  recouvre echeancier C004 --annuler',
    )
    .action(lazy(() => import('./commands/echeancier.js'), 'runEcheancier'));

  registerCabinet(program, lazy);

  program
    .command('statuts')
    .description(
      'écrire pour la plateforme agréée les statuts 212 « Encaissée » des règlements enregistrés (chacun une fois)',
    )
    .option(
      '--encaissees',
      'les règlements reçus (relevé bancaire, fichier de règlements, saisie) pas encore transmis',
    )
    .option(
      '--depuis <jj/mm/aaaa>',
      'tous les règlements datés de ce jour ou après, même déjà transmis',
      parseIsoDate,
    )
    .option('--sortie <dossier>', 'dossier des fichiers (celui de la base par défaut)')
    .option('--dry-run', 'montrer ce qui serait écrit, sans rien écrire')
    .option('--json', 'résultat en JSON (montants en centimes)')
    .addHelpText(
      'after',
      [
        '',
        'Écrit statuts-encaissees-<date>.csv et .json, à déposer sur la plateforme agréée.',
        'Les statuts reçus de la plateforme (207 En litige, 212 Encaissée…) se lisent avec : recouvre import statuts.csv',
        '',
        'Exemples :',
        '  recouvre statuts --encaissees',
        '  recouvre statuts --encaissees --depuis 01/11/2026 --sortie ./pour-la-plateforme',
      ].join('\n'),
    )
    .action(lazy(() => import('./commands/statuts.js'), 'runStatuts'));

  program
    .command('historique')
    .description(
      'tout ce qui est arrivé à une facture ou un client ; --ajouter note une relance faite hors de recouvre',
    )
    .argument('<numero|client>', 'numéro de facture ou code client')
    .option('--json', 'événements en JSON, dans l’ordre des dates')
    .option(
      '--ajouter <etape>',
      'noter une étape faite à la main (rappel, relance, appel, mise_en_demeure…), la réception d’une mise en demeure (reception), une reconnaissance_dette ou une demande_en_justice',
    )
    .option('--canal <canal>', 'avec --ajouter : email, courrier, appel, tache')
    .option('--date <jj/mm/aaaa>', "avec --ajouter : date de l'action (aujourd'hui par défaut)", parseIsoDate)
    .option('--note <texte>', 'avec --ajouter : ce qui a été dit ou envoyé')
    .addHelpText(
      'after',
      '\nExemples :\n  recouvre historique F2026-0102\n  recouvre historique C002 --ajouter appel --note "promet de payer vendredi"\n  recouvre historique C002 --ajouter reception --date 24/11/2026       (accusé de réception de la mise en demeure)\n  recouvre historique F2026-0102 --ajouter reconnaissance_dette --date 24/11/2026   (interrompt la prescription)',
    )
    .action(lazy(() => import('./commands/historique.js'), 'runHistorique'));

  try {
    await program.parseAsync([...io.argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return handleError(error, io);
  }
}

type Lazy = <K extends string>(
  load: () => Promise<Record<K, (context: Context, ...args: never[]) => Promise<number>>>,
  name: K,
) => (...args: unknown[]) => Promise<void>;

/** `recouvre cabinet …`: the firm's commands over its portfolio of company folders. */
function registerCabinet(program: Command, lazy: Lazy): void {
  const cabinet = program
    .command('cabinet')
    .description(
      'le portefeuille d’un cabinet : une commande pour toutes les sociétés clientes (cabinet.toml)',
    )
    .addHelpText(
      'after',
      [
        '',
        'Une société par dossier (sa base, sa configuration, ses modèles), listées dans cabinet.toml.',
        '',
        'Exemples :',
        '  recouvre cabinet init                               cabinet.toml avec les dossiers de sociétés trouvés ici',
        '  recouvre cabinet ajouter dupont --responsable Marie',
        '  recouvre cabinet import                             chaque société lit son [import] source',
        '  recouvre cabinet relancer --dry-run',
        '  recouvre cabinet rapport --responsable Marie',
        '',
        'Dans une crontab (chaque matin de semaine à 7 h) :',
        '  0 7 * * 1-5  cd /chemin/cabinet && { recouvre cabinet import ; recouvre cabinet relancer ; recouvre cabinet rapport --sortie matin.html ; }',
      ].join('\n'),
    );
  const portfolioOptions = (command: Command) =>
    command
      .option('--cabinet <fichier>', 'le portefeuille (cabinet.toml du dossier courant par défaut)')
      .option('--responsable <nom>', 'seulement les sociétés de ce responsable')
      .option(
        '--paralleles <n>',
        'sociétés traitées à la fois (autant que de cœurs par défaut)',
        parsePositiveNumber,
      )
      .option('--json', 'résultat en JSON, société par société');
  cabinet
    .command('init')
    .description('créer cabinet.toml avec les dossiers de sociétés (ceux qui ont un recouvre.db) trouvés ici')
    .option('--cabinet <fichier>', 'où écrire le portefeuille (cabinet.toml par défaut)')
    .action(lazy(() => import('./commands/cabinet.js'), 'runCabinetInit'));
  cabinet
    .command('ajouter')
    .description('ajouter une société au portefeuille (son dossier et sa base sont créés si besoin)')
    .argument('<dossier>', 'le dossier de la société')
    .option('--nom <nom>', 'raison sociale (celle de son recouvre.toml par défaut)')
    .option('--siren <siren>', 'SIREN de la société')
    .option('--responsable <nom>', 'le collaborateur qui la suit')
    .option('--cabinet <fichier>', 'le portefeuille (cabinet.toml du dossier courant par défaut)')
    .action(lazy(() => import('./commands/cabinet.js'), 'runCabinetAjouter'));
  portfolioOptions(
    cabinet
      .command('import')
      .description('importer pour chaque société ce que dit son recouvre.toml ([import] source et profil)')
      .option('--dry-run', 'montrer ce qui changerait, sans rien écrire'),
  ).action(lazy(() => import('./commands/cabinet.js'), 'runCabinetImport'));
  portfolioOptions(
    cabinet
      .command('relancer')
      .description('les relances du jour de chaque société (chacune avec ses garanties : jamais deux fois)')
      .option('--dry-run', 'le plan de chaque société, sans rien envoyer')
      .option('--date <jj/mm/aaaa>', "jour de la relance (aujourd'hui par défaut)", parseIsoDate),
  ).action(lazy(() => import('./commands/cabinet.js'), 'runCabinetRelancer'));
  portfolioOptions(
    cabinet
      .command('rapport')
      .description(
        'le matin du cabinet : chaque société, ce qui est dû et en retard, ce qui est parti, ce qui attend',
      )
      .option('--date <jj/mm/aaaa>', "date du rapport (aujourd'hui par défaut)", parseIsoDate)
      .option('--format <format>', 'table (par défaut), json, csv, html ou pdf')
      .option('--sortie <fichier>', 'écrire le rapport dans ce fichier (format déduit de l’extension)')
      .option(
        '--envoyer [adresses]',
        'envoyer le rapport par e-mail (HTML + PDF joint) ; serveur et destinataires : le recouvre.toml du cabinet',
      ),
  ).action(lazy(() => import('./commands/cabinet.js'), 'runCabinetRapport'));
}

function handleError(error: unknown, io: Io): number {
  if (error instanceof CommanderError) {
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    ) {
      return 0;
    }
    // commander has already printed its (translated) message.
    return 2;
  }
  if (error instanceof UserError) {
    io.stderr.write(`recouvre : ${error.message}\n`);
    for (const line of error.details) io.stderr.write(`  ${line}\n`);
    return error.exitCode;
  }
  const code = (error as { code?: string } | null)?.code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    const { syscall, path } = error as { syscall?: string; path?: string };
    const what: Record<string, string> = {
      mkdir: 'créer le dossier',
      open: 'ouvrir ou écrire le fichier',
      rename: 'renommer le fichier',
      unlink: 'supprimer le fichier',
      copyfile: 'copier le fichier',
      scandir: 'lire le dossier',
    };
    const action = syscall && path && what[syscall] ? `impossible de ${what[syscall]} « ${path} »` : null;
    io.stderr.write(
      `recouvre : ${code === 'EROFS' ? 'disque en lecture seule' : 'accès refusé'} : ${action ?? (error as Error).message}.\n` +
        'Vérifiez les droits sur ce fichier ou ce dossier (ou lancez recouvre depuis un dossier où vous pouvez écrire).\n',
    );
    return 1;
  }
  if (code === 'SQLITE_BUSY') {
    io.stderr.write(
      'recouvre : la base est occupée par un autre recouvre (un premier import, sans doute) depuis plus de 5 secondes. Relancez la commande quand il aura fini.\n',
    );
    return 1;
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    io.stderr.write(
      'recouvre : la base est endommagée (« database disk image is malformed ») : rien n’a été modifié.\n' +
        'Remettez une sauvegarde en place : recouvre restaurer sauvegardes/<la plus récente>.db (la base abîmée est gardée à côté).\n',
    );
    return 1;
  }
  if (code?.startsWith('SQLITE_READONLY')) {
    io.stderr.write(
      'recouvre : la base ne peut pas être modifiée (fichier ou dossier en lecture seule) : rien n’a été enregistré.\nVérifiez les droits sur le fichier de la base et sur son dossier.\n',
    );
    return 1;
  }
  if (code === 'ENOSPC' || code === 'SQLITE_FULL') {
    io.stderr.write(
      'recouvre : disque plein. Libérez de la place puis relancez : rien n’a été enregistré.\n',
    );
    return 1;
  }
  io.stderr.write(`recouvre : erreur interne inattendue : ${(error as Error)?.message ?? String(error)}\n`);
  if (io.env.RECOUVRE_DEBUG === '1') io.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
  else
    io.stderr.write(
      'Relancez avec RECOUVRE_DEBUG=1 pour le détail, et signalez-la aux développeurs de recouvre.\n',
    );
  return 3;
}
