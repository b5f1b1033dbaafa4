import type { Instance } from 'ink';
import type { SweepRun } from '../../sweep/grid.js';
import type { TrainingEvent } from '../../train/events.js';
import { mountScreen, readsKeys, screenColors, type ScreenIo } from '../screen.js';
import { SweepApp } from './SweepApp.js';
import { SweepStore } from './store.js';

export interface SweepDashboardOptions extends ScreenIo {
  runs: readonly SweepRun[];
  logOf: (run: SweepRun) => string;
  name: string;
  outDir: string;
  /** Space: pause (SIGSTOP) or resume every run. */
  onPause: (paused: boolean) => void;
  /** `q` and Ctrl-C: stop every run like SIGINT. */
  onQuit: () => void;
}

/** The sweep's live screen, as the consumer of the runs' processes' events. */
export interface SweepDashboard {
  started(run: SweepRun): void;
  event(run: SweepRun, event: TrainingEvent): void;
  done(run: SweepRun, status: string): void;
  /** Leaves the overview's final frame on the terminal. */
  close(): Promise<void>;
}

export function openSweepDashboard(options: SweepDashboardOptions): SweepDashboard {
  const store = new SweepStore(options.runs, options.logOf);
  const app = (): React.JSX.Element => (
    <SweepApp
      store={store}
      name={options.name}
      outDir={options.outDir}
      colors={screenColors(options.stdout)}
      onPause={options.onPause}
      onQuit={options.onQuit}
      interactive={readsKeys(options)}
    />
  );
  const instance: Instance = mountScreen(app(), options);
  return {
    started: (run) => store.started(run),
    event: (run, event) => store.event(run, event),
    done: (run, status) => store.done(run, status),
    close: async () => {
      store.finish();
      instance.rerender(app());
      instance.unmount();
      await instance.waitUntilExit();
    },
  };
}
