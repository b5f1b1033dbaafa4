import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../../src/format.js';
import { neuronPageData, sidesAt, type NeuronPageData, type NeuronPageInput } from '../../../src/tui/neuron/data.js';
import { Fit, fitPlot } from '../../../src/tui/neuron/Fit.js';
import { gradientLines, gradientRows, Gradients } from '../../../src/tui/neuron/Gradients.js';
import { Kink, zHistogram } from '../../../src/tui/neuron/Kink.js';
import { NeuronPage } from '../../../src/tui/neuron/NeuronPage.js';
import { LINE_MARK, OTHER_MARK, signedBar } from '../../../src/tui/neuron/plot.js';
import { rateScale, rateWarnings, StepSize } from '../../../src/tui/neuron/StepSize.js';
import { palette } from '../../../src/tui/palette.js';
import { loadConfig } from '../../../src/config/load.js';
import { loadDataset } from '../../../src/data/dataset.js';
import { Trainer } from '../../../src/train/trainer.js';
import { randomRows, ROOT } from '../../helpers.js';

const colors = palette(false);

/** Columns a line takes: combining marks (the tilde of X̃) take none. */
const columns = (line: string): number => line.replace(/\p{M}/gu, '').length;

const frame = (element: React.JSX.Element): string => {
  const { lastFrame, unmount } = render(element);
  const text = lastFrame() ?? '';
  unmount();
  return text;
};

/** Rows y = relu(w·x + b) + a little noise, x ~ N(0, 1), fixed by seed. */
function input(n: number, trueW: number[], trueB: number, w: number[], b: number, seed = 4): NeuronPageInput {
  const d = trueW.length;
  const rows = randomRows(
    n,
    d,
    seed,
    (x) =>
      Math.max(
        0,
        trueW.reduce((s, wj, j) => s + wj * x[j], trueB),
      ) +
      0.05 * Math.sin(97 * x[0]),
  );
  return { rows, d, features: trueW.map((_, j) => `f${j + 1}`), weights: w, bias: b, previousSides: null, seed: 1 };
}

function page(n: number, trueW: number[], trueB: number, w: number[], b: number, before?: { w: number[]; b: number }): NeuronPageData {
  const i = input(n, trueW, trueB, w, b);
  if (before) i.previousSides = sidesAt(i, before);
  return neuronPageData(i);
}

const linear = page(500, [1.5, -2, 0.5], 1, [1.2, -1.5, 0.3], 0.8, { w: [1.1, -1.4, 0.3], b: 0.7 });

describe('neuronPageData', () => {
  it('counts flips against the previous sides, and none without them', () => {
    expect(linear.flips).toBeGreaterThan(0);
    const i = input(500, [1.5, -2, 0.5], 1, [1.2, -1.5, 0.3], 0.8);
    let flips = 0;
    for (let k = 0; k < i.rows.n; k++) {
      const z = (w: number[], b: number): number => w.reduce((s, wj, j) => s + wj * i.rows.x[k * 3 + j], b);
      if (z([1.1, -1.4, 0.3], 0.7) > 0 !== z([1.2, -1.5, 0.3], 0.8) > 0) flips++;
    }
    expect(linear.flips).toBe(flips);
    expect(neuronPageData(i).flips).toBeNull();
    expect(linear.counted).toBe(500);
  });

  it('takes a fixed sample for large N within the frame budget, and says so', () => {
    const big = input(20_000, [1, 2, -1], 0.5, [1, 2, -1], 0.5);
    const a = neuronPageData({ ...big, budget: 30_000 });
    const b = neuronPageData({ ...big, budget: 30_000 });
    expect(a.counted).toBeLessThan(20_000);
    expect(a.counted).toBeGreaterThanOrEqual(2000);
    expect(a.curvature.rows).toBeLessThan(a.counted); // H costs more a row than z
    expect(a.curvature).toEqual(b.curvature);
    expect(a.sample.z.length).toBe(2000);
    const exact = neuronPageData(big);
    expect(exact.counted).toBe(20_000);
    expect(Math.abs(a.curvature.lambdaMax - exact.curvature.lambdaMax) / exact.curvature.lambdaMax).toBeLessThan(0.15);
    expect(frame(<Gradients data={a} width={60} height={8} colors={colors} />)).toContain(`≈ from ${a.counted.toLocaleString('en-US')} rows`);
    expect(frame(<StepSize data={a} learningRate={0.1} width={60} height={10} colors={colors} />)).toContain(
      `≈ from ${a.curvature.rows.toLocaleString('en-US')} rows`,
    );
    expect(frame(<StepSize data={exact} learningRate={0.1} width={60} height={10} colors={colors} />)).not.toContain('≈');
  });
});

describe('neuronPageData on a sample', () => {
  it('counts flips on the same sampled rows that sidesAt gives', () => {
    const big = { ...input(20_000, [1, 2, -1], 0.5, [1, 2, -1], 0.5), budget: 30_000 };
    const same = neuronPageData({ ...big, previousSides: sidesAt(big, { w: [1, 2, -1], b: 0.5 }) });
    expect(same.flips).toBe(0);
    const moved = neuronPageData({ ...big, previousSides: sidesAt(big, { w: [1, 2, -1], b: 0.2 }) });
    expect(moved.sides.length).toBe(moved.counted);
    // Lowering b by 0.3 only turns rows off: the flips are the rows active now with z ≤ 0.3.
    expect(moved.flips).toBeGreaterThan(0);
    expect(moved.flips).toBeLessThan(moved.active);
    expect(moved.flips).toBe(same.active - neuronPageData({ ...big, bias: 0.2 }).active);
  });
});

describe('Fit', () => {
  it('puts every inactive row (prediction 0) on one line of ∘ marks, and draws the diagonal', () => {
    const plot = fitPlot(linear, 40, 12);
    const text = plot.lines.map((runs) => runs.map((r) => r.text).join(''));
    const rowsWithOther = text.map((line, r) => (line.includes(OTHER_MARK) ? r : -1)).filter((r) => r >= 0);
    expect(rowsWithOther.length).toBe(1);
    const zeroRow = Math.min(11, Math.floor((1 - (0 - plot.y.min) / (plot.y.max - plot.y.min)) * 12));
    expect(rowsWithOther[0]).toBe(zeroRow);
    expect(text.join('').includes(LINE_MARK)).toBe(true);
    expect(plot.x).toEqual({ name: 'target', min: plot.y.min, max: plot.y.max });
  });

  it('for one feature: target against the feature, inactive rows left of the kink, relu(w·x + b) as a line', () => {
    const one = page(400, [1], 0, [1], 0);
    const plot = fitPlot(one, 40, 10);
    const text = plot.lines.map((runs) => runs.map((r) => r.text).join(''));
    // z = x: rows with x ≤ 0 are inactive and sit in the left half of the x range.
    const kinkColumn = Math.floor(((0 - plot.x.min) / (plot.x.max - plot.x.min)) * 40);
    for (const line of text) {
      const last = line.lastIndexOf(OTHER_MARK);
      if (last >= 0) expect(last).toBeLessThanOrEqual(kinkColumn);
    }
    expect(plot.line).toBe('relu(w·x + b)');
    // The line is flat at 0 left of the kink: the bottom row carries line marks there.
    expect(text[text.length - 1].slice(0, Math.max(0, kinkColumn - 1)).replaceAll(OTHER_MARK, LINE_MARK)).toMatch(/^[·⠀-⣿ ]*·/);
    const f = frame(<Fit data={one} width={50} height={16} colors={colors} />);
    expect(f).toContain('fit: target vs f1');
    expect(f).toContain('relu(w·x + b)');
  });

  it('renders within its size at a fixed width', () => {
    const f = frame(<Fit data={linear} width={50} height={16} colors={colors} />);
    const lines = f.split('\n');
    expect(lines.length).toBe(16);
    expect(lines.every((l) => columns(l) === 50)).toBe(true);
    expect(f).toContain('fit: prediction vs target');
    expect(f).toContain(`${linear.sample.z.length} of 500 rows`);
  });
});

describe('Gradients', () => {
  it('lists weights by feature name, then the bias, with ∂C/∂θ beside each', () => {
    expect(gradientRows(linear).map((r) => r.name)).toEqual(['f1', 'f2', 'f3', 'bias']);
    const f = frame(<Gradients data={linear} width={60} height={8} colors={colors} />);
    for (let j = 0; j < 3; j++) expect(f).toContain(formatNumber(linear.gradient.weights[j], 3));
    expect(f).toContain(formatNumber(linear.gradient.bias, 3));
    expect(f).toContain('∂C/∂θ');
  });

  it('puts the largest |∂C/∂θ| first with many features, and says how many are left out', () => {
    const wide = page(300, [1, -1, 0.5, 0.2, 0, 0.3, -0.4, 0.8, 0.1, 0.6], 0.5, Array(10).fill(0.1), 0.5);
    const rows = gradientRows(wide);
    for (let k = 1; k < rows.length; k++) expect(Math.abs(rows[k].gradient)).toBeLessThanOrEqual(Math.abs(rows[k - 1].gradient));
    const lines = gradientLines(wide, 58, 6);
    expect(lines.length).toBe(6);
    expect(lines[5]).toBe('… 7 more, with smaller |∂C/∂θ|');
    expect(lines[1].startsWith(rows[0].name)).toBe(true);
  });

  it('draws negative values left of │ and positive right, in proportion', () => {
    expect(signedBar(-1, 1, 9)).toBe('████│    ');
    expect(signedBar(0.5, 1, 9)).toBe('    │██  ');
    expect(signedBar(0, 1, 9)).toBe('    │    ');
    expect(signedBar(5, 0, 9)).toBe('    │    ');
  });
});

describe('Kink', () => {
  it('bins z around 0 with the kink between the middle bins: z = 0 is inactive', () => {
    const h = zHistogram([-2, -0.5, 0, 0, 1e-9, 0.5, 2, 100, -100, 0.99], 4);
    // The range is the 95% quantile of |z|: 100 here (10 values).
    expect(h.range).toBe(100);
    // (−100, −50] (−50, 0] | (0, 50] (50, 100]; −100 is outside the half-open range.
    expect(h.counts).toEqual([0, 4, 4, 1]);
    expect(h.below).toBe(1);
    expect(h.counts.reduce((s, c) => s + c, 0) + h.below + h.above).toBe(10);
    const narrow = zHistogram(
      Array.from({ length: 100 }, (_, k) => k - 49.5),
      10,
    );
    // |z| = 0.5, 0.5, 1.5, 1.5, …: the value at index 95 of 100 is 47.5; (−47.5, 47.5] holds 95 rows.
    expect(narrow.range).toBe(47.5);
    expect([narrow.below, narrow.above]).toEqual([3, 2]);
    expect(narrow.counts.reduce((s, c) => s + c, 0)).toBe(95);
  });

  it('shows flips in the last epoch, rows at the kink and the dead share', () => {
    const f = frame(<Kink data={linear} width={50} height={16} colors={colors} />);
    expect(f).toContain(`changed side last epoch ${linear.flips}`);
    expect(f).toContain(`at the kink ${linear.nearKink}`);
    const inactive = 500 - linear.active;
    expect(f).toContain(`dead share ${((inactive / 500) * 100).toFixed(1)}% (${inactive} of 500 rows inactive)`);
    expect(f.split('\n').length).toBe(16);
  });
});

describe('StepSize', () => {
  const limit = linear.curvature.lrLimit as number;

  it('shows λmax, λmin, the condition number, the limit and the fastest rate', () => {
    const f = frame(<StepSize data={linear} learningRate={limit / 10} width={60} height={10} colors={colors} />);
    expect(f).toContain(`λmax ${formatNumber(linear.curvature.lambdaMax)}`);
    expect(f).toContain(`λmin ${formatNumber(linear.curvature.lambdaMin)}`);
    expect(f).toContain(`condition ${formatNumber(linear.curvature.condition)}`);
    expect(f).toContain(`limit 2/λmax = ${formatNumber(limit)}`);
    expect(f).toContain(`fastest 2/(λmax + λmin) = ${formatNumber(linear.curvature.lrFastest)}`);
    expect(f).toContain('= 0.1 × limit');
    expect(f).not.toContain('⚠');
  });

  it('warns when the rate is above the limit, and before + would pass it', () => {
    expect(rateWarnings(limit / 10, limit)).toEqual([]);
    expect(rateWarnings(0.6 * limit, limit)[0]).toMatchObject({ severe: false });
    expect(rateWarnings(0.6 * limit, limit)[0].text).toMatch(/^Pressing \+ would double the rate to .*, past the limit/);
    expect(rateWarnings(1.01 * limit, limit)[0]).toMatchObject({ severe: true });
    expect(rateWarnings(1.01 * limit, limit)[0].text).toMatch(/is above the limit .*: each step overshoots further/);
    expect(rateWarnings(0.1, null)[0].text).toMatch(/No row is active/);
    const f = frame(<StepSize data={linear} learningRate={1.2 * limit} width={60} height={10} colors={colors} />);
    expect(f).toContain('⚠ The rate');
    expect(f.split('\n').length).toBe(10);
  });

  it('places the rate, the fastest rate and the limit on one scale', () => {
    const scale = rateScale(0.2, 0.5, 1, 31); // 0 … 1.5: cell = v / 1.5 · 30
    expect(scale.indexOf('●')).toBe(4);
    expect(scale.indexOf('◆')).toBe(10);
    expect(scale.indexOf('┃')).toBe(20);
    expect(rateScale(2, 0.5, 1, 31).endsWith('▶')).toBe(true);
    expect(rateScale(0.2, null, null, 31)).toBe('');
  });
});

describe('NeuronPage', () => {
  it('matches its snapshot at 100 × 32', () => {
    expect(frame(<NeuronPage data={linear} learningRate={0.05} width={100} height={32} colors={colors} />)).toMatchSnapshot();
  });

  it('is never taller than the terminal', () => {
    for (const [width, height] of [
      [100, 32],
      [80, 24],
      [60, 20],
      [140, 50],
    ]) {
      const lines = frame(<NeuronPage data={linear} learningRate={0.05} width={width} height={height} colors={colors} />).split('\n');
      expect(lines.length).toBeLessThanOrEqual(height);
      expect(Math.max(...lines.map(columns))).toBeLessThanOrEqual(width);
    }
  });

  it('has a compact form below 60 columns, with the warning', () => {
    const limit = linear.curvature.lrLimit as number;
    const f = frame(<NeuronPage data={linear} learningRate={0.6 * limit} width={50} height={30} colors={colors} />);
    expect(f).not.toContain('╭');
    expect(f).toContain(`active ${linear.active}/500`);
    expect(f).toContain(`limit ${formatNumber(limit)}`);
    expect(f).toContain('⚠ Pressing + would double the rate');
    expect(Math.max(...f.split('\n').map(columns))).toBeLessThanOrEqual(50);
  });

  for (const file of readdirSync(join(ROOT, 'configs')).filter((f) => f.endsWith('.yaml'))) {
    it(`fits every size on configs/${file} after 5 epochs`, () => {
      const loaded = loadConfig(join(ROOT, 'configs', file));
      const dataset = loadDataset(loaded);
      let t = 0;
      const trainer = new Trainer(loaded.config, dataset, { clock: () => t++ });
      for (let e = 0; e < 5 && trainer.status === null; e++) trainer.runEpoch();
      const data = neuronPageData({
        rows: dataset.train,
        d: dataset.d,
        features: dataset.features,
        weights: trainer.w,
        bias: trainer.b,
        previousSides: null,
        seed: loaded.config.seed,
      });
      for (const [width, height] of [
        [100, 32],
        [60, 20],
        [59, 20],
        [40, 12],
      ]) {
        const lines = frame(<NeuronPage data={data} learningRate={trainer.learningRate} width={width} height={height} colors={colors} />).split('\n');
        expect(lines.length).toBeLessThanOrEqual(height);
        expect(Math.max(...lines.map(columns))).toBeLessThanOrEqual(width);
      }
    });
  }
});
