import { main } from './main.js';

// Output piped to another program (`recouvre rapport --format json | …`, a cron job's mail) is
// written as that program takes it, as it is to a terminal or a file. Node would otherwise queue
// in memory whatever the pipe cannot take yet: on a large store, the whole plan or report, a few
// hundred megabytes more.
for (const stream of [process.stdout, process.stderr]) {
  (stream as unknown as { _handle?: { setBlocking?: (blocking: boolean) => void } })._handle?.setBlocking?.(
    true,
  );
}

// `recouvre factures | head`: the reader went away, which is not an error of recouvre's.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// The process entry: binds main() to the real process, its streams and clock.
process.exitCode = await main({
  argv: process.argv.slice(2),
  cwd: process.cwd(),
  env: process.env,
  stdout: { write: (text) => process.stdout.write(text), isTTY: process.stdout.isTTY === true },
  stderr: { write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true },
  now: () => new Date(),
});
