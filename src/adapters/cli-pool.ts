import { Worker } from 'node:worker_threads';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Pending {
  readonly id: number;
  readonly message: unknown;
  readonly resolve: (run: CliRun) => void;
}

/**
 * Worker threads that each run recouvre's commands for one company at a time (`cabinet-worker.ts`),
 * as many as asked. A thread that dies (out of memory, a native crash) fails only the company it
 * was running, with what it said, and is replaced.
 */
export class CliPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly script: URL,
    private readonly size: number,
  ) {}

  run(
    argv: readonly string[],
    cwd: string,
    env: Readonly<Record<string, string | undefined>>,
  ): Promise<CliRun> {
    return new Promise((resolve) => {
      this.queue.push({ id: this.nextId++, message: { argv, cwd, env }, resolve });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.running.size < this.size ? this.spawn() : null);
      if (worker === null) return;
      const job = this.queue.shift() as Pending;
      this.running.set(worker, job);
      worker.postMessage({ id: job.id, ...(job.message as object) });
    }
  }

  private spawn(): Worker {
    const worker = new Worker(this.script);
    worker.on('message', (run: CliRun & { id: number }) => {
      const job = this.running.get(worker);
      this.running.delete(worker);
      if (job) job.resolve({ code: run.code, stdout: run.stdout, stderr: run.stderr });
      if (this.closed) void worker.terminate();
      else this.idle.push(worker);
      this.pump();
    });
    const fail = (why: string) => {
      const job = this.running.get(worker);
      this.running.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      job?.resolve({ code: 3, stdout: '', stderr: `recouvre : le traitement s'est arrêté (${why}).\n` });
      this.pump();
    };
    worker.on('error', (error) => fail(error.message));
    worker.on('exit', (code) => {
      if (this.running.has(worker)) fail(`code ${code}`);
      // Never hand a job to a thread that has gone.
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
    });
    return worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((w) => w.terminate()));
  }
}
