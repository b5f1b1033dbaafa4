import { Box, Text, useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { Dashboard } from '../Dashboard.js';
import type { Palette } from '../palette.js';
import { safeText } from '../text.js';
import { useTerminalSize, type Size } from '../useTerminalSize.js';
import type { SweepStore } from './store.js';
import { SweepScreen } from './SweepScreen.js';
import { stateText } from './SweepTable.js';

export interface SweepAppProps {
  store: SweepStore;
  name: string;
  outDir: string;
  colors: Palette;
  /** Space: pause or resume every run (the store is told first, so the screen shows it at once). */
  onPause: (paused: boolean) => void;
  /** `q` and Ctrl-C: stop every run. */
  onQuit: () => void;
  fps?: number;
  size?: Size;
  interactive?: boolean;
  clock?: () => number;
}

const PAGE_KEYS = 'esc back to the sweep · space pause all · l log · q stop all';

/**
 * The sweep's screen: the overview, or one run's full training page (the live dashboard's own
 * components, drawn from that run's store). Samples the store on a timer; keys only select, open,
 * and ask the runs to pause or stop.
 */
export function SweepApp({ store, name, outDir, colors, onPause, onQuit, fps = 10, size, interactive = true, clock = () => performance.now() }: SweepAppProps) {
  const { width, height } = useTerminalSize(size);
  // What the screen shows, in a ref: keys typed faster than frames each see the last key's effect.
  // `shown`: the run the last drawn frame marked selected. Until a key moves it, the selection
  // follows the best run, so keys act on what the user saw marked, not on the best run since.
  const ui = useRef<{ selected: string | null; shown: string | null; open: string | null; help: boolean; logScale: boolean }>({
    selected: null,
    shown: null,
    open: null,
    help: false,
    logScale: true,
  });
  const [, setFrame] = useState(0);
  const view = store.view();
  const finished = view.finished;
  const { open, help, logScale } = ui.current;
  const page = !finished && open ? store.page(open) : null;
  // Until a key moves it, the selection follows the best run.
  const current = ui.current.selected ?? view.ranked[0]?.run.id ?? null;
  useEffect(() => {
    ui.current.shown = current;
  });

  useEffect(() => {
    if (finished) return undefined;
    let shown = -1;
    const timer = setInterval(() => {
      const shownPage = ui.current.open ? store.page(ui.current.open) : null;
      shownPage?.tick(clock(), store.isPaused);
      // Draw only what changed: a frame costs the UI thread far more than reading the runs' lines.
      const version = store.version + (shownPage?.version ?? 0);
      if (version === shown) return;
      shown = version;
      setFrame((f) => f + 1);
    }, 1000 / fps);
    return () => clearInterval(timer);
  }, [fps, finished]);

  /** Moves the selection up or down the ranking as it is now. */
  const move = (delta: number): void => {
    const ranked = store.ranking();
    const at = Math.max(0, ranked.indexOf(ui.current.selected ?? ui.current.shown ?? ranked[0]));
    ui.current.selected = ranked[Math.max(0, Math.min(ranked.length - 1, at + delta))] ?? null;
  };

  useInput(
    (input, key) => {
      const state = ui.current;
      if (key.ctrl && input === 'c') {
        onQuit();
        return;
      }
      setFrame((f) => f + 1);
      if (state.help) {
        state.help = false; // any key closes the help
        return;
      }
      if (key.upArrow || key.downArrow) {
        if (!state.open) move(key.upArrow ? -1 : 1);
      } else if (key.return) {
        const id = state.selected ?? state.shown ?? store.ranking()[0];
        if (id && store.page(id)) state.open = id;
      } else if (key.escape) {
        state.open = null;
      }
      for (const ch of input) {
        if (ch === ' ' || ch === 'p') {
          const paused = !store.isPaused;
          store.setPaused(paused);
          onPause(paused);
        } else if (ch === 'l') state.logScale = !state.logScale;
        else if (ch === '?') state.help = true;
        else if (ch === 'q') onQuit();
        else if (!state.open && (ch === 'k' || ch === 'j')) move(ch === 'k' ? -1 : 1);
      }
    },
    { isActive: interactive && !finished },
  );

  // The help is the sweep's (a run's page has no keys of its own), shown over the overview.
  if (page && open && !help) {
    const run = view.runs.find((r) => r.run.id === open);
    const pageView = page.view({ paused: store.isPaused, learningRate: page.start.config.learning_rate });
    const rank = view.ranked.findIndex((r) => r.run.id === open) + 1;
    return (
      <Box flexDirection="column" width={width}>
        <Text wrap="truncate-end" bold>
          run {safeText(open, 60)} · {rank} of {view.runs.length} by best loss · {stateText(run?.state ?? '')}
        </Text>
        <Dashboard
          view={pageView}
          width={width}
          height={height - 1}
          logScale={logScale}
          colors={colors}
          keys={PAGE_KEYS}
          finished={`this run is over · its log: ${safeText(page.configPath, 60)} · ${PAGE_KEYS}`}
        />
      </Box>
    );
  }
  return (
    <SweepScreen view={view} name={name} outDir={outDir} selected={current} width={width} height={height} logScale={logScale} colors={colors} help={help} />
  );
}
