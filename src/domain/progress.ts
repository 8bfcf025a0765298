/**
 * What long work reports as it goes. A terminal draws it; cron, `--json` and pipes get `SILENT`,
 * so an output is the same whether anyone watched it or not.
 */
export interface Progress {
  /** A new phase: what is done now, and its size when known (lines, actions…). */
  phase(label: string, total?: number): void;
  /** How many units of the current phase are done (and its size, once it is known). */
  update(done: number, total?: number): void;
  /** The work is over, or failed: whatever was drawn is cleared. */
  stop(): void;
}

export const SILENT: Progress = { phase() {}, update() {}, stop() {} };
