import { describe, expect, it } from 'vitest';
import { findKeyLine } from '../../src/adapters/config.js';

describe('findKeyLine', () => {
  const text = [
    '# commentaire',
    '[import]',
    'delai_paiement_jours = 30',
    '',
    '[profils.sage]',
    'separateur = ";"',
    '[profils.sage.colonnes]',
    'numero = "Réf"',
  ].join('\n');
  it('finds the line of a key, or of its table', () => {
    expect(findKeyLine(text, ['import', 'delai_paiement_jours'])).toBe(3);
    expect(findKeyLine(text, ['profils', 'sage', 'separateur'])).toBe(6);
    expect(findKeyLine(text, ['profils', 'sage', 'colonnes', 'numero'])).toBe(8);
    expect(findKeyLine(text, ['import', 'absent'])).toBe(2);
    expect(findKeyLine(text, ['inconnu'])).toBe(1);
  });
});
