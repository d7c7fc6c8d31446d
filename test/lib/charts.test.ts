import { describe, expect, it } from 'vitest';
import { barSvg, funnelSvg, lineSvg } from '../../src/lib/charts.ts';

describe('server-rendered charts', () => {
  it('renders a funnel with Chinese labels to an SVG string of the asked size', () => {
    const svg = funnelSvg(
      [
        { name: '初步接洽', value: 12, label: '初步接洽 12' },
        { name: '需求确认', value: 7 },
        { name: '商务谈判', value: 0 },
      ],
      { width: 480, height: 240 },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('width="480"');
    expect(svg).toContain('初步接洽 12');
    expect(svg).toContain('需求确认');
    expect(svg).not.toContain('<script');
  });

  it('renders bars with formatted values and lines with a legend', () => {
    const bars = barSvg(['初步接洽', '需求确认'], [50, 33.3], { format: (v) => `${v}%` });
    expect(bars).toContain('33.3%');
    expect(bars).toContain('需求确认');
    const lines = lineSvg(['2026-10', '2026-11'], [
      { name: '赢单', values: [1, 2] },
      { name: '输单', values: [0, 1] },
    ]);
    expect(lines).toContain('2026-11');
    expect(lines).toContain('赢单');
    expect(lines).toContain('<path');
  });

  it('keeps a drawn chart by its data: the same data gives the same SVG, changed data a new one', () => {
    const a = funnelSvg([{ name: '初步接洽', value: 5, label: '初步接洽 5' }], { width: 300, height: 200 });
    expect(funnelSvg([{ name: '初步接洽', value: 5, label: '初步接洽 5' }], { width: 300, height: 200 })).toBe(a);
    const b = funnelSvg([{ name: '初步接洽', value: 6, label: '初步接洽 6' }], { width: 300, height: 200 });
    expect(b).not.toBe(a);
    expect(b).toContain('初步接洽 6');
    // Unnamed formatters are never served from the cache: each call draws with its own.
    expect(barSvg(['甲'], [7], { format: (v) => `${v}件` })).toContain('7件');
    expect(barSvg(['甲'], [7], { format: (v) => `${v}单` })).toContain('7单');
    // A named one is: the name stands for the function.
    expect(barSvg(['甲'], [8], { format: (v) => `${v}%`, formatKey: 'percent' })).toContain('8%');
  });
});
