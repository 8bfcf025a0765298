import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { UserError } from '../../errors.js';

const LOCK_WAIT_MS = 5000;

/**
 * One file per database, taken by a real run and by a restore: a second one on the same company
 * waits a few seconds for the first, then refuses. A lock left by a process that no longer exists (killed) is taken over.
 */
export async function acquireLock(dbPath: string): Promise<() => void> {
  const path = `${dbPath}.verrou`;
  const started = Date.now();
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
    const pid = Number(readFileSync(path, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) {
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() - started > LOCK_WAIT_MS) {
      throw new UserError(
        `Une autre relance ou restauration est en cours sur cette base (processus ${pid}).`,
        ['Attendez la fin de l’autre commande, puis recommencez : celle-ci n’a rien fait.'],
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}
