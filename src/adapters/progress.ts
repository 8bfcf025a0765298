import cliProgress from 'cli-progress';
import type { Context } from '../context.js';
import type { Progress } from '../domain/progress.js';
import { SILENT } from '../domain/progress.js';

/**
 * A phase shorter than this draws nothing: quick commands print exactly what they printed.
 * RECOUVRE_PROGRES_APRES_MS changes it (0: at once).
 */
const SHOW_AFTER_MS = 500;

const grouped = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');

/**
 * Progress on the terminal's standard error (cli-progress), shown once a phase has lasted half
 * a second, and cleared at the end; nothing at all under cron, with `--json`, with NO_COLOR or
 * TERM=dumb, or when standard error is not a terminal.
 */
export function progressFor(context: Context, options: { readonly json?: boolean | undefined }): Progress {
  const noColor = context.env.NO_COLOR !== undefined && context.env.NO_COLOR !== '';
  if (!context.stderr.isTTY || options.json || noColor || context.env.TERM === 'dumb') return SILENT;
  const setting = Number(context.env.RECOUVRE_PROGRES_APRES_MS);
  const after = context.env.RECOUVRE_PROGRES_APRES_MS && setting >= 0 ? setting : SHOW_AFTER_MS;
  let bar: cliProgress.SingleBar | null = null;
  let label = '';
  let total = 0;
  let done = 0;
  let since = 0;
  let timer: NodeJS.Timeout | null = null;
  const show = () => {
    timer = null;
    const counted = total > 0;
    bar = new cliProgress.SingleBar(
      {
        stream: context.stderr as unknown as NodeJS.WritableStream,
        format: counted ? '{phase} [{bar}] {percentage} % · {value} / {total}' : '{phase} : {value}',
        formatValue: (value, _options, type) =>
          type === 'value' || type === 'total' ? grouped(value) : String(value),
        barsize: 30,
        hideCursor: true,
        clearOnComplete: true,
        fps: 8,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(counted ? total : 0, done, { phase: label });
  };
  const clear = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    bar?.stop();
    bar = null;
  };
  return {
    phase(next, size) {
      clear();
      label = next;
      total = size ?? 0;
      done = 0;
      since = Date.now();
      timer = setTimeout(show, after);
      timer.unref();
    },
    update(value, size) {
      done = value;
      if (size !== undefined && size !== total) {
        total = size;
        if (bar && size > 0) bar.setTotal(size);
      }
      // A total that was an estimate grows rather than going past 100 %.
      if (bar && total > 0 && value > total) {
        total = value;
        bar.setTotal(total);
      }
      if (bar) bar.update(value, { phase: label });
      // The event loop may be too busy for the timer: a long phase shows at its next update.
      else if (timer && Date.now() - since >= after) {
        clearTimeout(timer);
        show();
      }
    },
    stop: clear,
  };
}
