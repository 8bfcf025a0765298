import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach } from 'vitest';

/** The real command, as a user runs it: bin/recouvre on the compiled code (npm test builds first). */
export const BIN = fileURLToPath(new URL('../../bin/recouvre', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function recouvre(
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: Record<string, string> },
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: options.cwd,
        env: { ...process.env, NO_COLOR: '1', RECOUVRE_DB: '', RECOUVRE_DEBUG: '', ...options.env },
        maxBuffer: 64 << 20,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The real command started in the background, for tests that stop it or run two at once. */
export function start(
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: Record<string, string> },
): { readonly child: ChildProcess; readonly done: Promise<RunResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', RECOUVRE_DB: '', RECOUVRE_DEBUG: '', ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const done = new Promise<RunResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })),
  );
  return { child, done };
}

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder for one test, removed after it. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'recouvre-test-'));
  made.push(dir);
  return dir;
}

export function fixture(path: string): string {
  return join(FIXTURES, path);
}

/** Reads the store the way a curious user would, with SQL, read-only. */
export function query<T>(dbPath: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Text as a reader compares it: the no-break spaces of amounts as plain spaces. */
export const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

/** `recouvre`, with its output read as `plain` text. */
export async function recouvrePlain(
  args: readonly string[],
  options: { readonly cwd: string; readonly env?: Record<string, string> },
): Promise<RunResult> {
  const result = await recouvre(args, options);
  return { ...result, stdout: plain(result.stdout), stderr: plain(result.stderr) };
}

/** The `[creancier]` section of the test companies: Dupont & Fils, with a signatory. */
export function creditorToml(options: { readonly bank?: boolean } = {}): string {
  return `[creancier]
raison_sociale = "Dupont & Fils Rénovation"
siren = "732 829 320"
adresse = "12 rue des Lilas\\n75011 Paris"
email = "compta@dupont-renovation.fr"
telephone = "01 23 45 67 89"
${options.bank ? 'iban = "FR76 3000 6000 0112 3456 7890 189"\nbic = "BNPAFRPPXXX"\n' : ''}signataire = "Marie Dupont, gérante"
`;
}
