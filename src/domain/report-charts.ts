import { formatEuros } from './money.js';
import type { ChartData } from './report-view.js';

/**
 * The geometry of the report's two charts, computed once and drawn by the HTML report (SVG) and by
 * the PDF (pdfkit): bars of the aged balance, and for the twelve-month trend bars of the amount
 * overdue with the DSO as a line on its own scale.
 */
export interface Bar {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly label: string;
  readonly value: string;
  /** 0 for the first bars (not yet due, or overdue), up to 4 for the oldest. */
  readonly tone: number;
}

export interface ChartGeometry {
  readonly width: number;
  readonly height: number;
  /** Baseline (y of zero) and the plot's top. */
  readonly baseline: number;
  readonly top: number;
  readonly bars: readonly Bar[];
  /** DSO points, for the trend chart only (null where it cannot be computed). */
  readonly line: readonly ({ readonly x: number; readonly y: number; readonly value: string } | null)[];
  readonly leftAxis: readonly { readonly y: number; readonly label: string }[];
}

const MARGIN = { left: 70, right: 40, top: 20, bottom: 34 };

/** Round numbers for an axis: 0, 1, 2, 5 × 10^k steps. */
function niceStep(max: number, ticks: number): number {
  if (max <= 0) return 1;
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

function bars(
  values: readonly { label: string; cents: number }[],
  width: number,
  height: number,
  currency: string,
  tones: (index: number) => number,
): Omit<ChartGeometry, 'line'> {
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  // Negative totals (credit notes not applied) are drawn at zero: the table gives the figure.
  const max = Math.max(0, ...values.map((v) => v.cents));
  const step = niceStep(max, 4);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const slot = plotWidth / Math.max(1, values.length);
  const baseline = MARGIN.top + plotHeight;
  return {
    width,
    height,
    baseline,
    top: MARGIN.top,
    bars: values.map((v, i) => {
      const h = (Math.max(0, v.cents) / top) * plotHeight;
      return {
        x: MARGIN.left + i * slot + slot * 0.15,
        y: baseline - h,
        width: slot * 0.7,
        height: h,
        label: v.label,
        value: formatEuros(v.cents, currency).replace(/,\d\d(?=\u00a0)/, ''),
        tone: tones(i),
      };
    }),
    leftAxis: Array.from({ length: Math.round(top / step) + 1 }, (_, k) => ({
      y: baseline - ((k * step) / top) * plotHeight,
      label: formatEuros(k * step, currency).replace(/,\d\d(?=\u00a0)/, ''),
    })),
  };
}

export function agedChart(chart: ChartData, width = 640, height = 240): ChartGeometry {
  return { ...bars(chart.aged, width, height, chart.currency, (i) => i), line: [] };
}

export function trendChart(chart: ChartData, width = 640, height = 260): ChartGeometry {
  const geometry = bars(
    chart.trend.map((p) => ({ label: p.label, cents: p.overdue })),
    width,
    height,
    chart.currency,
    () => 3,
  );
  const dsoMax = Math.max(0, ...chart.trend.map((p) => p.dso ?? 0));
  const dsoTop = Math.max(10, Math.ceil(dsoMax / niceStep(dsoMax, 4)) * niceStep(dsoMax, 4));
  const plotHeight = geometry.baseline - geometry.top;
  return {
    ...geometry,
    line: chart.trend.map((p, i) => {
      if (p.dso === null) return null;
      const bar = geometry.bars[i] as Bar;
      return {
        x: bar.x + bar.width / 2,
        y: geometry.baseline - (Math.min(p.dso, dsoTop) / dsoTop) * plotHeight,
        value: `${Math.round(p.dso)} j`,
      };
    }),
  };
}
