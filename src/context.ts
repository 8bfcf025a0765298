import { dirname, join, resolve } from 'node:path';
import { type IsoDate, localDate } from './domain/dates.js';

/** Where a command writes: the real process streams in production, buffers in tests. */
export interface Output {
  write(text: string): void;
  readonly isTTY: boolean;
}

/**
 * What a command gets: where the store and the configuration are, the clock, and where to write.
 * Commands never read process.*, the clock or the console themselves.
 */
export interface Context {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Output;
  readonly stderr: Output;
  /** The instant the command started (journal timestamps). */
  readonly now: Date;
  /** The instant as work goes on (when an action completes); business dates come from `today`. */
  readonly clock: () => Date;
  /** The calendar day of the run, as the user's clock shows it. */
  readonly today: IsoDate;
  readonly dbPath: string;
  readonly configPath: string;
  /** Colours only on a terminal, and never with NO_COLOR. */
  readonly color: boolean;
}

export interface GlobalOptions {
  readonly db?: string | undefined;
  readonly config?: string | undefined;
  /** The business day the command works as of (`--date` of factures, relancer, rapport, penalites). */
  readonly asOf?: IsoDate | undefined;
}

export function makeContext(
  options: GlobalOptions,
  io: {
    readonly cwd: string;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly stdout: Output;
    readonly stderr: Output;
    readonly now: Date;
    readonly clock: () => Date;
  },
): Context {
  const dbPath = resolve(io.cwd, options.db || io.env.RECOUVRE_DB || 'recouvre.db');
  // The configuration lives beside the database: one folder per company holds both.
  const configPath = options.config
    ? resolve(io.cwd, options.config)
    : join(dirname(dbPath), 'recouvre.toml');
  const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '';
  return {
    ...io,
    today: options.asOf ?? localDate(io.now),
    dbPath,
    configPath,
    color: io.stdout.isTTY && !noColor && io.env.TERM !== 'dumb',
  };
}
