import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { TrainingControl } from '../../src/train/control.js';
import type { EpochEvent } from '../../src/train/events.js';
import { startRun } from '../../src/train/session.js';
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

function runSetup(overrides: Parameters<typeof config>[0] = {}, d = 3, withValidation = true) {
  const all = randomRows(200, d, 4, (x) => Math.max(0, 1 + x[0] - 0.5 * x[1]));
  const train = { x: all.x.subarray(0, 160 * d), y: all.y.subarray(0, 160), n: 160 };
  const validation = withValidation ? { x: all.x.subarray(160 * d), y: all.y.subarray(160), n: 40 } : null;
  return { config: config({ epochs: 100, learning_rate: 0.1, ...overrides }), dataset: dataset(train, d, validation) };
}

function trainerFor(overrides: Parameters<typeof config>[0] = {}, d = 3, withValidation = true) {
  const { config, dataset } = runSetup(overrides, d, withValidation);
  const trainer = new Trainer(config, dataset, { clock: fakeClock() });
  const store = new MetricsStore(trainer.startEvent(), 'configs/test.yaml', trainer.revived);
  return { trainer, store };
}

function trained(epochs: number, overrides: Parameters<typeof config>[0] = {}, d = 3) {
  const t = trainerFor(overrides, d);
  for (let k = 0; k < epochs && t.trainer.status === null; k++) t.store.push(t.trainer.runEpoch());
  if (t.trainer.status !== null) t.store.finish(t.trainer.endEvent());
  t.store.parameters(t.trainer.w, t.trainer.b);
  return t;
}

function frame(t: ReturnType<typeof trained>, options: { paused?: boolean; log?: boolean; width?: number; height?: number } = {}): string {
  const view = t.store.view({ paused: options.paused ?? false, learningRate: t.trainer.learningRate });
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
    expect(text).toContain('┄ validation'); // dotted: told apart without colour
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
    const t = trained(40);
    expect(frame(t, { paused: true })).toContain('● pausing…'); // until the run says it waits
    t.store.idle();
    const text = frame(t, { paused: true });
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
    expect(text).toContain('● completed'); // the JSON status's own word
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
    t.store.parameters(t.trainer.w, t.trainer.b);
    const view = t.store.view({ paused: false, learningRate: 0.1 });
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
  /** A long run on this thread with the dashboard as its view, as `run` wires it (there on a worker). */
  async function live(overrides: Parameters<typeof config>[0] = {}) {
    const { config, dataset } = runSetup({ epochs: 1_000_000_000, ...overrides });
    const control = new TrainingControl();
    const abort = new AbortController();
    const seen: { events: EpochEvent[]; idle: number; store: MetricsStore | null } = { events: [], idle: 0, store: null };
    let ink: ReturnType<typeof render> | null = null;
    const done = startRun({
      config,
      dataset,
      threads: 1,
      control,
      signal: abort.signal,
      thread: 'main',
      clock: () => performance.now(),
      views: [
        {
          start: (event, notes) => {
            seen.store = new MetricsStore(event, 'configs/test.yaml', notes.revived);
            ink = render(
              <App store={seen.store} control={control} colors={NO_COLOR} onQuit={() => abort.abort()} size={{ width: 100, height: 30 }} fps={30} />,
            );
          },
          everyEpoch: (event) => {
            seen.store?.push(event);
            seen.events.push(event);
          },
          parameters: (weights, bias, from) => seen.store?.parameters(weights, bias, from),
          idle: () => {
            seen.store?.idle();
            seen.idle++;
          },
        },
      ],
    });
    await vi.waitFor(() => expect(seen.events.length).toBeGreaterThan(0));
    const epoch = (): number => seen.events.length;
    return { control, abort, ink: ink!, done, seen, epoch };
  }
  /** Lets every pending callback run a few times over, without waiting on the wall clock. */
  const settle = async (): Promise<void> => {
    for (let k = 0; k < 20; k++) await new Promise((r) => setImmediate(r));
  };

  it('space pauses training; s advances exactly one epoch; space resumes', async () => {
    const app = await live();
    app.ink.stdin.write(' ');
    await vi.waitFor(() => expect(app.seen.idle).toBe(1)); // the loop stopped at an epoch boundary
    const paused = app.epoch();
    await vi.waitFor(() => expect(app.ink.lastFrame()).toContain('● paused'));
    await settle();
    expect(app.epoch()).toBe(paused);
    app.ink.stdin.write('s');
    await vi.waitFor(() => expect(app.seen.idle).toBe(2));
    await settle();
    expect(app.epoch()).toBe(paused + 1);
    app.ink.stdin.write(' ');
    await vi.waitFor(() => expect(app.epoch()).toBeGreaterThan(paused + 1));
    app.abort.abort();
    await app.done;
    app.ink.unmount();
  });

  it('+ and - double and halve the learning rate the run uses, through its control', async () => {
    const app = await live();
    app.ink.stdin.write('+');
    await vi.waitFor(() => expect(app.seen.events[app.seen.events.length - 1].learning_rate).toBe(0.2));
    app.ink.stdin.write('-');
    app.ink.stdin.write('-');
    await vi.waitFor(() => expect(app.seen.events[app.seen.events.length - 1].learning_rate).toBe(0.05));
    await vi.waitFor(() => expect(app.ink.lastFrame()).toContain('learning rate 0.05, × 0.5 by +/-'));
    expect(app.control.rateFactor).toBe(0.5);
    app.abort.abort();
    await app.done;
    app.ink.unmount();
  });

  it('l toggles the log scale', async () => {
    const app = await live();
    app.ink.stdin.write('l');
    await vi.waitFor(() => expect(app.ink.lastFrame()).toContain('loss (log scale)'));
    app.ink.stdin.write('l');
    await vi.waitFor(() => expect(app.ink.lastFrame()).not.toContain('log scale)'));
    app.abort.abort();
    await app.done;
    app.ink.unmount();
  });

  it('q ends the run with status interrupted', async () => {
    const app = await live();
    app.ink.stdin.write('q');
    const { end } = await app.done;
    expect(end.status).toBe('interrupted');
    app.ink.unmount();
  });
});
