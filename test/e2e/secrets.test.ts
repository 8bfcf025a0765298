import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { creditorToml, fixture, type RunResult, recouvre, tempDir } from './cli.js';
import { smtpForTest } from './smtp.js';

const SECRET = 'Mot-De-Passe-Tres-Secret-42';

/** Every file under `dir`, as bytes. */
function filesOf(dir: string): { path: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesOf(path) : [{ path, bytes: readFileSync(path) }];
  });
}

describe('the SMTP password', () => {
  it('goes to the server, and never into the base, the journal, the files written or any output', async () => {
    const server = await smtpForTest({ auth: { user: 'compta', pass: SECRET } });
    const dir = tempDir();
    writeFileSync(
      join(dir, 'recouvre.toml'),
      `${creditorToml()}\n[smtp]\nurl = "smtp://compta@127.0.0.1:${server.port}"\ndelai_secondes = 3\n\n[rapport]\ndestinataires = ["direction@exemple.fr"]\n`,
    );
    const env = { RECOUVRE_SMTP_MOT_DE_PASSE: SECRET };
    const outputs: RunResult[] = [];
    const run = async (args: string[], extra: Record<string, string> = {}) => {
      const result = await recouvre(args, { cwd: dir, env: { ...env, ...extra } });
      outputs.push(result);
      return result;
    };
    expect((await run(['import', fixture('relances/factures.csv')])).code).toBe(0);
    await run(['relancer', '--dry-run', '--json', '--date', '2026-11-20']);
    await run(['relancer', '--dry-run', '--date', '2026-11-20', '--sortie', 'apercu']);
    const sent = await run(['relancer', '--date', '2026-11-20', '--ignorer-anciennete']);
    // (exit 1: C2 has no postal address, its letter is held)
    expect(sent.stdout).toContain('3 e-mails envoyés');
    // The login worked: the server took the messages.
    expect(server.messages.length).toBeGreaterThan(0);
    await run(['rapport', '--date', '2026-11-20', '--envoyer']);
    await run(['historique', 'C1', '--json']);
    // A wrong password: the server refuses, and the message says so without the password.
    const refused = await run(['rapport', '--date', '2026-11-20', '--envoyer'], {
      RECOUVRE_SMTP_MOT_DE_PASSE: `${SECRET}-faux`,
    });
    expect(refused.code).toBeGreaterThan(0);
    await run(['relancer', '--date', '2026-11-27', '--ignorer-anciennete'], {
      RECOUVRE_SMTP_MOT_DE_PASSE: `${SECRET}-faux`,
    });
    // A password in the configuration file is refused, and not repeated.
    writeFileSync(
      join(dir, 'mauvais.toml'),
      `${creditorToml()}\n[smtp]\nurl = "smtp://compta:${SECRET}@127.0.0.1:${server.port}"\n`,
    );
    const inFile = await run(['--config', 'mauvais.toml', 'relancer', '--dry-run']);
    expect(inFile.code).toBeGreaterThan(0);

    for (const output of outputs) {
      expect(output.stdout).not.toContain(SECRET);
      expect(output.stderr).not.toContain(SECRET);
    }
    const written = filesOf(dir).filter((f) => !f.path.endsWith('mauvais.toml'));
    expect(written.some((f) => f.path.endsWith('.eml'))).toBe(true);
    expect(written.some((f) => f.path.endsWith('recouvre.db'))).toBe(true);
    for (const file of written) expect(file.bytes.includes(SECRET), file.path).toBe(false);
  });
});
