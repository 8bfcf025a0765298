import { main } from '../../src/main.js';

// Runs one recouvre command in this process, then reports its wall time and peak memory (RSS) on
// stderr as JSON, for run.ts to collect. The command's own output goes to /dev/null.
const started = performance.now();
const code = await main({
  argv: process.argv.slice(2),
  cwd: process.cwd(),
  env: process.env,
  stdout: { write: () => {}, isTTY: false },
  stderr: { write: (text) => process.stderr.write(text), isTTY: false },
  now: () => new Date(),
});
const seconds = (performance.now() - started) / 1000;
process.stderr.write(
  `${JSON.stringify({ code, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
process.exitCode = code;
