import { useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';
import type { TrainingControl } from '../train/control.js';
import { Dashboard } from './Dashboard.js';
import type { Outputs } from './Footer.js';
import { NeuronPageCache, type NeuronSource } from './neuronSource.js';
import { nextPage, type Page } from './pages.js';
import type { Palette } from './palette.js';
import { SMOOTHING, type MetricsStore, type Smoothing } from './store.js';
import { useTerminalSize, type Size } from './useTerminalSize.js';

export interface AppProps {
  store: MetricsStore;
  /** The run's control: keys reach the run only as its requests. */
  control: TrainingControl;
  colors: Palette;
  onQuit: () => void;
  /** Files the run writes, named in the final frame. */
  outputs?: Outputs;
  /** Frames per second of the screen refresh; training never waits for it. */
  fps?: number;
  /** Fixed size (tests); otherwise the terminal's, following resizes. */
  size?: Size;
  /** Whether keys are read (raw mode is needed for that). */
  interactive?: boolean;
  clock?: () => number;
  /** The training rows for the neuron page (`tab`); without them the page says it needs the data. */
  neuron?: NeuronSource;
}

/**
 * The share of this thread's time that drawing may take before frames are spaced out: small while
 * training runs at full speed (on a busy machine this thread's time comes out of the training
 * thread's), larger while the pace holds training back (it waits anyway; the curves should flow).
 */
const FRAME_BUDGET = 0.05;
const PACED_FRAME_BUDGET = 0.25;
/**
 * Frames never come further apart than this; the neuron page (a costlier frame on many rows) may
 * wait twice as long, so that its budget holds on a busy machine.
 */
const MAX_FRAME_MS = 1000;
const MAX_NEURON_FRAME_MS = 2000;

/** The next smoothing weight of the cycle off → 0.6 → 0.9 → 0.99 → off. */
export function nextSmoothing(current: Smoothing): Smoothing {
  return SMOOTHING[(SMOOTHING.indexOf(current) + 1) % SMOOTHING.length];
}

/** The live dashboard: samples the store on a timer and turns keys into control requests. */
export function App({ store, control, colors, onQuit, outputs, fps = 10, size, interactive = true, clock = () => performance.now(), neuron }: AppProps) {
  const { width, height } = useTerminalSize(size);
  const [logScale, setLogScale] = useState(false);
  const [smoothing, setSmoothing] = useState<Smoothing>(store.defaultSmoothing);
  const [help, setHelp] = useState(false);
  const [page, setPage] = useState<Page>('training');
  const [, setFrame] = useState(0);
  const pageCache = useRef<NeuronPageCache | null>(null);
  const shownPage = useRef<Page>(page); // read by the frame timer
  shownPage.current = page;
  // Read by the keys: Ink hands a key to the handler of the last render whose effects have run, so a
  // key typed right after `?` (before its frame's effects) would see the overlay still closed.
  const helpOpen = useRef(help);
  helpOpen.current = help;
  const finished = store.finished;

  useEffect(() => {
    if (finished) return undefined;
    let shown = -1;
    let delay = 1000 / fps;
    let last = performance.eventLoopUtilization();
    let timer: NodeJS.Timeout;
    const frame = (): void => {
      store.tick(clock(), control.paused);
      // Draw only what changed: a slow epoch leaves this thread idle, so keys answer at once.
      if (store.version !== shown) {
        shown = store.version;
        setFrame((f) => f + 1);
      }
      // A frame costs tens of milliseconds of Ink work. Keep this thread within its budget by
      // spacing frames out (keys still redraw at once): on a busy machine the drawing then takes
      // little from the training thread.
      const now = performance.eventLoopUtilization();
      const used = performance.eventLoopUtilization(now, last);
      last = now;
      const rate = store.epochsPerSecond;
      const paced = control.pace > 0 && rate !== null && rate < 1.25 * control.pace && rate > 0.8 * control.pace;
      const budget = paced ? PACED_FRAME_BUDGET : FRAME_BUDGET;
      // A costly frame (the neuron page on many rows) spaces the next one at once, by its own cost;
      // otherwise the spacing creeps up or down.
      const creep = used.utilization > budget ? delay * 1.5 : delay / 1.25;
      const longest = shownPage.current === 'neuron' ? MAX_NEURON_FRAME_MS : MAX_FRAME_MS;
      delay = Math.min(longest, Math.max(1000 / fps, used.active / budget, creep));
      timer = setTimeout(frame, delay);
    };
    timer = setTimeout(frame, delay);
    return () => clearTimeout(timer);
  }, [fps, finished]);

  const view = store.view(
    { paused: control.paused, learningRate: store.rateNow(control.rateFactor), rateFactor: control.rateFactor, pace: control.pace },
    smoothing,
  );
  // Computed in the frame that draws it, so the frame budget above counts it; never while hidden.
  let neuronData = null;
  if (page === 'neuron' && neuron) {
    pageCache.current ??= new NeuronPageCache(neuron);
    neuronData = pageCache.current.at(store);
  }

  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') {
        onQuit();
        return;
      }
      if (helpOpen.current) {
        setHelp(false); // any key closes the overlay
        return;
      }
      if (key.tab) {
        setPage(nextPage);
        return;
      }
      // Keys typed quickly (or pasted) arrive together: handle each character.
      let handled = false;
      for (const ch of input) {
        handled = true;
        if (ch === ' ' || ch === 'p') control.toggle();
        else if (ch === 's') control.step();
        else if (ch === 'l') setLogScale((on) => !on);
        else if (ch === 'm') setSmoothing(nextSmoothing);
        else if (ch === '?') setHelp(true);
        else if (ch === '+' || ch === '=') control.scaleRate(2);
        else if (ch === '-' || ch === '_') control.scaleRate(0.5);
        else if (ch === '>' || ch === '.')
          control.setPace(control.pace * 2); // full speed stays full speed
        else if (ch === '<' || ch === ',')
          control.setPace(control.pace > 0 ? control.pace / 2 : Math.max(1, (view.epochsPerSecond ?? store.start.config.epochs / 5) / 2));
        else if (ch === 'f') control.setPace(0);
        else if (ch === 'q') onQuit();
        else handled = false;
      }
      if (handled) setFrame((f) => f + 1); // show the effect of a key at once
    },
    { isActive: interactive && !finished },
  );

  return (
    <Dashboard
      view={view}
      width={width}
      height={height}
      logScale={logScale}
      colors={colors}
      help={help && !finished}
      outputs={outputs}
      page={page}
      neuron={neuron ? neuronData : undefined}
    />
  );
}
