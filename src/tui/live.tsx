import { render } from 'ink';
import { TrainingControl } from '../train/control.js';
import type { EndEvent, EpochEvent } from '../train/events.js';
import { runTraining } from '../train/run.js';
import type { Clock, Trainer } from '../train/trainer.js';
import { App } from './App.js';
import { colorEnabled, palette } from './palette.js';
import { MetricsStore } from './store.js';

export interface DashboardOptions {
  trainer: Trainer;
  configPath: string;
  clock: Clock;
  /** The run's abort controller: `q` and Ctrl-C abort it, like SIGINT. */
  abort: AbortController;
  /** Each emitted epoch event, for `--out`. */
  onEpoch?: (event: EpochEvent) => void;
  /** Training paused: flush `--out`. */
  onIdle?: () => void;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

/**
 * Trains with the live dashboard on screen. The final frame stays on the terminal; Ink restores
 * the cursor and the terminal mode when it unmounts, which `finally` guarantees.
 */
export async function runDashboard(options: DashboardOptions): Promise<EndEvent> {
  const { trainer, clock, abort } = options;
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  const store = new MetricsStore(trainer.startEvent(), options.configPath, clock, trainer.revived);
  const control = new TrainingControl();
  const colors = palette(colorEnabled(process.env, Boolean(stdout.isTTY)));
  const app = (): React.JSX.Element => (
    <App
      store={store}
      control={control}
      trainer={trainer}
      colors={colors}
      onQuit={() => abort.abort()}
      interactive={Boolean(stdin.isTTY)}
    />
  );
  const instance = render(app(), { stdout, stdin, exitOnCtrlC: false, patchConsole: false });
  try {
    const end = await runTraining(trainer, {
      clock,
      signal: abort.signal,
      control,
      onEveryEpoch: (e) => store.push(e),
      onEpoch: options.onEpoch,
      onIdle: options.onIdle,
    });
    store.finish(end);
    instance.rerender(app());
    return end;
  } finally {
    instance.unmount();
    await instance.waitUntilExit();
  }
}
