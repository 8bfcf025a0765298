import type { IsoDate } from './dates.js';
import type { PlannedAction } from './dunning.js';
import { halfYearLabel } from './penalties.js';
import { halfYearOf } from './rates.js';
import { PENALTY_CLAIM_STEPS } from './scenario.js';

/**
 * Why an action must not be carried out as it stands: what the debtor would receive would be
 * wrong or unlawful. A real run skips it (nothing sent, nothing recorded, so the next run tries
 * again), says why and how to mend it, and goes on with the others; the dry run shows the same.
 */
export type HoldCode = 'taux_estime' | 'adresse' | 'signataire' | 'sommes';

export interface Hold {
  readonly code: HoldCode;
  readonly message: string;
  /** What to do, in one line. */
  readonly hint: string;
}

export interface HoldContext {
  /** `[creancier] signataire` is set. */
  readonly signatory: boolean;
  /** The user accepts penalties on an estimated rate (`--accepter-taux-estimes`). */
  readonly acceptEstimatedRates: boolean;
}

/**
 * The holds of one planned action.
 * `actionHolds(miseEnDemeureWithoutAddress, { signatory: true, acceptEstimatedRates: false })` →
 * `[{ code: 'adresse', … }]`.
 */
export function actionHolds(action: PlannedAction, context: HoldContext): Hold[] {
  const holds: Hold[] = [];
  const formal = PENALTY_CLAIM_STEPS.has(action.step.code);
  if (formal && !context.acceptEstimatedRates) {
    const halves = new Set<string>();
    const legal = new Set<string>();
    for (const c of action.invoices) {
      for (const key of c.penalty.estimatedHalfYears) halves.add(key);
      for (const p of c.penalty.periods)
        if (p.estimated && (p.basis === 'legal' || p.basis === 'plancher')) legal.add(p.halfYear);
    }
    if (halves.size > 0) {
      const keys = [...halves].sort();
      const labels = keys.map((key) => halfYearLabel(halfYearOf(startOf(key))));
      const lines = keys.map((key) =>
        legal.has(key)
          ? `interet_legal = { "${key}" = … } (taux de l'intérêt légal « autres cas », en %)`
          : `bce = { "${startOf(key)}" = … } (taux de la BCE en vigueur le ${startOf(key).split('-').reverse().join('/')}, en %)`,
      );
      holds.push({
        code: 'taux_estime',
        message: `les pénalités reposent sur un taux que recouvre ne connaît pas (${labels.join(', ')}) : ${DOCUMENT_NAMES[action.step.code] ?? 'une mise en demeure'} ne peut pas affirmer un montant estimé.`,
        hint: `Ajoutez le taux publié dans recouvre.toml, section [taux] : ${lines.join(' ; ')}. Ou relancez avec --accepter-taux-estimes.`,
      });
    }
  }
  if (action.channel === 'courrier' && !action.client.hasAddress) {
    holds.push({
      code: 'adresse',
      message: `adresse postale du client ${action.client.code} inconnue : le courrier ne peut pas être posté.`,
      hint: 'Ajoutez les colonnes Adresse, Code postal et Ville à votre export, puis réimportez-le.',
    });
  }
  if (action.step.code === 'mise_en_demeure' && action.channel === 'courrier' && !context.signatory) {
    holds.push({
      code: 'signataire',
      message:
        'aucun signataire nommé dans la configuration : une mise en demeure est signée par une personne.',
      hint: 'Ajoutez dans recouvre.toml, section [creancier] : signataire = "Marie Dupont, gérante".',
    });
  }
  return holds;
}

const DOCUMENT_NAMES: Readonly<Record<string, string>> = {
  contentieux: 'une demande en justice',
  penalites: 'une réclamation de pénalités',
};

/** `startOf('2026-S2')` → `'2026-07-01'`. */
function startOf(key: string): IsoDate {
  return `${key.slice(0, 4)}-${key.endsWith('S1') ? '01' : '07'}-01` as IsoDate;
}
