import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CONFIG,
  dunningSettings,
  findKeyLine,
  loadConfig,
  penaltyTerms,
} from '../../src/adapters/config.js';
import { CONFIG_TEMPLATE } from '../../src/commands/init.js';
import { DEFAULT_SETTINGS } from '../../src/domain/scenario.js';

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

describe('the documented configurations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'recouvre-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("README's example loads, and gives the scenarios and terms it describes", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'));
    const toml = /```toml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(toml).toBeDefined();
    const path = join(dir, 'readme.toml');
    writeFileSync(path, toml!);
    const config = await loadConfig(path, true);
    const settings = dunningSettings(config);
    expect(settings.scenarios.map((s) => [s.name, s.clientKind, s.clients])).toEqual([
      ['defaut', null, []],
      ['particuliers', 'particulier', []],
      ['grands_comptes', null, ['C001', 'C004']],
    ]);
    expect(settings.scenarios[0]!.steps[2]).toEqual({
      code: 'mise_en_demeure',
      days: 30,
      channel: 'courrier',
      minAmount: 10000,
    });
    // The claim of the penalties of invoices paid late stands apart from the ladder.
    expect(settings.scenarios[0]!.steps.map((s) => s.code)).not.toContain('penalites');
    expect(settings.scenarios[0]!.lateFees).toEqual({
      code: 'penalites',
      days: 15,
      channel: 'email',
      minAmount: null,
    });
    expect(settings.scenarios[1]!.lateFees).toBeNull();
    expect(settings.threshold).toBe(500);
    expect(penaltyTerms(config)).toEqual({
      contractualRate: 1200,
      freezeFirstHalfYear: false,
      noticeReceiptDays: 3,
    });
    expect(config.taux).toEqual({ bce: { '2026-07-01': 2.15 }, interet_legal: { '2026-S2': 2.62 } });
    expect(config.rapport).toEqual({
      periode_jours: 30,
      methode_dso: 'epuisement',
      destinataires: ['direction@dupont-renovation.fr'],
    });
  });

  it("init's commented template is valid and equals the defaults", async () => {
    const path = join(dir, 'init.toml');
    writeFileSync(path, CONFIG_TEMPLATE);
    const config = await loadConfig(path, true);
    expect(dunningSettings(config)).toEqual(DEFAULT_SETTINGS);
    expect(penaltyTerms(config)).toEqual({
      contractualRate: null,
      freezeFirstHalfYear: false,
      noticeReceiptDays: 3,
    });
    expect(config.rapport).toEqual(DEFAULT_CONFIG.rapport);
  });

  it('refuses a claim of penalties by call or with negative days', async () => {
    const path = join(dir, 'penalites.toml');
    writeFileSync(
      path,
      '[relances]\netapes = [\n  { etape = "rappel", jours = 5, canal = "email" },\n  { etape = "penalites", jours = -3, canal = "appel" },\n]\n',
    );
    await expect(loadConfig(path, true)).rejects.toMatchObject({
      details: expect.arrayContaining([
        expect.stringContaining("l'étape « penalites » compte les jours de retard du règlement : 0 ou plus"),
        expect.stringContaining("l'étape « penalites » est une réclamation écrite"),
      ]),
    });
  });

  it('names a wrong DSO method and its line', async () => {
    const path = join(dir, 'dso.toml');
    writeFileSync(path, '[rapport]\nperiode_jours = 30\nmethode_dso = "moyenne"\n');
    await expect(loadConfig(path, true)).rejects.toMatchObject({
      details: [
        expect.stringContaining('dso.toml:3, clé « rapport.methode_dso » : attendu "epuisement"'),
        expect.stringContaining('partie « Configuration »'),
      ],
    });
  });
});

describe('single-byte encodings', () => {
  it('tells CP850 from Windows-1252 by where the accents are', async () => {
    const { singleByteEncoding } = await import('../../src/adapters/csv-source.js');
    const iconv = (await import('iconv-lite')).default;
    const text = 'Société Générale;Œuvres & Cie;Hôtel des Voyageurs;Garage Étoile;façade';
    expect(singleByteEncoding(iconv.encode(text, 'cp850'))).toBe('cp850');
    expect(singleByteEncoding(iconv.encode(text, 'win1252'))).toBe('windows-1252');
    // A Windows-1252 file with « … » and accents stays Windows-1252.
    expect(singleByteEncoding(iconv.encode('Réf… à régler', 'win1252'))).toBe('windows-1252');
  });
});
