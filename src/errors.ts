/**
 * Failures a user can fix. Commands throw these; only main.ts turns them into exit codes, so a
 * French message reaches the terminal without a stack trace.
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  readonly exitCode: number = 1;
  /** Extra lines printed after the message (the list of problems in a file, a hint). */
  readonly details: readonly string[];
  constructor(message: string, details: readonly string[] = []) {
    super(message);
    this.details = details;
  }
}

/** Bad usage of the command line itself (unknown option, malformed value): exit code 2. */
export class UsageError extends UserError {
  override readonly exitCode: number = 2;
}
