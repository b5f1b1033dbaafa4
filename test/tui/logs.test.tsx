import { render } from 'ink-testing-library';
import { describe, expect, it, vi } from 'vitest';
import { formatNumber } from '../../src/format.js';
import type { RunLog } from '../../src/logs/read.js';
import type { EpochEvent } from '../../src/train/events.js';
import { Trainer } from '../../src/train/trainer.js';
import { Compare } from '../../src/tui/compare.js';
import { palette } from '../../src/tui/palette.js';
import { Replay } from '../../src/tui/replay.js';
import { config, dataset, randomRows } from '../helpers.js';

/** A recorded run made in-process with a clock that ticks 1 ms per reading. */
function recorded(name: string, learningRate: number, epochs: number): RunLog {
  const train = randomRows(100, 2, 6, (x) => Math.max(0, 2 + x[0] - x[1]));
  let t = 0;
  const trainer = new Trainer(config({ name, learning_rate: learningRate, epochs, init: { weights: [0.1, 0.1], bias: 0.5 } }), dataset(train, 2), {
    clock: () => t++,
  });
  const events: EpochEvent[] = [];
  while (trainer.status === null) events.push(trainer.runEpoch());
  return { file: `${name}.jsonl`, start: trainer.startEvent(), epochs: events, end: trainer.endEvent() };
}

const NO_COLOR = palette(false);

describe('replay screen', () => {
  it('shows the finished run with its recorded final numbers', () => {
    const log = recorded('fast', 0.1, 80);
    const { lastFrame, unmount } = render(<Replay log={log} colors={NO_COLOR} size={{ width: 100, height: 30 }} interactive={false} />);
    const text = lastFrame() ?? '';
    unmount();
    expect(text).toMatchSnapshot();
    expect(text).toContain(`completed after 80 epochs`);
    expect(text).toContain(`final loss ${formatNumber(log.end!.loss)}`);
    expect(text).toContain('epoch 80/80');
    expect(text).toContain('replay of fast.jsonl · recorded status: completed');
  });

  it('re-plays in time at --speed: epochs appear as their recorded time comes', async () => {
    const log = recorded('fast', 0.1, 80);
    let now = 0;
    const { lastFrame, unmount } = render(
      <Replay log={log} colors={NO_COLOR} timing={{ speed: 1 }} size={{ width: 100, height: 30 }} interactive={false} now={() => now} />,
    );
    now = log.epochs[9].elapsed_ms; // the 10th epoch's time
    await vi.waitFor(() => expect(lastFrame()).toMatch(/epoch 10\/80/));
    expect(lastFrame()).toContain('replaying · l log scale · q jump to the end');
    now = 1e9;
    await vi.waitFor(() => expect(lastFrame()).toContain('completed after 80 epochs'));
    unmount();
  });
});

describe('compare screen', () => {
  it('overlays both runs with a legend and a table', () => {
    const logs = [recorded('fast', 0.1, 80), recorded('slow', 0.01, 120)];
    const { lastFrame, unmount } = render(<Compare logs={logs} colors={NO_COLOR} size={{ width: 100, height: 30 }} log={false} />);
    const text = lastFrame() ?? '';
    unmount();
    expect(text).toMatchSnapshot();
    // labelled by the settings that differ, after the names (which differ too)
    expect(text).toMatch(/━ fast learning_rate=0\.1,epochs=80 [\d.e-]+\s+━ slow learning_rate=0\.01,epochs=120 [\d.e-]+/);
    expect(text).toMatch(/^name\s+learning_rate\s+epochs\s+status\s+epochs/m);
    expect(text).toMatch(/^fast\s+0\.1\s+80\s+completed\s+80/m);
    expect(text).toMatch(/^slow\s+0\.01\s+120\s+completed\s+120/m);
  });
});
