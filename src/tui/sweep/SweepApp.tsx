import { Box, Text, useInput } from 'ink';
import { useEffect, useState } from 'react';
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
  const [selected, setSelected] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const [logScale, setLogScale] = useState(true);
  const [, setFrame] = useState(0);
  const view = store.view();
  const finished = view.finished;
  const page = !finished && open ? store.page(open) : null;
  const current = selected ?? view.ranked[0]?.run.id ?? null;

  useEffect(() => {
    if (finished) return undefined;
    let shown = -1;
    const timer = setInterval(() => {
      const shownPage = open ? store.page(open) : null;
      shownPage?.tick(clock(), store.isPaused);
      // Draw only what changed: a frame costs the UI thread far more than reading the runs' lines.
      const version = store.version + (shownPage?.version ?? 0);
      if (version === shown) return;
      shown = version;
      setFrame((f) => f + 1);
    }, 1000 / fps);
    return () => clearInterval(timer);
  }, [fps, finished, open]);

  useInput(
    (input, key) => {
      if (key.ctrl && input === 'c') {
        onQuit();
        return;
      }
      if (help) {
        setHelp(false);
        return;
      }
      if (key.upArrow || key.downArrow) {
        const at = view.ranked.findIndex((r) => r.run.id === current);
        const next = Math.max(0, Math.min(view.ranked.length - 1, at + (key.upArrow ? -1 : 1)));
        if (!open) setSelected(view.ranked[next]?.run.id ?? null);
      } else if (key.return) {
        if (current && store.page(current)) setOpen(current);
      } else if (key.escape) {
        setOpen(null);
      }
      for (const ch of input) {
        if (ch === ' ' || ch === 'p') {
          const paused = !store.isPaused;
          store.setPaused(paused);
          onPause(paused);
        }
        else if (ch === 'l') setLogScale((on) => !on);
        else if (ch === '?') setHelp(true);
        else if (ch === 'q') onQuit();
        else if (!open && (ch === 'k' || ch === 'j')) {
          const at = view.ranked.findIndex((r) => r.run.id === current);
          setSelected(view.ranked[Math.max(0, Math.min(view.ranked.length - 1, at + (ch === 'k' ? -1 : 1)))]?.run.id ?? null);
        }
      }
      setFrame((f) => f + 1);
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
  return <SweepScreen view={view} name={name} outDir={outDir} selected={current} width={width} height={height} logScale={logScale} colors={colors} help={help} />;
}
