import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { formatNumber } from '../../src/format.js';
import { parseAxis, sweepRuns, type SweepRun } from '../../src/sweep/grid.js';
import type { TrainingEvent } from '../../src/train/events.js';
import { Trainer } from '../../src/train/trainer.js';
import { palette } from '../../src/tui/palette.js';
import type { Bucket } from '../../src/tui/series.js';
import { overlayChart } from '../../src/tui/sweep/overlay.js';
import { SweepStore } from '../../src/tui/sweep/store.js';
import { SweepApp } from '../../src/tui/sweep/SweepApp.js';
import { config, dataset, randomRows } from '../helpers.js';
import { press } from './keys.js';

const NO_COLOR = palette(false);
const SIZE = { width: 100, height: 32 };

/** A run's events, trained in-process with a clock that ticks 1 ms per reading. */
function events(learningRate: number, epochs: number): TrainingEvent[] {
  const train = randomRows(100, 2, 6, (x) => Math.max(0, 2 + x[0] - x[1]));
  let t = 0;
  const trainer = new Trainer(config({ name: 'lin', learning_rate: learningRate, epochs, init: { weights: [0.1, 0.1], bias: 0.5 } }), dataset(train, 2), {
    clock: () => t++,
  });
  const out: TrainingEvent[] = [trainer.startEvent()];
  while (trainer.status === null) out.push(trainer.runEpoch());
  out.push(trainer.endEvent());
  return out;
}

function sweepOf(rates: string): { runs: SweepRun[]; store: SweepStore } {
  const runs = sweepRuns([parseAxis(`learning_rate=${rates}`), parseAxis('epochs=60')]);
  return { runs, store: new SweepStore(runs, (run) => `out/${run.id}.jsonl`) };
}

/** Feeds a whole run into the store, as its process would. */
function feed(store: SweepStore, run: SweepRun, upTo = Infinity): void {
  store.started(run);
  const all = events(Number(run.settings.learning_rate), Number(run.settings.epochs));
  all.slice(0, Math.min(all.length, upTo + 1)).forEach((e) => store.event(run, e));
  if (upTo === Infinity) store.done(run, 'completed');
}

const constant = (value: number, n: number): Bucket[] => Array.from({ length: n }, () => ({ value, lo: value, hi: value, broken: false }));
const plot = (line: string): string => line.slice(line.indexOf('┤') + 1);

describe('the sweep overlay chart', () => {
  it('draws each run with its own glyph at its own height', () => {
    const lines = overlayChart(
      [
        { buckets: constant(2, 50), lastEpoch: 50, glyph: '●' },
        { buckets: constant(1, 50), lastEpoch: 50, glyph: '○' },
      ],
      { width: 40, height: 8, epochs: 50 },
    );
    expect(lines).toHaveLength(8);
    expect(plot(lines[0])).toBe('●'.repeat(29)); // the higher loss on the top line, across the plot
    expect(plot(lines[6])).toBe('○'.repeat(29));
    expect(lines[7]).toMatch(/epoch\s+1\s+.*50$/);
  });

  it('spans a run over the share of the axis its epochs so far cover', () => {
    // a constant loss sits mid-chart
    const lines = overlayChart([{ buckets: constant(3, 10), lastEpoch: 10, glyph: '▲' }], { width: 31, height: 4, epochs: 20 });
    expect(plot(lines[1])).toBe(`${'▲'.repeat(10)}${' '.repeat(10)}`);
  });

  it('keeps a one-epoch spike visible after downsampling (each column keeps its minimum and maximum)', () => {
    const buckets = constant(1, 1000);
    buckets[500] = { value: 100, lo: 100, hi: 100, broken: false };
    const lines = overlayChart(
      [
        { buckets, lastEpoch: 1000, glyph: '●' },
        { buckets: constant(0.5, 1000), lastEpoch: 1000, glyph: '○' },
      ],
      { width: 31, height: 10, epochs: 1000 },
    );
    const grid = lines.slice(0, 9).map(plot);
    const column = grid.map((row) => [...row].findIndex((ch) => ch === '╎')).find((c) => c >= 0);
    expect(column).toBeDefined();
    expect([...grid[0]][column!]).toBe('╎'); // the extent reaches the top of the chart
    expect(grid[0]).not.toContain('●'); // while the mean stays low
  });

  it('keeps converging runs readable next to a diverging one: the axis stops at ten times the highest starting loss', () => {
    const diverging = Array.from({ length: 40 }, (_, k) => 10 ** (8 * k)).map((v) => ({ value: v, lo: v, hi: v, broken: false }));
    const converging = Array.from({ length: 40 }, (_, k) => 10 * 0.8 ** k).map((v) => ({ value: v, lo: v, hi: v, broken: false }));
    const lines = overlayChart(
      [
        { buckets: converging, lastEpoch: 40, glyph: '●' },
        { buckets: diverging, lastEpoch: 40, glyph: '△' },
      ],
      { width: 51, height: 12, epochs: 40, log: true },
    );
    expect(lines[0].slice(0, 9).trim()).toBe(formatNumber(100, 3)); // 10 × the starting loss of 10
    expect(plot(lines[0])).toContain('↑'); // the divergence goes off the top
    const rowsWithRun = lines.slice(0, 11).filter((l) => plot(l).includes('●')).length;
    expect(rowsWithRun).toBeGreaterThanOrEqual(8); // spread over the chart, not squashed onto one line
  });

  it('says it waits before any run has an epoch', () => {
    expect(overlayChart([{ buckets: [], lastEpoch: 0, glyph: '●' }], { width: 40, height: 6, epochs: 10 }).join('\n')).toContain('waiting for the first epoch');
  });
});

describe('the sweep screen', () => {
  it('overlays every run and ranks them by best loss, the best one marked', async () => {
    const { runs, store } = sweepOf('0.01,0.1,0.05');
    runs.forEach((run) => feed(store, run));
    const ink = render(
      <SweepApp store={store} name="lin" outDir="out" colors={NO_COLOR} onPause={() => {}} onQuit={() => {}} size={SIZE} interactive={false} />,
    );
    const text = ink.lastFrame() ?? '';
    ink.unmount();
    expect(text).toMatchSnapshot();
    // the legend names runs by the setting that differs (epochs is the same for all)
    expect(text).toContain('loss (log scale) · learning_rate  ● 0.01  ○ 0.1  ▲ 0.05');
    const rows = text.split('\n').filter((l) => /^[› ] [●○▲] /.test(l));
    const bests = runs.map((run) => store.view().runs.find((r) => r.run.id === run.id)!.best!.loss);
    const order = [...runs.keys()].sort((a, b) => bests[a] - bests[b]);
    expect(rows.map((r) => r.slice(2, 3))).toEqual(order.map((i) => ['●', '○', '▲'][i]));
    expect(rows[0]).toContain('◀ best');
    expect(rows[0]).toContain(formatNumber(bests[order[0]]));
    // a finished run's loss is the one at its final parameters, as sweep.json and compare say
    const worst = runs[order[2]];
    const end = events(Number(worst.settings.learning_rate), 60).pop() as { loss: number };
    expect(rows[2].split(/\s+/).slice(4, 5)).toEqual([formatNumber(end.loss)]);
    expect(rows.filter((r) => r.includes('◀ best'))).toHaveLength(1);
    expect(text).toMatch(/learning_rate\s+epoch\s+loss\s+best\s+status/);
    expect(text).not.toMatch(/^\s+epochs\s/m); // a fixed setting gets no column
    expect(text).toContain('60/60');
  });

  it('labels the legend by every setting that differs when several do', () => {
    const runs = sweepRuns([parseAxis('learning_rate=0.01,0.1'), parseAxis('seed=1,2'), parseAxis('epochs=20')]);
    const store = new SweepStore(runs, (run) => `out/${run.id}.jsonl`);
    const ink = render(
      <SweepApp
        store={store}
        name="lin"
        outDir="out"
        colors={NO_COLOR}
        onPause={() => {}}
        onQuit={() => {}}
        size={{ width: 160, height: 32 }}
        interactive={false}
      />,
    );
    const text = ink.lastFrame() ?? '';
    ink.unmount();
    expect(text).toContain(
      'loss (log scale)  ● learning_rate=0.01,seed=1  ○ learning_rate=0.01,seed=2  ▲ learning_rate=0.1,seed=1  △ learning_rate=0.1,seed=2',
    );
    expect(text).toMatch(/learning_rate\s+seed\s+epoch\s+loss\s+best\s+status/);
    expect(text).toContain('4 runs · 0 running · 0 done · 4 queued');
  });

  it('shows queued and running runs live, and refreshes on its timer, not per event', async () => {
    const { runs, store } = sweepOf('0.01,0.1');
    feed(store, runs[0], 10);
    const ink = render(
      <SweepApp store={store} name="lin" outDir="out" colors={NO_COLOR} onPause={() => {}} onQuit={() => {}} size={SIZE} interactive={false} fps={50} />,
    );
    expect(ink.lastFrame()).toMatch(/10\/60 .* running/);
    expect(ink.lastFrame()).toMatch(/○ 0\.1\s+—\s+—\s+—\s+queued/);
    expect(ink.lastFrame()).toContain('2 runs · 1 running · 0 done · 1 queued');
    const frames = ink.frames.length;
    feed(store, runs[1]);
    expect(ink.frames.length).toBe(frames); // nothing drawn until the timer fires
    await vi.waitFor(() => expect(ink.lastFrame()).toMatch(/60\/60 .* completed/));
    ink.unmount();
  });

  it('selects with ↑/↓, opens the run page with enter, goes back with esc; space pauses all, q stops all', async () => {
    const { runs, store } = sweepOf('0.01,0.1,0.05');
    runs.forEach((run) => feed(store, run, 30));
    const paused: boolean[] = [];
    const quit = vi.fn();
    const ink = render(<SweepApp store={store} name="lin" outDir="out" colors={NO_COLOR} onPause={(p) => paused.push(p)} onQuit={quit} size={SIZE} fps={50} />);
    const ranked = store.view().ranked.map((r) => r.run.id);
    const selectedRow = (): string => (ink.lastFrame() ?? '').split('\n').find((l) => l.startsWith('›')) ?? '';
    const settingOf = (id: string): string => id.split('=')[1];
    await vi.waitFor(() => expect(selectedRow()).toContain(` ${settingOf(ranked[0])} `));
    ink.stdin.write('\u001B[B'); // ↓
    await vi.waitFor(() => expect(selectedRow()).toContain(` ${settingOf(ranked[1])} `));
    ink.stdin.write('\u001B[B');
    ink.stdin.write('\u001B[B'); // past the last row: stays there
    await vi.waitFor(() => expect(selectedRow()).toContain(` ${settingOf(ranked[2])} `));
    ink.stdin.write('\u001B[A'); // ↑
    await vi.waitFor(() => expect(selectedRow()).toContain(` ${settingOf(ranked[1])} `));

    ink.stdin.write('\r');
    await vi.waitFor(() => expect(ink.lastFrame()).toContain(`run ${ranked[1]} · 2 of 3 by best loss · running`));
    const page = ink.lastFrame() ?? '';
    expect(page).toContain('weight norm ‖w‖'); // the training dashboard's own panels
    expect(page).toContain('epoch 30/60');
    expect(page).toContain(`out/${ranked[1]}.jsonl`);
    expect(page).toContain('esc back to the sweep');

    ink.stdin.write(' ');
    await vi.waitFor(() => expect(paused).toEqual([true]));
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('paused'));
    ink.stdin.write('\u001B');
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('3 runs · 3 paused · 0 done'));
    ink.stdin.write(' ');
    await vi.waitFor(() => expect(paused).toEqual([true, false]));
    ink.stdin.write('?');
    await vi.waitFor(() => expect(ink.lastFrame()).toContain("open the selected run's training page"));
    ink.stdin.write('x'); // any key closes the help
    await vi.waitFor(() => expect(ink.lastFrame()).toContain('loss (log scale)'));
    ink.stdin.write('q');
    await vi.waitFor(() => expect(quit).toHaveBeenCalledTimes(1));
    ink.unmount();
  });

  it('moves the selection from the run the screen marked, also when the ranking changed since the frame', async () => {
    const { runs, store } = sweepOf('0.01,0.05,0.1');
    const [slow, middle, fast] = runs;
    feed(store, slow, 30);
    feed(store, middle, 30);
    feed(store, fast, 2);
    // No timer frames during the test: the screen keeps showing the first frame's ranking.
    const ink = render(<SweepApp store={store} name="lin" outDir="out" colors={NO_COLOR} onPause={() => {}} onQuit={() => {}} size={SIZE} fps={0.001} />);
    const selectedRow = (): string => (ink.lastFrame() ?? '').split('\n').find((l) => l.startsWith('›')) ?? '';
    expect(store.view().ranked.map((r) => r.run.id)).toEqual([middle.id, slow.id, fast.id]);
    expect(selectedRow()).toContain(' 0.05 ');
    // The fast run finishes and becomes the best: the store ranks it first, the screen does not yet.
    events(0.1, 60)
      .slice(3)
      .forEach((e) => store.event(fast, e));
    store.done(fast, 'completed');
    expect(store.view().ranked.map((r) => r.run.id)).toEqual([fast.id, middle.id, slow.id]);
    await press(ink, '\u001B[B'); // ↓ from the marked 0.05: the run below it now, 0.01 (not 0.05 again)
    await vi.waitFor(() => expect(selectedRow()).toContain(' 0.01 '));
    ink.unmount();
  });

  it('leaves a final frame that names the folder and the next step', () => {
    const { runs, store } = sweepOf('0.01,0.1');
    runs.forEach((run) => feed(store, run));
    store.finish();
    const ink = render(
      <SweepApp store={store} name="lin" outDir="runs/lin-1" colors={NO_COLOR} onPause={() => {}} onQuit={() => {}} size={SIZE} interactive={false} />,
    );
    expect(ink.lastFrame()).toContain('finished · logs and sweep.json in runs/lin-1 · next: neuron-tui compare runs/lin-1');
    ink.unmount();
  });
});
