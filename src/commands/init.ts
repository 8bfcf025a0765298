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
# Jours de pause d'une facture au statut 211 « Paiement transmis », le temps que l'argent arrive.
attente_paiement_transmis_jours = 10

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

[relances]
# Montant minimum encore dû (en euros, après règlements et avoirs) pour relancer une facture.
seuil = 5
# Jours au moins entre deux actions envoyées au même client.
intervalle_jours = 7
# "client" : une action par client (toutes ses factures échues) ; "facture" : une par facture.
regroupement = "client"
# Ce que devient une étape par e-mail pour un client sans adresse : "courrier" ou "appel".
sans_email = "courrier"
# Jours fériés d'Alsace-Moselle (Vendredi saint, 26 décembre) en plus des jours fériés nationaux.
alsace_moselle = false
# Le scénario : chaque étape, son délai en jours après l'échéance et son canal
# (email, courrier, appel, tache). montant_min (en euros) réserve une étape aux montants supérieurs.
# Un préavis avant l'échéance : { etape = "preavis", jours = -3, canal = "email" } en tête de liste.
etapes = [
  { etape = "rappel", jours = 5, canal = "email" },
  { etape = "relance", jours = 15, canal = "email" },
  { etape = "mise_en_demeure", jours = 30, canal = "courrier" },
  { etape = "contentieux", jours = 45, canal = "tache" },
]

# Un autre scénario pour un type de client ou des clients nommés :
# [relances.scenarios.particuliers]
# type_client = "particulier"
# etapes = [
#   { etape = "rappel", jours = 7, canal = "email" },
#   { etape = "relance", jours = 21, canal = "email" },
#   { etape = "mise_en_demeure", jours = 45, canal = "courrier", montant_min = 100 },
# ]
# [relances.scenarios.grands_comptes]
# clients = ["C001", "C004"]
# etapes = [{ etape = "appel", jours = 10, canal = "appel" }, { etape = "relance", jours = 20, canal = "email" }]

# Votre société : obligatoire avant le premier envoi (elle signe les e-mails et les courriers).
# [creancier]
# raison_sociale = "Dupont Rénovation SARL"
# siren = "732 829 320"
# numero_tva = "FR44732829320"   # facultatif : sans SIREN, identifie vos factures électroniques
# adresse = "12 rue des Lilas\\n75011 Paris"
# email = "compta@dupont-renovation.fr"
# telephone = "01 23 45 67 89"
# iban = "FR76 3000 6000 0112 3456 7890 189"
# bic = "BNPAFRPPXXX"
# signataire = "Marie Dupont, gérante"

# Le serveur d'envoi des e-mails. Le mot de passe ne s'écrit pas ici : variable RECOUVRE_SMTP_MOT_DE_PASSE.
# [smtp]
# url = "smtp://compta@smtp.exemple.fr:587"
# expediteur = "Dupont Rénovation <compta@dupont-renovation.fr>"
# repondre_a = "compta@dupont-renovation.fr"
# copie_cachee = "archives@dupont-renovation.fr"

[documents]
# Délai laissé au débiteur par la mise en demeure, en jours.
delai_mise_en_demeure_jours = 8
# L'envoi refuse de partir si le dernier import a plus de jours que cela (données périmées).
anciennete_import_max_jours = 3

[rapport]
# Période des indicateurs et de l'activité du rapport, en jours.
periode_jours = 30
# DSO : "epuisement" (méthode de l'épuisement du chiffre d'affaires) ou "simple".
methode_dso = "epuisement"
# Destinataires de « recouvre rapport --envoyer » sans adresse.
# destinataires = ["direction@dupont-renovation.fr"]

[penalites]
# Taux des pénalités prévu par vos conditions générales (en %). Sans lui : taux BCE + 10 points.
# Jamais moins de trois fois le taux de l'intérêt légal : recouvre applique ce plancher et le signale.
# taux_contractuel = 12
# true : garder le taux du premier semestre de retard pour tout le retard.
gel_taux_premier_semestre = false

[taux]
# Taux publiés après la version de recouvre que vous utilisez (en %) :
# taux BCE des opérations principales de refinancement, par date d'effet ;
# taux de l'intérêt légal (« autres cas »), par semestre.
# bce = { "2026-07-01" = 2.15 }
# interet_legal = { "2026-S2" = 2.62 }
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
