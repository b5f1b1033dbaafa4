import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { press } from './keys.js';
import { formatNumber } from '../../src/format.js';
import { TrainingControl } from '../../src/train/control.js';
import type { EpochEvent } from '../../src/train/events.js';
import { Trainer } from '../../src/train/trainer.js';
import { App } from '../../src/tui/App.js';
import { neuronPageData } from '../../src/tui/neuron/data.js';
import type { NeuronSource } from '../../src/tui/neuronSource.js';
import { palette } from '../../src/tui/palette.js';
import { MetricsStore } from '../../src/tui/store.js';
import { config, dataset, randomRows } from '../helpers.js';

const NO_COLOR = palette(false);

/** 1 ms per reading: the same frames on every machine. */
function fakeClock(): () => number {
  let t = 0;
  return () => (t += 1);
}

/** z = w·x + b > 0, computed here from the definition (DESIGN.md: z = 0 counts as inactive). */
function side(x: Float64Array, d: number, i: number, w: ArrayLike<number>, b: number): boolean {
  let z = b;
  for (let j = 0; j < d; j++) z += w[j] * x[i * d + j];
  return z > 0;
}

/**
 * A run on this thread, its store filled as the dashboard's is (every epoch, then the parameters
 * with what the epoch started from), until the first epoch in which some row changed side.
 */
function runUntilAFlip(overrides: Parameters<typeof config>[0] = {}, lastEpoch?: number) {
  const d = 2;
  const train = randomRows(300, d, 11, (x) => Math.max(0, 0.5 + x[0] - 2 * x[1]));
  const cfg = config({ epochs: 1000, learning_rate: 0.3, seed: 3, ...overrides });
  const data = dataset(train, d);
  const control = new TrainingControl();
  let factorRead = 1;
  const trainer = new Trainer(cfg, data, { clock: fakeClock(), rateFactor: () => (factorRead = control.rateFactor) });
  const store = new MetricsStore(trainer.startEvent(), 'configs/test.yaml', trainer.revived);
  let flips = 0;
  let event: EpochEvent | null = null;
  let before: { w: Float64Array; b: number } = { w: Float64Array.from(trainer.w), b: trainer.b };
  const epoch = (): void => {
    before = { w: Float64Array.from(trainer.w), b: trainer.b };
    event = trainer.runEpoch();
    store.push(event);
    const entering = trainer.enteringParameters;
    store.parameters(trainer.w, trainer.b, { weights: entering.w, bias: entering.b, rateFactor: factorRead });
  };
  while (lastEpoch === undefined ? flips === 0 && trainer.epoch < 200 : trainer.epoch < lastEpoch) {
    epoch();
    flips = 0;
    for (let i = 0; i < train.n; i++) if (side(train.x, d, i, before.w, before.b) !== side(train.x, d, i, trainer.w, trainer.b)) flips++;
  }
  const source: NeuronSource = { rows: train, d, features: data.features, l2: 0, seed: cfg.seed };
  return { trainer, store, control, source, flips, before: () => before, epoch, event: () => event! };
}

function app(run: ReturnType<typeof runUntilAFlip>, width = 100, height = 32) {
  return render(
    <App store={run.store} control={run.control} colors={NO_COLOR} onQuit={() => {}} size={{ width, height }} clock={fakeClock()} neuron={run.source} />,
  );
}

describe('the neuron page in the live dashboard', () => {
  it('tab switches training ⇄ neuron; the page shows this run: its flips counted here, its λmax, its weights', async () => {
    const run = runUntilAFlip();
    expect(run.flips).toBeGreaterThan(0); // the run has an epoch in which rows changed side
    const ink = app(run);
    expect(ink.lastFrame()).toContain('weight norm ‖w‖');
    expect(ink.lastFrame()).toContain('training page · tab neuron');

    await press(ink, '\t');
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('step size'));
    const page = ink.lastFrame()!;
    expect(page).not.toContain('weight norm ‖w‖');
    expect(page).toContain('neuron page · tab training');
    // Flips in the last epoch: the sides before it against after it, counted above from z's definition.
    expect(page).toContain(`changed side last epoch ${run.flips} ·`);
    // λmax of H at the run's current parameters (the page's own computation, fed the trainer's parameters).
    const expected = neuronPageData({
      rows: run.source.rows,
      d: 2,
      features: run.source.features,
      weights: run.trainer.w,
      bias: run.trainer.b,
      previousSides: null,
      seed: run.source.seed,
    });
    expect(page).toContain(`λmax ${formatNumber(expected.curvature.lambdaMax)}`);
    expect(page).toContain(formatNumber(run.trainer.w[0]));
    expect(page).toMatch(new RegExp(`epoch +${run.trainer.epoch}/1000`)); // the header and progress stay
    expect(page.split('\n').length).toBeLessThan(32);

    await press(ink, '\t');
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('weight norm ‖w‖'));
    expect(ink.lastFrame()).not.toContain('step size');
    ink.unmount();
  });

  it('follows the run: after another epoch the page shows the new flips and parameters', async () => {
    const run = runUntilAFlip();
    const ink = app(run);
    await press(ink, '\t');
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('step size'));
    run.epoch();
    let flips = 0;
    for (let i = 0; i < run.source.rows.n; i++) {
      if (side(run.source.rows.x, 2, i, run.before().w, run.before().b) !== side(run.source.rows.x, 2, i, run.trainer.w, run.trainer.b)) flips++;
    }
    await press(ink, 'l'); // any key redraws at once (the frame timer would too)
    await vi.waitFor(() => expect(ink.lastFrame()).toContain(`changed side last epoch ${flips} ·`));
    expect(ink.lastFrame()).toContain(`bias ${formatNumber(run.trainer.b)}`);
    ink.unmount();
  });

  it('below 60 columns the page is compact, and still says which page it is', async () => {
    const run = runUntilAFlip();
    const ink = app(run, 50, 30);
    await press(ink, '\t');
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('λmax'));
    const text = ink.lastFrame()!;
    expect(text).toContain(`flips ${run.flips}`);
    expect(text).toContain('neuron page (tab) · q quit');
    expect(text).not.toContain('╭');
    expect(Math.max(...text.split('\n').map((l) => l.length))).toBeLessThanOrEqual(50);
    ink.unmount();
  });

  it('without the training rows (as in a replay) the page says what it needs', async () => {
    const run = runUntilAFlip();
    const ink = render(
      <App store={run.store} control={run.control} colors={NO_COLOR} onQuit={() => {}} size={{ width: 100, height: 32 }} clock={fakeClock()} />,
    );
    await press(ink, '\t');
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('it needs the training rows'));
    ink.unmount();
  });
});

describe('training options on the dashboard', () => {
  it('the header names optimizer and schedule; the rate shown is the one used, also after + with a schedule', async () => {
    // step: η·0.5^⌊(e−1)/10⌋, so epochs 21–30 use 0.1 · 0.25 = 0.025.
    const run = runUntilAFlip(
      {
        learning_rate: 0.1,
        optimizer: { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
        schedule: { type: 'step', every: 10, factor: 0.5, warmup_epochs: 0 },
      },
      25,
    );
    const ink = app(run);
    expect(ink.lastFrame()).toContain('adam, learning rate 0.025 (step), batch full, seed 3');
    expect(ink.lastFrame()).toMatch(/lr 0\.025 {2}[▁▂▃▄▅▆▇█]+ {2}0\.025 … 0\.1 over epochs 1–25/);

    await press(ink, '+');
    // The next epoch will use 0.025 × 2 (not the configured 0.1 × 2).
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('adam, learning rate 0.05 (step), × 2 by +/-'));
    run.epoch(); // epoch 26 ran with the factor 2: its learning_rate is 0.05 already
    expect(run.event().learning_rate).toBe(0.05);
    await press(ink, 'l');
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('lr 0.05 '));
    expect(ink.lastFrame()).toContain('adam, learning rate 0.05 (step), × 2 by +/-');
    ink.unmount();
  });

  it('the numbers show R² beside the loss, and beside val_loss', () => {
    const d = 2;
    const all = randomRows(300, d, 11, (x) => Math.max(0, 0.5 + x[0] - 2 * x[1]));
    const train = { x: all.x.subarray(0, 240 * d), y: all.y.subarray(0, 240), n: 240 };
    const validation = { x: all.x.subarray(240 * d), y: all.y.subarray(240), n: 60 };
    const trainer = new Trainer(config({ epochs: 100, learning_rate: 0.1 }), dataset(train, d, validation), { clock: fakeClock() });
    const store = new MetricsStore(trainer.startEvent(), 'configs/test.yaml');
    let event = trainer.runEpoch();
    for (let k = 0; k < 30; k++) store.push((event = trainer.runEpoch()));
    const ink = render(
      <App
        store={store}
        control={new TrainingControl()}
        colors={NO_COLOR}
        onQuit={() => {}}
        size={{ width: 100, height: 32 }}
        clock={fakeClock()}
        interactive={false}
      />,
    );
    const line = ink
      .lastFrame()!
      .split('\n')
      .find((l) => l.startsWith('loss '))!;
    expect(event.r2).not.toBeNull();
    expect(line).toContain(
      `loss ${formatNumber(event.loss)} R² ${formatNumber(event.r2, 3)}  val_loss ${formatNumber(event.val_loss)} R² ${formatNumber(event.val_r2, 3)}`,
    );
    ink.unmount();
  });
});
