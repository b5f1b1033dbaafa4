import type { TrainingControl } from '../train/control.js';
import type { RunView } from '../train/session.js';
import { App } from './App.js';
import type { Outputs } from './Footer.js';
import type { NeuronSource } from './neuronSource.js';
import { MetricsStore } from './store.js';
import { mountScreen, readsKeys, screenColors, type ScreenIo } from './screen.js';
import type { Instance } from 'ink';

export interface DashboardOptions extends ScreenIo {
  configPath: string;
  /** The run's control: the keys' requests go there. */
  control: TrainingControl;
  /** `q` and Ctrl-C: end the run like SIGINT. */
  onQuit: () => void;
  /** Files the run writes, named in the final frame. */
  outputs?: Outputs;
  /** The training rows for the neuron page (on the main thread; the training thread shares them). */
  neuron?: NeuronSource;
}

export interface DashboardView {
  /** The dashboard as one of the run's views. */
  view: RunView;
  /** Leaves the final frame on the terminal; Ink restores the cursor and the terminal mode. */
  close(): Promise<void>;
}

/** The live dashboard: a view of the run that draws the store its events fill. */
export function openDashboard(options: DashboardOptions): DashboardView {
  const colors = screenColors(options.stdout);
  let store: MetricsStore | null = null;
  let instance: Instance | null = null;
  const app = (s: MetricsStore): React.JSX.Element => (
    <App
      store={s}
      control={options.control}
      colors={colors}
      onQuit={options.onQuit}
      outputs={options.outputs}
      interactive={readsKeys(options)}
      neuron={options.neuron}
    />
  );
  return {
    view: {
      start: (event, notes) => {
        store = new MetricsStore(event, options.configPath, notes.revived);
        instance = mountScreen(app(store), options);
      },
      everyEpoch: (event) => store?.push(event),
      parameters: (weights, bias, from) => store?.parameters(weights, bias, from),
      idle: () => store?.idle(),
      end: (event) => {
        if (!store || !instance) return;
        store.finish(event);
        instance.rerender(app(store));
      },
    },
    close: async () => {
      if (!instance) return;
      instance.unmount();
      await instance.waitUntilExit();
    },
  };
}
