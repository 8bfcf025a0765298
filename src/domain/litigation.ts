import { formatEuros } from './money.js';

/** R125-1 CPCE: the simplified procedure for small claims, principal and interest included. */
export const SMALL_CLAIM_LIMIT = 500000;

/**
 * Which procedure fits a claim, in French paragraphs for the claim file (sources:
 * shared/domain/droit-et-taux.md §4 and §6).
 * `procedureAdvice(320000, true)[0]` → "Montant réclamé : 3 200,00 € …".
 */
export function procedureAdvice(totalCents: number, professional: boolean): string[] {
  const paragraphs = [`Montant réclamé : ${formatEuros(totalCents)} (principal, pénalités et indemnités).`];
  if (totalCents <= SMALL_CLAIM_LIMIT) {
    paragraphs.push(
      "Jusqu'à 5 000 € : la procédure simplifiée de recouvrement des petites créances (articles L125-1 et R125-1 et suivants du Code des procédures civiles d'exécution). Un commissaire de justice invite le débiteur à payer ; s'il accepte dans le délai d'un mois, le commissaire de justice délivre un titre exécutoire sans passer devant un juge. Les frais restent à la charge du créancier.",
    );
  }
  paragraphs.push(
    professional
      ? "Injonction de payer (articles 1405 et suivants du Code de procédure civile) : requête au président du tribunal de commerce (ou du tribunal des activités économiques) du lieu où demeure le débiteur, formulaire Cerfa n° 12946, en ligne sur le site Tribunal Digital. Aucune tentative préalable de règlement amiable n'est exigée. L'ordonnance doit être signifiée par un commissaire de justice ; le débiteur a un mois pour former opposition."
      : "Injonction de payer (articles 1405 et suivants du Code de procédure civile) : requête au tribunal judiciaire du lieu où demeure le débiteur, formulaire Cerfa n° 12948. Aucune tentative préalable de règlement amiable n'est exigée. L'ordonnance doit être signifiée par un commissaire de justice ; le débiteur a un mois pour former opposition.",
    "Si la dette n'est pas sérieusement contestable, un référé-provision est aussi possible (article 873 du Code de procédure civile devant le tribunal de commerce, article 835 devant le tribunal judiciaire).",
    professional
      ? "Prescription : cinq ans à compter de l'échéance (article L110-4 du Code de commerce)."
      : 'Prescription : deux ans à compter de la prestation (article L218-2 du Code de la consommation) : ne tardez pas.',
    'Vérifiez la version en vigueur des formulaires et des textes sur service-public.fr avant de déposer la requête.',
  );
  return paragraphs;
}
