import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { press } from './keys.js';
import { TrainingControl } from '../../src/train/control.js';
import type { EpochEvent, StartEvent } from '../../src/train/events.js';
import { startRun } from '../../src/train/session.js';
import { App } from '../../src/tui/App.js';
import { Dashboard } from '../../src/tui/Dashboard.js';
import { KEYS } from '../../src/tui/Help.js';
import { palette } from '../../src/tui/palette.js';
import { DebiasedEma } from '../../src/tui/series.js';
import { MetricsStore, type Smoothing } from '../../src/tui/store.js';
import { safeText, wrapWords } from '../../src/tui/text.js';
import { config, dataset, randomRows } from '../helpers.js';

const NO_COLOR = palette(false);

function startEvent(overrides: { epochs?: number; name?: string; features?: string[]; validation?: number; batch?: 'full' | number } = {}): StartEvent {
  return {
    type: 'start',
    config: config({ name: overrides.name ?? 'truth', epochs: overrides.epochs ?? 100, batch_size: overrides.batch ?? 'full' }),
    dataset: { train: 100, validation: overrides.validation ?? 0, features: overrides.features ?? ['a', 'b'], target: 'y', source: 'test.csv', skipped: 0 },
  };
}

function epoch(k: number, loss: number, valLoss: number | null = null): EpochEvent {
  return {
    type: 'epoch',
    epoch: k,
    loss,
    val_loss: valLoss,
    active_ratio: 0.9,
    val_active_ratio: valLoss === null ? null : 0.8,
    weight_norm: 1,
    bias: 0,
    grad_norm: 0.1,
    learning_rate: 0.1,
    r2: null,
    val_r2: null,
    elapsed_ms: k,
  };
}

function frame(store: MetricsStore, options: { smoothing?: Smoothing; width?: number; height?: number; log?: boolean } = {}): string {
  const view = store.view({ paused: false, learningRate: 0.1 }, options.smoothing ?? 0);
  const { lastFrame, unmount } = render(
    <Dashboard view={view} width={options.width ?? 120} height={options.height ?? 40} logScale={options.log ?? false} colors={NO_COLOR} />,
  );
  const text = lastFrame() ?? '';
  unmount();
  return text;
}

/** The loss chart's y labels, top to bottom. */
function lossLabels(text: string): number[] {
  const lines = text.split('\n');
  const top = lines.findIndex((l) => l.includes('loss') && l.includes('━ train'));
  const labels: number[] = [];
  for (const line of lines.slice(top + 1)) {
    const match = /^│\s*([-\d.e]+) ┤/.exec(line);
    if (!match) break;
    labels.push(Number(match[1]));
  }
  return labels;
}

/** A clock tests move by hand, and a sleep that moves it. */
function manualTime() {
  const time = { now: 0 };
  return { time, clock: () => time.now, sleep: async (ms: number) => void (time.now += ms) };
}

describe('pace', () => {
  function pacedRun(pace: number, epochs: number) {
    const train = randomRows(50, 2, 3, (x) => Math.max(0, 1 + x[0]));
    const control = new TrainingControl();
    control.setPace(pace);
    const { clock, sleep } = manualTime();
    const times: number[] = [];
    const done = startRun({
      config: config({ epochs, learning_rate: 0.05 }),
      dataset: dataset(train, 2),
      threads: 1,
      views: [{ everyEpoch: (e) => times.push(e.elapsed_ms) }],
      thread: 'main',
      control,
      clock,
      sleep,
    });
    return { done, times, control };
  }

  it('plays epochs at the set rate: epoch k starts (k − 1)/pace seconds in', async () => {
    const { done, times } = pacedRun(20, 30);
    const { end } = await done;
    expect(end.epochs).toBe(30);
    // The clock moves only while the pace waits: each epoch ends 50 ms after the one before.
    expect(times.map((t, k) => t - 50 * k)).toEqual(new Array(30).fill(0));
  });

  it('> doubles, < halves, f goes full speed; the header shows the pace', async () => {
    const store = new MetricsStore(startEvent(), 'configs/t.yaml');
    const control = new TrainingControl();
    control.setPace(20);
    const ink = render(<App store={store} control={control} colors={NO_COLOR} onQuit={() => {}} size={{ width: 120, height: 40 }} />);
    expect(ink.lastFrame()).toContain('· pace 20 ep/s');
    await press(ink, '>');
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('· pace 40 ep/s'));
    await press(ink, '<');
    await press(ink, '<');
    await vi.waitFor(() => expect(control.pace).toBe(10));
    await press(ink, 'f');
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('· pace max'));
    expect(control.pace).toBe(0);
    ink.unmount();
  });
});

describe('charts that keep the truth', () => {
  it('a single spike in 1e5 epochs stays on the axis and in its column', () => {
    const store = new MetricsStore(startEvent({ epochs: 100_000 }), 'c.yaml');
    for (let k = 1; k <= 100_000; k++) store.push(epoch(k, k === 31_337 ? 1000 : 1 + 1 / k));
    const text = frame(store);
    expect(Math.max(...lossLabels(text))).toBe(1000);
    // Its column reaches the top row of the chart (as the ╎ extent of a bucket's maximum).
    const topRow = text.split('\n').find((l) => /^│\s*1000 ┤/.test(l))!;
    expect(topRow).toMatch(/[╎│╭╮╯╰─]/u);
  });

  it('the y-range covers the first loss, far above the later ones', () => {
    const store = new MetricsStore(startEvent({ epochs: 1000 }), 'c.yaml');
    for (let k = 1; k <= 1000; k++) store.push(epoch(k, k === 1 ? 20.2 : 0.28));
    expect(lossLabels(frame(store))[0]).toBe(20.2);
  });

  it('an epoch axis under each chart: first, middle and last epoch', () => {
    const store = new MetricsStore(startEvent({ epochs: 1000 }), 'c.yaml');
    for (let k = 1; k <= 600; k++) store.push(epoch(k, 1 / k));
    const text = frame(store);
    expect(text.match(/epoch {2}1 +301 +600│/g)).toHaveLength(3); // loss; weight norm and active ratio side by side
  });

  it('marks the best epoch on the loss chart and names the loss it is', () => {
    const store = new MetricsStore(startEvent({ validation: 20 }), 'c.yaml');
    for (let k = 1; k <= 80; k++) store.push(epoch(k, 1 / k, k === 40 ? 0.001 : 0.5));
    const text = frame(store);
    expect(text).toContain('◆ best val_loss @ 40');
    expect(text).toContain('best val_loss 0.001 @ epoch 40');
    expect(text.split('\n').filter((l) => l.includes('◆'))).toHaveLength(2); // the legend and the mark
  });

  it('a short run is stretched over the width; non-finite epochs are gaps marked ×', () => {
    const store = new MetricsStore(startEvent({ epochs: 10 }), 'c.yaml');
    for (let k = 1; k <= 10; k++) store.push(epoch(k, k === 6 ? NaN : 10 - k));
    const rows = frame(store).split('\n');
    const bottom = rows[rows.findIndex((l) => l.includes('epoch  1')) - 1];
    expect(bottom).toContain('×');
    const plotted = rows.filter((l) => /┤/.test(l)).slice(0, 12);
    const lastColumn = Math.max(...plotted.map((l) => l.search(/[─╮╯╰╭│]\s*│$/)));
    expect(lastColumn).toBeGreaterThan(100); // the line reaches the right edge of a 120-column chart
  });

  it('validation is dotted: told apart from training without colour', () => {
    const store = new MetricsStore(startEvent({ validation: 20 }), 'c.yaml');
    for (let k = 1; k <= 50; k++) store.push(epoch(k, 2 / k, 4 / k));
    const text = frame(store);
    expect(text).toMatch(/[┄┆┐└┘┌]/);
    expect(text).toMatch(/[─│╮╰╯╭]/);
  });
});

describe('smoothing', () => {
  it("is TensorBoard's debiased EMA, checked by hand", () => {
    const ema = new DebiasedEma(0.6);
    // last = 0.6·last + 0.4·v; shown = last / (1 − 0.6^k)
    expect(ema.push(1)).toBeCloseTo(0.4 / 0.4, 14);
    expect(ema.push(2)).toBeCloseTo((0.6 * 0.4 + 0.8) / (1 - 0.36), 14);
    expect(ema.push(3)).toBeCloseTo((0.6 * 1.04 + 1.2) / (1 - 0.216), 14);
    expect(ema.push(NaN)).toBeNaN(); // passes through, as in TensorBoard
    expect(ema.push(3)).toBeCloseTo((0.6 * 1.824 + 1.2) / (1 - 0.6 ** 4), 14);
  });

  it('the store keeps the smoothed loss per epoch; m cycles off → 0.6 → 0.9 → 0.99; mini-batch starts at 0.6', async () => {
    const store = new MetricsStore(startEvent(), 'c.yaml');
    [1, 2, 3].forEach((v, k) => store.push(epoch(k + 1, v)));
    const smoothed = store.view({ paused: false, learningRate: 0.1 }, 0.6).history.smoothed!.loss.map((b) => b.value);
    expect(smoothed[2]).toBeCloseTo(1.824 / 0.784, 12);
    expect(store.defaultSmoothing).toBe(0);
    expect(new MetricsStore(startEvent({ batch: 10 }), 'c.yaml').defaultSmoothing).toBe(0.6);

    const ink = render(<App store={store} control={new TrainingControl()} colors={NO_COLOR} onQuit={() => {}} size={{ width: 120, height: 40 }} />);
    for (const weight of ['0.6', '0.9', '0.99']) {
      await press(ink, 'm');
      await vi.waitFor(() => expect(ink.lastFrame()).toContain(`loss · smoothed ${weight}`));
    }
    await press(ink, 'm');
    await vi.waitFor(() => expect(ink.lastFrame()).not.toContain('smoothed'));
    ink.unmount();
  });
});

describe('honest timing', () => {
  it('paused time counts nowhere: not in elapsed_ms, so not in the ETA or the rate either', async () => {
    const train = randomRows(50, 2, 3, (x) => Math.max(0, 1 + x[0]));
    const control = new TrainingControl();
    const time = { now: 0 };
    const elapsed: number[] = [];
    const { end } = await startRun({
      config: config({ epochs: 10, learning_rate: 0.05 }),
      dataset: dataset(train, 2),
      threads: 1,
      thread: 'main',
      control,
      clock: () => (time.now += 1), // 1 ms per reading
      views: [
        {
          everyEpoch: (e) => {
            elapsed.push(e.elapsed_ms);
            if (e.epoch === 5) control.toggle();
          },
          idle: () => {
            time.now += 60_000; // a minute away from the keyboard
            control.toggle();
          },
        },
      ],
    });
    expect(end.epochs).toBe(10);
    expect(end.elapsed_ms).toBeLessThan(1000);
    expect(elapsed[5] - elapsed[4]).toBeLessThan(100);
  });
});

describe('help and small screens', () => {
  it('? opens an overlay listing every key; any key closes it', async () => {
    const store = new MetricsStore(startEvent(), 'c.yaml');
    store.push(epoch(1, 1));
    const ink = render(<App store={store} control={new TrainingControl()} colors={NO_COLOR} onQuit={() => {}} size={{ width: 100, height: 32 }} />);
    await press(ink, '?');
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('this help'));
    for (const [key, what] of KEYS) expect(ink.lastFrame()).toContain(`${key.padEnd(11)} ${what}`.slice(0, 60));
    await press(ink, 'x');
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('weight norm'));
    ink.unmount();
  });

  it('a run that ends while the ? overlay is open leaves the charts as its final frame', async () => {
    const store = new MetricsStore(startEvent(), 'c.yaml');
    store.push(epoch(1, 1));
    const ink = render(<App store={store} control={new TrainingControl()} colors={NO_COLOR} onQuit={() => {}} size={{ width: 100, height: 32 }} fps={50} />);
    await press(ink, '?');
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('this help'));
    store.finish({
      type: 'end',
      status: 'completed',
      epochs: 1,
      weights: [1, 2],
      bias: 0,
      loss: 1,
      val_loss: null,
      best_epoch: 1,
      best_loss: 1,
      elapsed_ms: 1,
    });
    ink.rerender(<App store={store} control={new TrainingControl()} colors={NO_COLOR} onQuit={() => {}} size={{ width: 100, height: 32 }} fps={50} />);
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('weight norm'));
    expect(ink.lastFrame()).not.toContain('this help');
    ink.unmount();
  });

  it('at 60 columns the status still shows; the compact view has a loss sparkline', () => {
    const store = new MetricsStore(startEvent({ epochs: 1_000_000 }), 'c.yaml');
    for (let k = 1; k <= 500; k++) store.push(epoch(k, 1 / k));
    store.tick(0, false);
    store.tick(1000, false);
    expect(frame(store, { width: 60, height: 24 })).toMatch(/● running/);
    const compact = frame(store, { width: 40, height: 12 });
    expect(compact).toMatch(/loss [█▇▆▅▄▃▂▁]{5,}/);
    expect(compact).toContain('● running');
  });

  it('the final frame fits 40 rows with its header, advice and the files written', () => {
    const store = new MetricsStore(startEvent(), 'c.yaml');
    for (let k = 1; k <= 5; k++) store.push(epoch(k, 1 / k));
    store.finish({
      type: 'end',
      status: 'diverged',
      epochs: 5,
      weights: [1, 2],
      bias: 0,
      loss: NaN,
      val_loss: null,
      best_epoch: 5,
      best_loss: 0.2,
      elapsed_ms: 5,
    });
    const view = store.view({ paused: false, learningRate: 0.1 });
    const { lastFrame, unmount } = render(
      <Dashboard view={view} width={100} height={40} logScale={false} colors={NO_COLOR} outputs={{ out: 'run.jsonl', saveWeights: 'w.json' }} />,
    );
    const lines = (lastFrame() ?? '').split('\n');
    unmount();
    expect(lines.length).toBeLessThanOrEqual(38);
    expect(lines[0]).toContain('neuron-tui · truth');
    const text = lines.join(' ');
    expect(text).toContain('● diverged');
    expect(text).toContain('Training diverged');
    expect(text).toContain('wrote run.jsonl (--out) and w.json (--save-weights)');
    expect(text).toContain('next: neuron-tui replay run.jsonl');
    expect(text).not.toContain('ETA');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
  });
});

describe('safe text', () => {
  it('control characters from data are shown escaped, never sent to the terminal', () => {
    const store = new MetricsStore(startEvent({ name: 'evil\u001b[2J\u0007name', features: ['a\nb', 'c\u001b]0;title\u0007'] }), 'c.yaml');
    store.push(epoch(1, 1));
    store.parameters([1, 2], 0);
    const text = frame(store);
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(text).toContain('evil\\x1b[2J\\x07name');
    expect(text).toContain('a\\nb');
  });

  it('a 100 KB column name is cut with an ellipsis and draws quickly', () => {
    const huge = 'x'.repeat(100_000);
    const store = new MetricsStore(startEvent({ features: [huge], name: huge }), 'c.yaml');
    store.push(epoch(1, 1));
    store.parameters([1], 0);
    const text = frame(store);
    expect(text).toContain('x…');
    expect(text.length).toBeLessThan(20_000);
    expect(safeText(huge, 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it('advice wraps at the width without breaking words', () => {
    const lines = wrapWords('a sentence of several words that must wrap somewhere', 12);
    expect(lines.every((l) => l.length <= 12)).toBe(true);
    expect(lines.join(' ')).toBe('a sentence of several words that must wrap somewhere');
  });
});
