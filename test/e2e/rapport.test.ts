import { describe, expect, it } from 'vitest';
import { fixture, recouvre, tempDir } from './cli.js';

describe('recouvre rapport (balance âgée)', () => {
  it('gives the aged balance per currency and client, disputed amounts apart, in JSON and as a table', async () => {
    const dir = tempDir();
    await recouvre(['import', fixture('relances/factures.csv')], { cwd: dir });
    await recouvre(['litige', 'R-003', '--motif', 'contesté'], { cwd: dir });
    const json = JSON.parse(
      (await recouvre(['rapport', '--date', '2026-11-20', '--format', 'json'], { cwd: dir })).stdout,
    );
    // R-002 (200 €) is 6 days late; R-001 (1 000 €), R-006 (4 €) and R-004 (300 €) 50 days, less the
    // 100 € credit note A-001 (46 days); R-008 (700 €) is not due; R-003 (500 €) is disputed.
    expect(json).toMatchObject({
      date: '2026-11-20',
      devise: 'EUR',
      balance_agee: { non_echu: 70000, j1_30: 20000, j31_60: 120400, j61_90: 0, plus_90: 0, total: 210400 },
      litiges_centimes: 50000,
    });
    expect(json.devises.map((d: { devise: string }) => d.devise)).toEqual(['EUR', 'USD']);
    expect(json.devises[0].clients[0]).toMatchObject({
      client: 'C1',
      j1_30: 20000,
      j31_60: 90000,
      total: 110000,
    });
    const table = await recouvre(['rapport', '--date', '2026-11-20', '--format', 'table'], { cwd: dir });
    expect(table.stdout).toContain('Balance âgée au 20/11/2026');
    expect(table.stdout.replace(/\u00a0/g, ' ')).toContain('2 104,00 €');
  });

  it('answers sensibly on an empty base, and names an unknown format', async () => {
    const dir = tempDir();
    await recouvre(['init'], { cwd: dir });
    const json = JSON.parse((await recouvre(['rapport', '--format', 'json'], { cwd: dir })).stdout);
    expect(json.balance_agee).toEqual({ non_echu: 0, j1_30: 0, j31_60: 0, j61_90: 0, plus_90: 0, total: 0 });
    expect((await recouvre(['rapport', '--format', 'table'], { cwd: dir })).stdout).toContain(
      'Aucune somme due',
    );
    const bad = await recouvre(['rapport', '--format', 'xls'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format « xls » : attendu table ou json');
  });
});
