import * as core from 'echarts/core';
import * as charts from 'echarts/charts';
import * as components from 'echarts/components';
import * as renderers from 'echarts/renderers';

// echarts 5 ships type files whose re-exports have no file extension, which NodeNext resolution cannot follow (the
// modules import as empty namespaces to the compiler). The runtime is fine; declare the little we use.
interface SsrChart {
  setOption(option: Record<string, unknown>): void;
  renderToSVGString(): string;
  dispose(): void;
}
interface EchartsCore {
  init(dom: null, theme: null, opts: { renderer: 'svg'; ssr: true; width: number; height: number; locale?: string }): SsrChart;
  use(parts: unknown[]): void;
}
type EChartsCoreOption = Record<string, unknown>;
const { init, use } = core as unknown as EchartsCore;
const part = (mod: unknown, name: string): unknown => (mod as Record<string, unknown>)[name];
use([
  part(charts, 'BarChart'),
  part(charts, 'LineChart'),
  part(components, 'GridComponent'),
  part(components, 'LegendComponent'),
  part(renderers, 'SVGRenderer'),
]);

// Apache ECharts rendered on the server to an SVG string: no client script, CSP-safe (bar ECharts' style
// attributes), printable and swappable by htmx. Every chart is shown with its numbers in a table beside it.

export interface ChartSize {
  width?: number;
  height?: number;
}

export interface ChartOptions extends ChartSize {
  /** How values are labelled (default: the number as is). */
  format?: (v: number) => string;
  /** A name for `format` that says what it does ("percent"): charts with a named format (or none) are kept. */
  formatKey?: string;
}
const formatKeyOf = (opts: ChartOptions): string | null => (opts.format ? (opts.formatKey ?? null) : '');

const FONT = '-apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
const PALETTE = ['#1677ff', '#4096ff', '#69b1ff', '#91caff', '#bae0ff', '#52c41a', '#faad14', '#ff4d4f'];

/**
 * A chart is a pure function of its data and size, and drawing one costs 3–10 ms of ECharts and zrender (half of
 * the pipeline page's time): the SVG of the last few hundred distinct charts is kept by the data they show. A value
 * formatter is a function, so a chart with one is kept only when the caller names it (`formatKey`).
 */
const svgCache = new Map<string, string>();
const SVG_CACHE_MAX = 300;
function memo(key: string | null, draw: () => string): string {
  if (key === null) return draw();
  const hit = svgCache.get(key);
  if (hit !== undefined) {
    // Least recently used goes first: re-insert on use.
    svgCache.delete(key);
    svgCache.set(key, hit);
    return hit;
  }
  const svg = draw();
  if (svgCache.size >= SVG_CACHE_MAX) svgCache.delete(svgCache.keys().next().value as string);
  svgCache.set(key, svg);
  return svg;
}
const keyOf = (kind: string, formatKey: string | null, ...parts: unknown[]): string | null => (formatKey === null ? null : JSON.stringify([kind, formatKey, ...parts]));

function render(option: EChartsCoreOption, size: ChartSize): string {
  const chart = init(null, null, { renderer: 'svg', ssr: true, width: size.width ?? 640, height: size.height ?? 320, locale: 'ZH' });
  try {
    chart.setOption({ animation: false, color: PALETTE, textStyle: { fontFamily: FONT }, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * A funnel: one band per item, in the given order, each as wide as its own value and centred, labelled with `label`
 * in a column on the right. Drawn as centred stacked bars rather than ECharts' funnel, whose bands are trapezoids from
 * one value to the next: stages that do not shrink (an empty first stage, more deals in the second) drew a funnel
 * wider at the bottom than at the top.
 */
export function funnelSvg(items: { name: string; value: number; label?: string }[], size: ChartSize = {}): string {
  return memo(keyOf('funnel', '', items, size.width, size.height), () => drawFunnel(items, size));
}
function drawFunnel(items: { name: string; value: number; label?: string }[], size: ChartSize): string {
  const max = Math.max(1, ...items.map((i) => i.value));
  const pad = items.map((i) => (max - i.value) / 2);
  const shades = ['#1677ff', '#4096ff', '#69b1ff', '#91caff', '#bae0ff'];
  return render(
    {
      grid: { left: '2%', right: '42%', top: 12, bottom: 12 },
      xAxis: { type: 'value', show: false, min: 0, max },
      yAxis: { type: 'category', show: false, inverse: true, data: items.map((i) => i.name) },
      series: [
        { type: 'bar', stack: 'funnel', silent: true, barCategoryGap: '10%', itemStyle: { color: 'transparent' }, data: pad },
        { type: 'bar', stack: 'funnel', silent: true, data: items.map((i, k) => ({ value: i.value, itemStyle: { color: shades[Math.min(k, shades.length - 1)] } })) },
        {
          type: 'bar',
          stack: 'funnel',
          silent: true,
          itemStyle: { color: 'transparent' },
          label: { show: true, position: 'right', distance: 12, color: '#262626', fontSize: 13, formatter: (p: { dataIndex: number }) => items[p.dataIndex]?.label ?? items[p.dataIndex]?.name ?? '' },
          data: pad,
        },
      ],
    },
    size,
  );
}

/** Vertical bars for categories, one series; `format` labels the values above the bars. */
export function barSvg(categories: string[], values: number[], opts: ChartOptions = {}): string {
  return memo(keyOf('bar', formatKeyOf(opts), categories, values, opts.width, opts.height), () => drawBar(categories, values, opts));
}
function drawBar(categories: string[], values: number[], opts: ChartOptions): string {
  const format = opts.format ?? ((v: number) => String(v));
  return render(
    {
      grid: { left: 56, right: 16, top: 24, bottom: 40 },
      xAxis: { type: 'category', data: categories, axisLabel: { interval: 0, fontSize: 12 } },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => format(v) } },
      series: [{ type: 'bar', data: values, barMaxWidth: 40, label: { show: true, position: 'top', formatter: (p: { value: number }) => format(p.value) } }],
    },
    opts,
  );
}

/** A line over categories (e.g. months), one or more named series. */
export function lineSvg(categories: string[], series: { name: string; values: number[] }[], opts: ChartOptions = {}): string {
  return memo(keyOf('line', formatKeyOf(opts), categories, series, opts.width, opts.height), () => drawLine(categories, series, opts));
}
function drawLine(categories: string[], series: { name: string; values: number[] }[], opts: ChartOptions): string {
  const format = opts.format ?? ((v: number) => String(v));
  return render(
    {
      grid: { left: 56, right: 40, top: series.length > 1 ? 36 : 24, bottom: 32 },
      legend: series.length > 1 ? { top: 0, data: series.map((s) => s.name) } : undefined,
      xAxis: { type: 'category', data: categories, boundaryGap: false },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => format(v) } },
      series: series.map((s) => ({ type: 'line', name: s.name, data: s.values, symbolSize: 6 })),
    },
    opts,
  );
}
