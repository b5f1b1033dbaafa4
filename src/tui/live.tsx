import type { Instance } from 'ink';
import type { TrainingControl } from '../train/control.js';
import type { RunView } from '../train/session.js';
import { App } from './App.js';
import type { Outputs } from './Footer.js';
import type { NeuronSource } from './neuronSource.js';
import { mountScreen, readsKeys, screenColors, type ScreenIo } from './screen.js';
import { Starting } from './Starting.js';
import { MetricsStore } from './store.js';

export interface FirstFrameOptions extends ScreenIo {
  /** The run's name (the config's `name`, or its file name). */
  name: string;
  configPath: string;
}

/** The dashboard's screen from its first frame on, before the run has started. */
export interface FirstFrame {
  readonly options: FirstFrameOptions;
  readonly instance: Instance;
  /** Takes the frame off the terminal (a run that could not start says why instead). */
  clear(): Promise<void>;
}

/** Draws the first frame at once: the run's name and that it is loading, until `openDashboard` takes over. */
export function firstFrame(options: FirstFrameOptions): FirstFrame {
  const instance = mountScreen(<Starting name={options.name} configPath={options.configPath} colors={screenColors(options.stdout)} />, options);
  return {
    options,
    instance,
    clear: async () => {
      instance.clear();
      instance.unmount();
      await instance.waitUntilExit();
    },
  };
}

export interface DashboardOptions {
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

/** The live dashboard on the screen of the first frame: a view of the run that draws the store its events fill. */
export function openDashboard(screen: FirstFrame, options: DashboardOptions): DashboardView {
  const colors = screenColors(screen.options.stdout);
  const { instance } = screen;
  let store: MetricsStore | null = null;
  const app = (s: MetricsStore): React.JSX.Element => (
    <App
      store={s}
      control={options.control}
      colors={colors}
      onQuit={options.onQuit}
      outputs={options.outputs}
      interactive={readsKeys(screen.options)}
      neuron={options.neuron}
    />
  );
  return {
    view: {
      start: (event, notes) => {
        store = new MetricsStore(event, screen.options.configPath, notes.revived);
        instance.rerender(app(store));
      },
      everyEpoch: (event) => store?.push(event),
      parameters: (weights, bias, from) => store?.parameters(weights, bias, from),
      idle: () => store?.idle(),
      end: (event) => {
        if (!store) return;
        store.finish(event);
        instance.rerender(app(store));
      },
    },
    close: async () => {
      // A run that ended before its start event (its training thread failed): the loading frame
      // is taken off, as when the data cannot be read, so only the message stays.
      if (!store) instance.clear();
      instance.unmount();
      await instance.waitUntilExit();
    },
  };
}
