import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { TrainingControl } from '../../src/train/control.js';
import { runTraining } from '../../src/train/run.js';
import { Trainer } from '../../src/train/trainer.js';
import { App } from '../../src/tui/App.js';
import { Dashboard } from '../../src/tui/Dashboard.js';
import { palette } from '../../src/tui/palette.js';
import { MetricsStore } from '../../src/tui/store.js';
import { config, dataset, randomRows } from '../helpers.js';

const NO_COLOR = palette(false);

/** A clock that advances 1 ms per reading: elapsed times and rates are the same on every machine. */
function fakeClock(): () => number {
  let t = 0;
  return () => (t += 1);
}

function trainerFor(overrides: Parameters<typeof config>[0] = {}, d = 3, withValidation = true) {
  const all = randomRows(200, d, 4, (x) => Math.max(0, 1 + x[0] - 0.5 * x[1]));
  const train = { x: all.x.subarray(0, 160 * d), y: all.y.subarray(0, 160), n: 160 };
  const validation = withValidation ? { x: all.x.subarray(160 * d), y: all.y.subarray(160), n: 40 } : null;
  const clock = fakeClock();
  const trainer = new Trainer(config({ epochs: 100, learning_rate: 0.1, ...overrides }), dataset(train, d, validation), { clock });
  const store = new MetricsStore(trainer.startEvent(), 'configs/test.yaml', clock, trainer.revived);
  return { trainer, store, clock };
}

function trained(epochs: number, overrides: Parameters<typeof config>[0] = {}, d = 3) {
  const t = trainerFor(overrides, d);
  for (let k = 0; k < epochs && t.trainer.status === null; k++) t.store.push(t.trainer.runEpoch());
  if (t.trainer.status !== null) t.store.finish(t.trainer.endEvent());
  return t;
}

function frame(t: ReturnType<typeof trained>, options: { paused?: boolean; log?: boolean; width?: number; height?: number } = {}): string {
  const view = t.store.view({ paused: options.paused ?? false, learningRate: t.trainer.learningRate, weights: t.trainer.w, bias: t.trainer.b });
  const { lastFrame, unmount } = render(
    <Dashboard view={view} width={options.width ?? 100} height={options.height ?? 30} logScale={options.log ?? false} colors={NO_COLOR} />,
  );
  const text = lastFrame() ?? '';
  unmount();
  return text;
}

describe('Dashboard', () => {
  it('initial frame: header, empty charts waiting for the first epoch', () => {
    const text = frame(trained(0));
    expect(text).toMatchSnapshot();
    expect(text).toContain('waiting for the first epoch');
    expect(text).toContain('epoch   0/100');
  });

  it('mid-training frame', () => {
    const text = frame(trained(40));
    expect(text).toMatchSnapshot();
    expect(text).toContain('epoch  40/100');
    expect(text).toContain('● running');
    expect(text).toContain('━ validation');
  });

  it('fits the height it is given, and the width', () => {
    for (const [width, height] of [
      [100, 30],
      [80, 24],
      [60, 20],
      [100, 50],
    ]) {
      const lines = frame(trained(40), { width, height }).split('\n');
      expect(lines.length).toBeLessThan(height);
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(width);
    }
  });

  it('paused', () => {
    const text = frame(trained(40), { paused: true });
    expect(text).toContain('● paused');
    expect(text).toContain('space resume · s step');
  });

  it('log scale on', () => {
    expect(frame(trained(40), { log: true })).toContain('loss (log scale)');
  });

  it('finished: the summary replaces the live numbers', () => {
    const text = frame(trained(100));
    expect(text).toMatchSnapshot();
    expect(text).toContain('completed after 100 epochs');
    expect(text).toContain('● done');
  });

  it('diverged: says so in plain words with a smaller learning rate to try', () => {
    const text = frame(trained(500, { learning_rate: 1e6, epochs: 500 }));
    expect(text).toContain('● diverged');
    expect(text).toContain('Training diverged');
    expect(text).toContain('(try 1e5)');
  });

  it('dead: says the neuron can never learn again', () => {
    const text = frame(trained(5, { init: { weights: [0, 0, 0], bias: -1 } }));
    expect(text).toContain('● dead');
    expect(text).toContain('The neuron is dead');
  });

  it('a long history keeps the charts inside their width', () => {
    const t = trainerFor({ epochs: 1_000_000 });
    for (let k = 0; k < 50_000; k++) t.store.push(t.trainer.runEpoch());
    const view = t.store.view({ paused: false, learningRate: 0.1, weights: t.trainer.w, bias: t.trainer.b });
    expect(view.history.loss.length).toBeLessThanOrEqual(1024);
    const lines = frame(t, { width: 100, height: 30 }).split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(lines.join('\n')).toContain('epoch   50000/1000000');
  });

  it('a narrow terminal gets the compact view', () => {
    const text = frame(trained(40), { width: 50, height: 30 });
    expect(text).toMatchSnapshot();
    expect(text).not.toContain('╭');
    expect(text).toContain('loss');
    const short = frame(trained(40), { width: 100, height: 15 });
    expect(short.split('\n').length).toBeLessThan(15);
  });

  it('many features: weights are truncated with an ellipsis and a count', () => {
    const t = trained(5, {}, 40);
    const text = frame(t);
    expect(text).toMatch(/x1 -?[\d.e-]+/);
    expect(text).toMatch(/… \+\d+ more/);
  });
});

describe('App keys', () => {
  async function live(overrides: Parameters<typeof config>[0] = {}) {
    const t = trainerFor({ epochs: 1_000_000_000, ...overrides });
    const control = new TrainingControl();
    const abort = new AbortController();
    const ink = render(
      <App store={t.store} control={control} trainer={t.trainer} colors={NO_COLOR} onQuit={() => abort.abort()} size={{ width: 100, height: 30 }} fps={30} />,
    );
    const done = runTraining(t.trainer, { clock: () => performance.now(), control, signal: abort.signal, onEveryEpoch: (e) => t.store.push(e) });
    await new Promise((r) => setTimeout(r, 50));
    return { ...t, control, abort, ink, done };
  }
  const tick = (ms = 60): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('space pauses training; s advances exactly one epoch; space resumes', async () => {
    const app = await live();
    app.ink.stdin.write(' ');
    await tick();
    const paused = app.trainer.epoch;
    await tick(100);
    expect(app.trainer.epoch).toBe(paused);
    expect(app.ink.lastFrame()).toContain('● paused');
    app.ink.stdin.write('s');
    await tick();
    expect(app.trainer.epoch).toBe(paused + 1);
    app.ink.stdin.write(' ');
    await tick();
    expect(app.trainer.epoch).toBeGreaterThan(paused + 1);
    app.abort.abort();
    await app.done;
    app.ink.unmount();
  });

  it('+ and - double and halve the learning rate the trainer uses', async () => {
    const app = await live();
    const events: number[] = [];
    app.ink.stdin.write('+');
    await tick();
    expect(app.trainer.learningRate).toBe(0.2);
    const event = app.trainer.runEpoch();
    events.push(event.learning_rate);
    app.ink.stdin.write('-');
    app.ink.stdin.write('-');
    await tick();
    expect(app.trainer.learningRate).toBe(0.05);
    expect(events).toEqual([0.2]);
    expect(app.ink.lastFrame()).toContain('lr 0.05');
    app.abort.abort();
    await app.done;
    app.ink.unmount();
  });

  it('l toggles the log scale', async () => {
    const app = await live();
    app.ink.stdin.write('l');
    await tick();
    expect(app.ink.lastFrame()).toContain('loss (log scale)');
    app.ink.stdin.write('l');
    await tick();
    expect(app.ink.lastFrame()).not.toContain('log scale)');
    app.abort.abort();
    await app.done;
    app.ink.unmount();
  });

  it('q ends the run with status interrupted', async () => {
    const app = await live();
    app.ink.stdin.write('q');
    const end = await app.done;
    expect(end.status).toBe('interrupted');
    app.ink.unmount();
  });
});
