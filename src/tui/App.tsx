import { useInput, useStdout } from 'ink';
import { useEffect, useState } from 'react';
import type { TrainingControl } from '../train/control.js';
import { Dashboard } from './Dashboard.js';
import type { Palette } from './palette.js';
import type { MetricsStore } from './store.js';

/** The knobs of a running trainer that keys may turn. */
export interface Tunable {
  learningRate: number;
  readonly w: ArrayLike<number>;
  readonly b: number;
}

export interface AppProps {
  store: MetricsStore;
  control: TrainingControl;
  trainer: Tunable;
  colors: Palette;
  onQuit: () => void;
  /** Frames per second of the screen refresh; training never waits for it. */
  fps?: number;
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  size?: { width: number; height: number };
  /** Whether keys are read (raw mode is needed for that). */
  interactive?: boolean;
}

function useTerminalSize(fixed?: { width: number; height: number }): { width: number; height: number } {
  const { stdout } = useStdout();
  const read = (): { width: number; height: number } => fixed ?? { width: stdout.columns || 80, height: stdout.rows || 24 };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return undefined;
    const onResize = (): void => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed]);
  return size;
}

/** The live dashboard: samples the store on a timer and turns keys into control requests. */
export function App({ store, control, trainer, colors, onQuit, fps = 10, size, interactive = true }: AppProps) {
  const { width, height } = useTerminalSize(size);
  const [logScale, setLogScale] = useState(false);
  const [, setFrame] = useState(0);
  const finished = store.finished;

  useEffect(() => {
    if (finished) return undefined;
    const timer = setInterval(() => setFrame((f) => f + 1), 1000 / fps);
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
        else if (ch === '+' || ch === '=') trainer.learningRate *= 2;
        else if (ch === '-' || ch === '_') trainer.learningRate /= 2;
        else if (ch === 'q') onQuit();
        else handled = false;
      }
      if (handled) setFrame((f) => f + 1); // show the effect of a key at once
    },
    { isActive: interactive && !finished },
  );

  const view = store.view({ paused: control.paused, learningRate: trainer.learningRate, weights: trainer.w, bias: trainer.b });
  return <Dashboard view={view} width={width} height={height} logScale={logScale} colors={colors} />;
}
