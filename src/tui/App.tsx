import { useInput } from 'ink';
import { useEffect, useState } from 'react';
import type { TrainingControl } from '../train/control.js';
import { Dashboard } from './Dashboard.js';
import type { Palette } from './palette.js';
import type { MetricsStore } from './store.js';
import { useTerminalSize, type Size } from './useTerminalSize.js';

export interface AppProps {
  store: MetricsStore;
  /** The run's control: keys reach the run only as its requests. */
  control: TrainingControl;
  colors: Palette;
  onQuit: () => void;
  /** Frames per second of the screen refresh; training never waits for it. */
  fps?: number;
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  size?: Size;
  /** Whether keys are read (raw mode is needed for that). */
  interactive?: boolean;
  clock?: () => number;
}

/** The live dashboard: samples the store on a timer and turns keys into control requests. */
export function App({ store, control, colors, onQuit, fps = 10, size, interactive = true, clock = () => performance.now() }: AppProps) {
  const { width, height } = useTerminalSize(size);
  const [logScale, setLogScale] = useState(false);
  const [, setFrame] = useState(0);
  const finished = store.finished;

  useEffect(() => {
    if (finished) return undefined;
    let shown = -1;
    const timer = setInterval(() => {
      store.tick(clock(), control.paused);
      // A frame costs the UI thread tens of milliseconds: draw only what changed (a slow epoch
      // leaves the thread idle, so keys answer at once).
      if (store.version === shown) return;
      shown = store.version;
      setFrame((f) => f + 1);
    }, 1000 / fps);
    return () => clearInterval(timer);
  }, [fps, finished]);

  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') {
        onQuit();
        return;
      }
      // Keys typed quickly (or pasted) arrive together: handle each character.
      let handled = false;
      for (const ch of input) {
        handled = true;
        if (ch === ' ' || ch === 'p') control.toggle();
        else if (ch === 's') control.step();
        else if (ch === 'l') setLogScale((on) => !on);
        else if (ch === '+' || ch === '=') control.scaleRate(2);
        else if (ch === '-' || ch === '_') control.scaleRate(0.5);
        else if (ch === 'q') onQuit();
        else handled = false;
      }
      if (handled) setFrame((f) => f + 1); // show the effect of a key at once
    },
    { isActive: interactive && !finished },
  );

  const view = store.view({ paused: control.paused, learningRate: store.start.config.learning_rate * control.rateFactor });
  return <Dashboard view={view} width={width} height={height} logScale={logScale} colors={colors} />;
}
