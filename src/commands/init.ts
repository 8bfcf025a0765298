import { existsSync, writeFileSync } from 'node:fs';
import { openStore } from '../adapters/db/open.js';
import type { Context } from '../context.js';
import { displayPath } from './format.js';

export const CONFIG_TEMPLATE = `# Configuration de recouvre pour cette société.
# Chaque section est facultative : les valeurs ci-dessous sont celles par défaut.
# Une clé inconnue ou une valeur invalide est signalée avec sa ligne.

[import]
# Délai de paiement (en jours après la date de facture) quand l'export ne donne pas d'échéance.
delai_paiement_jours = 30
# Devise des montants sans symbole ni colonne « Devise ».
devise = "EUR"

# Profils d'import, pour les exports dont recouvre ne reconnaît pas les colonnes.
# « recouvre import fichier.csv --colonne numero="Réf. doc" --enregistrer-profil monlogiciel »
# en ajoute un ici ; « recouvre import autre.csv --profil monlogiciel » le réutilise.
#
# [profils.monlogiciel]
# separateur = ";"
# encodage = "windows-1252"
# decimale = ","
# format_date = "jj/mm/aaaa"
# colonnes = { numero = "Réf. doc", client = "Nom", date = "Date doc", montant = "Net à payer" }
`;

export async function runInit(context: Context): Promise<number> {
  const createdDb = !existsSync(context.dbPath);
  const store = await openStore(context.dbPath, { create: true });
  await store.close();
  const createdConfig = !existsSync(context.configPath);
  if (createdConfig) writeFileSync(context.configPath, CONFIG_TEMPLATE, { flag: 'wx' });
  const show = (path: string) => displayPath(context.cwd, path);
  context.stdout.write(
    `${createdDb ? 'Base créée' : 'Base déjà présente, mise à jour si besoin'} : ${show(context.dbPath)}\n` +
      `${createdConfig ? 'Configuration créée (commentée)' : 'Configuration déjà présente, laissée telle quelle'} : ${show(context.configPath)}\n` +
      'Étape suivante : recouvre import factures.csv\n',
  );
  return 0;
}
