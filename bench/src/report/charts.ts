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
 * An x axis over log2 exponents with one tick per power of two from the smallest to the largest
 * exponent, labelled 128, 1K, … (for charts with few sizes; `log2Axis` ticks every second power).
 */
export function powerOfTwoTickAxis(name: string, exponents: readonly number[]): Record<string, unknown> {
  return {
    type: 'value',
    name,
    nameLocation: 'middle',
    nameGap: 30,
    min: Math.min(...exponents),
    max: Math.max(...exponents),
    interval: 1,
    axisLabel: { formatter: (v: number) => powerOfTwoLabel(2 ** v) },
  };
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

export interface HeatmapSpec {
  title: string;
  /** Row labels, top to bottom (y). */
  rows: readonly string[];
  /** Column labels, left to right (x). */
  columns: readonly string[];
  /** values[row][column]; null cells (e.g. masked) are drawn grey, outside the colour scale. */
  values: readonly (readonly (number | null)[])[];
  /** Colour scale range; [0, largest value] if absent. */
  range?: [number, number];
  xName?: string;
  yName?: string;
}

/** A matrix as coloured cells (ECharts heatmap on category axes) with a continuous colour legend. */
export function heatmapChart(spec: HeatmapSpec, size: ChartSize = { width: 440, height: 440 }): string {
  const data: [number, number, number][] = [];
  const blank: [number, number, number][] = [];
  let largest = 0;
  spec.values.forEach((row, r) =>
    row.forEach((v, c) => {
      if (v === null) blank.push([c, r, 0]);
      else data.push([c, r, v]);
      if (v !== null && v > largest) largest = v;
    }),
  );
  const [min, max] = spec.range ?? [0, largest > 0 ? largest : 1];
  return renderChart(
    {
      title: { text: spec.title, left: 'center', top: 4, textStyle: { fontSize: 13 } },
      grid: { left: 62, right: 16, top: 34, bottom: 96 },
      xAxis: { type: 'category', data: [...spec.columns], name: spec.xName, nameLocation: 'middle', nameGap: 44, axisLabel: { rotate: 90, fontSize: 9, interval: 0 }, splitArea: { show: false } },
      yAxis: { type: 'category', data: [...spec.rows], inverse: true, name: spec.yName, nameLocation: 'middle', nameGap: 48, axisLabel: { fontSize: 9, interval: 0 } },
      visualMap: [{
        min,
        max,
        seriesIndex: 0,
        text: [max.toPrecision(2), String(min)],
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 4,
        itemHeight: 160,
        itemWidth: 10,
        precision: 2,
        textStyle: { fontSize: 10 },
        inRange: { color: ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'] },
      },
      // Heatmap series need a visual map; the blank cells get one that paints them all grey.
      { show: false, seriesIndex: 1, min: 0, max: 1, inRange: { color: ['#e8e8e8', '#e8e8e8'] } }],
      series: [
        { type: 'heatmap', data, itemStyle: { borderColor: '#ffffff', borderWidth: 0.5 } },
        { type: 'heatmap', data: blank, itemStyle: { borderColor: '#ffffff', borderWidth: 0.5 } },
      ],
    },
    size,
  );
}
