import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downsample, mergeColorRuns, renderChart } from '../../src/tui/chart.js';
import { DecimatingSeries } from '../../src/tui/series.js';

const widest = (lines: string[]): number => Math.max(...lines.map((l) => l.length));

describe('renderChart', () => {
  it('is exactly the asked height and never wider than the asked width', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 500 }),
        fc.integer({ min: 20, max: 160 }),
        fc.integer({ min: 2, max: 30 }),
        (values, width, height) => {
          const lines = renderChart([{ values }], { width, height });
          expect(lines).toHaveLength(height);
          expect(widest(lines)).toBeLessThanOrEqual(width);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on empty, non-finite or constant series', () => {
    for (const values of [[], [NaN], [Infinity, -Infinity], [5], [5, 5, 5], [0, 0], [NaN, 1, NaN, 2, Infinity]]) {
      for (const log of [false, true]) {
        expect(() => renderChart([{ values }, { values: [] }], { width: 40, height: 6, log })).not.toThrow();
      }
    }
    expect(renderChart([{ values: [] }], { width: 40, height: 5 }).join('\n')).toContain('waiting for the first epoch');
  });

  it('labels small numbers readably and distinctly', () => {
    const lines = renderChart([{ values: [1.2e-4, 1.5e-4, 1.9e-4] }], { width: 40, height: 5 });
    expect(lines.join('\n')).toContain('1.9e-4');
    expect(lines.join('\n')).not.toContain('0.00 ');
    const near = renderChart([{ values: [137.1, 137.2, 137.3, 137.4] }], { width: 40, height: 6 });
    const labels = near.map((l) => l.slice(0, 9).trim()).filter(Boolean);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('keeps real units on a log scale', () => {
    const lines = renderChart([{ values: [1000, 100, 10, 1, 0.1] }], { width: 40, height: 5, log: true });
    expect(lines[0]).toContain('1000');
    expect(lines[lines.length - 1]).toContain('0.1');
  });

  it('holds a fixed 0–1 axis for ratios', () => {
    const lines = renderChart([{ values: [0.5, 0.6] }], { width: 40, height: 11, min: 0, max: 1 });
    expect(lines[0].trim().startsWith('1')).toBe(true);
    expect(lines[lines.length - 1].trim().startsWith('0')).toBe(true);
  });
});

describe('downsample', () => {
  it('averages buckets down to the width and skips non-finite values', () => {
    expect(downsample([1, 3, 5, 7], 2)).toEqual([2, 6]);
    expect(downsample([1, NaN, 5, Infinity], 2)).toEqual([1, 5]);
    expect(downsample([1, 2], 10)).toEqual([1, 2]);
  });
});

describe('DecimatingSeries', () => {
  it('never holds more than its capacity, and keeps the mean of what it merged', () => {
    const s = new DecimatingSeries(64);
    for (let i = 0; i < 100_000; i++) s.push(i);
    expect(s.size).toBeLessThanOrEqual(64);
    expect(s.size).toBeGreaterThan(32);
    const values = s.values();
    // Buckets are consecutive runs of equal length: their means rise evenly.
    const stepsBetween = values.slice(1, -1).map((v, k) => v - values[k]);
    expect(new Set(stepsBetween).size).toBe(1);
    expect(values[0]).toBe((stepsBetween[0] - 1) / 2);
  });

  it('skips non-finite values within a bucket', () => {
    const s = new DecimatingSeries(2);
    s.push(1);
    s.push(NaN);
    s.push(3);
    expect(s.values()).toEqual([1, 3]);
  });

  it('hands out the same buckets whether asked between any epochs or once, and never changes what it handed out', () => {
    const value = fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(NaN, Infinity, null));
    // Values, and after each, whether a frame asks for the buckets (the dashboard asks on a timer: any number of epochs apart).
    const pushes = fc.array(fc.tuple(value, fc.boolean()), { maxLength: 300 });
    fc.assert(
      fc.property(pushes, fc.constantFrom(2, 4, 8), (values, capacity) => {
        const watched = new DecimatingSeries(capacity);
        const once = new DecimatingSeries(capacity);
        const handedOut: { buckets: ReturnType<DecimatingSeries['buckets']>; copy: string }[] = [];
        for (const [v, asked] of values) {
          watched.push(v);
          once.push(v);
          if (!asked) continue;
          const buckets = watched.buckets();
          handedOut.push({ buckets, copy: JSON.stringify(buckets) });
        }
        expect(watched.buckets()).toEqual(once.buckets());
        for (const { buckets, copy } of handedOut) expect(JSON.stringify(buckets)).toBe(copy);
      }),
    );
  });
});

describe('mergeColorRuns', () => {
  it('emits a colour code only where the colour changes, and shows the same text', () => {
    const red = '\u001b[31m';
    const cyan = '\u001b[36m';
    const reset = '\u001b[0m';
    const line = `  1 ┤${red}─${reset}${red}─${reset}${cyan}╮${reset} `;
    expect(mergeColorRuns(line)).toBe(`  1 ┤${red}──${reset}${cyan}╮${reset} `);
    expect(mergeColorRuns('plain')).toBe('plain');
    const strip = (s: string): string => s.replace(/\u001b\[\d+m/g, '');
    expect(strip(mergeColorRuns(line))).toBe(strip(line));
  });
});
