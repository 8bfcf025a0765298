import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN, fixture, recouvre, tempDir } from './cli.js';

/**
 * Progress is drawn only for a person at a terminal: these runs go through util-linux `script`,
 * which gives the command a pseudo-terminal, as a user's terminal does. What `script` records is
 * standard output and standard error together.
 */
async function onTerminal(
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number; screen: string }> {
  const command = [BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  try {
    const { stdout } = await promisify(execFile)('script', ['-q', '-e', '-c', command, '/dev/null'], {
      cwd,
      // Shown at once, so that a small file is enough (half a second by default).
      env: { ...process.env, TZ: 'Europe/Paris', RECOUVRE_PROGRES_APRES_MS: '0', ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, screen: stdout };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, screen: failed.stdout ?? '' };
  }
}

const IMPORT_PHASE = 'Lecture de factures.csv (lignes)';

describe('progress on a terminal, and nothing extra elsewhere', () => {
  it('shows the phases of import, relancer, rapprocher and rapport on a terminal, then clears them', async () => {
    const dir = tempDir();
    const imported = await onTerminal(['import', fixture('relances/factures.csv')], dir);
    expect(imported.code, imported.screen).toBe(0);
    expect(imported.screen).toContain(IMPORT_PHASE);
    expect(imported.screen).toMatch(/\d+ %/);
    // The line is erased (ESC [2K) before the summary is written.
    const summary = imported.screen.indexOf('Import de ');
    expect(summary).toBeGreaterThan(imported.screen.lastIndexOf(IMPORT_PHASE));
    expect(imported.screen.slice(0, summary)).toContain('\u001b[2K');

    const plan = await onTerminal(['relancer', '--dry-run', '--date', '20/11/2026'], dir);
    expect(plan.code, plan.screen).toBe(0);
    expect(plan.screen).toContain('Lecture des factures de la base');
    expect(plan.screen).toContain('Plan de relance du vendredi 20/11/2026');

    const matched = await onTerminal(['rapprocher', fixture('releves/releve.csv')], dir);
    expect(matched.code, matched.screen).toBe(0);
    expect(matched.screen).toContain('Rapprochement (lignes)');

    const report = await onTerminal(['rapport', '--date', '20/11/2026'], dir);
    expect(report.code, report.screen).toBe(0);
    expect(report.screen).toContain('Balance âgée et relances à venir');
    expect(report.screen).toContain('Rapport de recouvrement au 20/11/2026');
  });

  it('draws nothing with --json, with NO_COLOR or TERM=dumb, and nothing when the output is not a terminal', async () => {
    const dir = tempDir();
    expect((await recouvre(['import', fixture('relances/factures.csv')], { cwd: dir })).code).toBe(0);
    const json = await onTerminal(['import', fixture('relances/factures.csv'), '--dry-run', '--json'], dir);
    expect(json.code, json.screen).toBe(0);
    expect(json.screen).not.toContain('Lecture de');
    expect(JSON.parse(json.screen).inchanges).toBeGreaterThan(0);
    for (const env of [{ NO_COLOR: '1' }, { TERM: 'dumb' }]) {
      const quiet = await onTerminal(['import', fixture('relances/factures.csv'), '--dry-run'], dir, env);
      expect(quiet.code, quiet.screen).toBe(0);
      expect(quiet.screen).not.toContain('Lecture de');
      expect(quiet.screen).toContain("Simulation de l'import");
    }
    // Under cron (no terminal): standard error stays empty, standard output is the summary alone.
    const cron = await recouvre(['import', fixture('relances/factures.csv')], {
      cwd: dir,
      env: { RECOUVRE_PROGRES_APRES_MS: '0' },
    });
    expect(cron.code).toBe(0);
    expect(cron.stderr).toBe('');
    expect(cron.stdout).not.toContain('Lecture de');
    const report = await recouvre(['rapport', '--date', '20/11/2026', '--sortie', 'r.csv'], {
      cwd: dir,
      env: { RECOUVRE_PROGRES_APRES_MS: '0' },
    });
    expect(report.stderr).toBe('Rapport écrit : r.csv\n');
    expect(readFileSync(join(dir, 'r.csv'), 'utf8')).not.toContain('Balance âgée et relances');
  });
});
