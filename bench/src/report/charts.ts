import * as echarts from 'echarts';

/**
 * Charts rendered to SVG strings on the server by ECharts' SSR mode, so the report is a single static
 * file that needs neither network nor JavaScript to view.
 */
export interface ChartSize {
  width: number;
  height: number;
}

const DEFAULT_SIZE: ChartSize = { width: 900, height: 420 };

/**
 * Server-side rendering estimates text widths without a browser's fonts and tends to underestimate
 * them, so legend entries get generous gaps to keep them from overlapping when viewed.
 */
const LEGEND = { top: 36, left: 'center', itemGap: 26, textStyle: { fontSize: 12 } };

export function renderChart(option: Record<string, unknown>, size: ChartSize = DEFAULT_SIZE): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height: size.height });
  try {
    // No animation: SSR renders the first frame, which would otherwise be the animation's start.
    chart.setOption({ animation: false, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export interface LineSeries {
  name: string;
  points: readonly (readonly [number, number])[];
  /** Drawn thicker (our implementations). */
  emphasis?: boolean;
}

export interface LineChartSpec {
  title: string;
  xName: string;
  yName: string;
  series: readonly LineSeries[];
  /** 'log2' spaces powers-of-two sizes evenly and labels them 128, 1K, 4M, …; linear if absent. */
  xScale?: 'linear' | 'log2';
  yLog?: boolean;
}

/** 1024 → "1K", 4194304 → "4M": compact labels for powers of two. */
export function powerOfTwoLabel(value: number): string {
  for (const [size, suffix] of [[2 ** 30, 'G'], [2 ** 20, 'M'], [2 ** 10, 'K']] as const) {
    if (value >= size && value % size === 0) return `${value / size}${suffix}`;
  }
  return String(value);
}

/**
 * x on a log2 scale, drawn as a value axis over exponents with ticks every second power of two:
 * ECharts' own log axis picks ticks at powers of its base only (1, 1K, 1M for base 2^10-wide ranges).
 */
function log2Axis(spec: LineChartSpec): { axis: Record<string, unknown>; x: (v: number) => number } {
  const exponents = spec.series.flatMap((s) => s.points.map((p) => Math.log2(p[0])));
  const lo = Math.floor(Math.min(...exponents) / 2) * 2;
  const hi = Math.ceil(Math.max(...exponents) / 2) * 2;
  return {
    x: Math.log2,
    axis: {
      type: 'value',
      min: lo,
      max: hi,
      interval: 2,
      axisLabel: { formatter: (v: number) => powerOfTwoLabel(2 ** v) },
    },
  };
}

export function lineChart(spec: LineChartSpec, size?: ChartSize): string {
  const { axis, x } = spec.xScale === 'log2' ? log2Axis(spec) : { axis: { type: 'value' }, x: (v: number) => v };
  return renderChart(
    {
      title: { text: spec.title, left: 'center', top: 4, textStyle: { fontSize: 14 } },
      legend: LEGEND,
      grid: { left: 70, right: 30, top: 110, bottom: 55 },
      xAxis: { ...axis, name: spec.xName, nameLocation: 'middle', nameGap: 30 },
      yAxis: { type: spec.yLog === true ? 'log' : 'value', name: spec.yName, nameLocation: 'middle', nameGap: 50 },
      series: spec.series.map((s) => ({
        name: s.name,
        type: 'line',
        data: s.points.map((p) => [x(p[0]), p[1]]),
        symbolSize: 6,
        lineStyle: { width: s.emphasis === true ? 3.5 : 1.5 },
      })),
    },
    size,
  );
}

export interface BarChartSpec {
  title: string;
  categories: readonly string[];
  valueName: string;
  series: readonly { name: string; values: readonly (number | null)[] }[];
  /** Text at the end of each bar (e.g. a formatted size), per series and category; the value if absent. */
  labels?: readonly (readonly string[])[];
}

/** Horizontal bars on a linear axis (a log axis cannot draw bars from zero), labelled with their values. */
export function barChart(spec: BarChartSpec, size?: ChartSize): string {
  return renderChart(
    {
      title: { text: spec.title, left: 'center', top: 4, textStyle: { fontSize: 14 } },
      legend: spec.series.length > 1 ? LEGEND : { show: false },
      grid: { left: 40, right: 110, top: spec.series.length > 1 ? 70 : 45, bottom: 45, containLabel: true },
      yAxis: { type: 'category', data: [...spec.categories], inverse: true },
      xAxis: { type: 'value', name: spec.valueName, nameLocation: 'middle', nameGap: 28 },
      series: spec.series.map((s, si) => ({
        name: s.name,
        type: 'bar',
        label: { show: true, position: 'right' },
        data: s.values.map((v, ci) => {
          const text = spec.labels?.[si]?.[ci];
          return { value: v ?? '-', label: text === undefined ? undefined : { formatter: text } };
        }),
      })),
    },
    size,
  );
}
