import { parentPort } from 'node:worker_threads';
import { main } from './main.js';

/**
 * One thread of `recouvre cabinet`: runs recouvre's own commands, one company at a time, exactly as
 * `recouvre --db <société>/recouvre.db …` would (its configuration, templates, lock and guarantees),
 * and hands back what it printed. main() touches nothing of the process, so companies never share
 * state beyond the modules already loaded.
 */

export interface CompanyJob {
  readonly id: number;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface CompanyRun {
  readonly id: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const port = parentPort;
if (port === null) throw new Error('cabinet-worker runs as a worker thread');
port.on('message', async (job: CompanyJob) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main({
    argv: job.argv,
    cwd: job.cwd,
    env: job.env,
    stdout: { write: (text) => void out.push(text), isTTY: false },
    stderr: { write: (text) => void err.push(text), isTTY: false },
    now: () => new Date(),
  });
  port.postMessage({ id: job.id, code, stdout: out.join(''), stderr: err.join('') } satisfies CompanyRun);
});
