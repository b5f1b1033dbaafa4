import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { EpochEvent } from '../../src/train/events.js';
import { Header } from '../../src/tui/Header.js';
import { weightsLine } from '../../src/tui/Numbers.js';
import { colorEnabled, palette } from '../../src/tui/palette.js';
import { Progress, progressBar } from '../../src/tui/Progress.js';
import { Starting } from '../../src/tui/Starting.js';
import { MetricsStore, type MetricsView } from '../../src/tui/store.js';
import { warningsFor } from '../../src/tui/Warnings.js';
import { ROOT } from '../helpers.js';

const start = {
  type: 'start' as const,
  config: {
    name: 'demo',
    data: { validation_split: 0.2, standardize: false, missing: 'error' as const },
    learning_rate: 0.05,
    epochs: 200,
    batch_size: 32,
    shuffle: true,
    seed: 7,
    init: { distribution: 'normal' as const, scale: 0.1, bias: 0.1 },
    log_every: 1,
  },
  dataset: { train: 80, validation: 20, features: ['a', 'b'], target: 't', source: 'data/d.csv', skipped: 3 },
};

function epoch(k: number, overrides: Partial<EpochEvent> = {}): EpochEvent {
  return {
    type: 'epoch',
    epoch: k,
    loss: 1 / k,
    val_loss: 1.1 / k,
    active_ratio: 0.8,
    val_active_ratio: 0.75,
    weight_norm: 1,
    bias: 0.2,
    grad_norm: 0.1,
    learning_rate: 0.05,
    r2: 0.9,
    val_r2: 0.85,
    elapsed_ms: k * 10,
    ...overrides,
  };
}

function view(epochs: EpochEvent[], state: { paused?: boolean; learningRate?: number; rateFactor?: number } = {}): MetricsView {
  const store = new MetricsStore(start, 'configs/demo.yaml');
  store.parameters([0.1, 0.2], 0.2);
  store.tick(0, false); // first frame: starts the rate clock
  for (const e of epochs) store.push(e);
  store.tick(500, state.paused ?? false); // the next frame, 500 ms later
  return store.view({ paused: state.paused ?? false, learningRate: state.learningRate ?? 0.05, rateFactor: state.rateFactor });
}

const text = (element: React.JSX.Element): string => {
  const { lastFrame, unmount } = render(element);
  const frame = lastFrame() ?? '';
  unmount();
  return frame;
};

describe('Header', () => {
  it('names the run, the data, rows and features, skipped rows, optimizer, learning rate, batch and seed', () => {
    const frame = text(<Header view={view([])} colors={palette(false)} />);
    expect(frame).toBe(
      'neuron-tui · demo configs/demo.yaml\ndata/d.csv · 80 + 20 val rows (3 skipped) × 2 features → t\nsgd, learning rate 0.05, batch 32, seed 7',
    );
  });

  it('shows a learning rate changed with + and -, with the factor', () => {
    expect(text(<Header view={view([], { learningRate: 0.1, rateFactor: 2 })} colors={palette(false)} />)).toContain(
      'sgd, learning rate 0.1, × 2 by +/-, batch 32',
    );
  });
});

describe('Starting', () => {
  it("is the header's first line, and says what happens until the run's first event", () => {
    const frame = text(<Starting name="demo" configPath="configs/demo.yaml" colors={palette(false)} />);
    expect(frame).toBe('neuron-tui · demo configs/demo.yaml\nloading the data and starting the training thread…');
    expect(frame.split('\n')[0]).toBe(text(<Header view={view([])} colors={palette(false)} />).split('\n')[0]);
  });
});

describe('Progress', () => {
  it('shows epoch, bar, elapsed, ETA and epochs per second', () => {
    const frame = text(<Progress view={view([epoch(1), epoch(50)])} colors={palette(false)} width={100} />);
    // 50 epochs between two frames 500 ms apart: 100 epochs per second, 150 to go: 1.5 s.
    expect(frame).toMatch(/^epoch  50\/200 █{9}░{27}  500 ms elapsed  ETA 1\.5 s  100 ep\/s  ● running$/);
  });

  it('bars fill in proportion', () => {
    expect(progressBar(0, 10)).toBe('░'.repeat(10));
    expect(progressBar(0.5, 10)).toBe('█'.repeat(5) + '░'.repeat(5));
    expect(progressBar(1.5, 10)).toBe('█'.repeat(10));
  });
});

describe('MetricsStore', () => {
  it('view is pure: frames read the store, only tick measures the rate', () => {
    const store = new MetricsStore(start, 'configs/demo.yaml');
    store.tick(0, false);
    for (let k = 1; k <= 50; k++) store.push(epoch(k));
    const before = store.view({ paused: false, learningRate: 0.05 });
    expect(store.view({ paused: false, learningRate: 0.05 })).toEqual(before);
    expect(before.epochsPerSecond).toBeNull();
    store.tick(500, false);
    expect(store.view({ paused: false, learningRate: 0.05 }).epochsPerSecond).toBe(100);
  });

  it('time spent paused does not count in epochs per second', () => {
    const store = new MetricsStore(start, 'configs/demo.yaml');
    store.tick(0, false);
    for (let k = 1; k <= 50; k++) store.push(epoch(k));
    store.tick(500, false); // 100 ep/s
    store.tick(600, true); // paused for ten seconds
    store.tick(10_600, false); // resumed: the measurement starts again here
    for (let k = 51; k <= 100; k++) store.push(epoch(k));
    store.tick(11_100, false);
    expect(store.view({ paused: false, learningRate: 0.05 }).epochsPerSecond).toBe(100);
  });
});

describe('weights line', () => {
  it('puts names beside weights and ends with an ellipsis and a count when they do not fit', () => {
    expect(weightsLine(['a', 'b'], [1.5, -2], 0.25, 80)).toBe('bias 0.25  w a 1.5 b -2');
    const many = Array.from({ length: 30 }, (_, j) => j + 0.5);
    const line = weightsLine(
      many.map((_, j) => `feature_${j}`),
      many,
      1,
      60,
    );
    expect(line.length).toBeLessThanOrEqual(60);
    expect(line).toMatch(/ … \+\d+ more$/);
  });
});

describe('warnings', () => {
  it('warns when the active ratio collapses towards 0', () => {
    expect(warningsFor(view([epoch(1, { active_ratio: 0.04 })]))[0].text).toMatch(/^Only 4\.0% of rows are active/);
    expect(warningsFor(view([epoch(1, { active_ratio: 0.5 })]))).toEqual([]);
  });
});

describe('colour', () => {
  it('follows NO_COLOR and FORCE_COLOR, else the terminal', () => {
    expect(colorEnabled({}, true)).toBe(true);
    expect(colorEnabled({}, false)).toBe(false);
    expect(colorEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorEnabled({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorEnabled({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(palette(false).train).toBeUndefined();
  });
});

describe('the headless path', () => {
  it('never loads Ink: no module that `run --json` loads up front imports it', () => {
    // dist/cli.js and the chunks it imports statically; Ink may only sit behind a dynamic import().
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(join(ROOT, 'dist', file), 'utf8');
      expect(source).not.toMatch(/from ["'](ink|react)["']/);
      for (const [, next] of source.matchAll(/^import[^;]*?from ["']\.\/([^"']+)["']/gm)) visit(next);
      for (const [, next] of source.matchAll(/^import ["']\.\/([^"']+)["']/gm)) visit(next);
    };
    visit('cli.js');
    const run = readFileSync(
      join(ROOT, 'dist', [...readFileSync(join(ROOT, 'dist/cli.js'), 'utf8').matchAll(/import\(["']\.\/(run-[^"']+)["']\)/g)][0][1]),
      'utf8',
    );
    for (const [, next] of run.matchAll(/^import[^;]*?from ["']\.\/([^"']+)["']/gm)) visit(next);
    expect(seen.size).toBeGreaterThan(1);
  });
});
