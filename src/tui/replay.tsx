import { useApp, useInput } from 'ink';
import { useEffect, useMemo, useRef, useState } from 'react';
import { logOutcome, type RunLog } from '../logs/read.js';
import type { EndEvent } from '../train/events.js';
import { Dashboard } from './Dashboard.js';
import type { Palette } from './palette.js';
import { mountScreen, readsKeys, screenColors } from './screen.js';
import { MetricsStore } from './store.js';
import { useTerminalSize, type Size } from './useTerminalSize.js';

/** A log cut short (the process was killed) has no end event: its last epoch stands in for one. */
export function endOf(log: RunLog, outcome = logOutcome(log)): EndEvent {
  if (log.end) return log.end;
  const last = log.epochs[log.epochs.length - 1];
  const { best } = outcome;
  return {
    type: 'end',
    status: 'interrupted',
    epochs: last?.epoch ?? 0,
    weights: [],
    bias: last?.bias ?? NaN,
    loss: last?.loss ?? NaN,
    val_loss: last?.val_loss ?? null,
    best_epoch: best?.epoch ?? null,
    best_loss: best?.loss ?? null,
    elapsed_ms: last?.elapsed_ms ?? 0,
  };
}

export interface ReplayProps {
  log: RunLog;
  colors: Palette;
  /** Replay at `speed` times the recorded time, or at `pace` epochs per second; neither: the finished run at once. */
  timing?: ReplayTiming;
  size?: Size;
  interactive?: boolean;
  now?: () => number;
}

export interface ReplayTiming {
  speed?: number;
  pace?: number;
}

/** The recorded run in the training dashboard: all at once, or re-played in time. */
export function Replay({ log, colors, timing = {}, size, interactive = true, now = () => performance.now() }: ReplayProps) {
  const { speed, pace } = timing;
  const timed = speed !== undefined || pace !== undefined;
  const { width, height } = useTerminalSize(size);
  const { exit } = useApp();
  // The log's outcome and end, worked out once per log (not per frame).
  const outcome = useMemo(() => logOutcome(log), [log]);
  const end = useMemo(() => endOf(log, outcome), [log, outcome]);
  const [startedAt] = useState(now);
  const [shown, setShown] = useState(timed ? 0 : log.epochs.length);
  const [logScale, setLogScale] = useState(false);
  const done = shown >= log.epochs.length;

  useEffect(() => {
    if (done || !timed) return undefined;
    const timer = setInterval(() => {
      const played = now() - startedAt;
      let k = shown;
      if (pace !== undefined) k = Math.min(log.epochs.length, Math.floor((played * pace) / 1000));
      else while (k < log.epochs.length && log.epochs[k].elapsed_ms <= played * speed!) k++;
      setShown(k);
    }, 1000 / 12);
    return () => clearInterval(timer);
  }, [done, speed, pace, shown]);

  useEffect(() => {
    if (done) exit();
  }, [done]);

  useInput(
    (input, key) => {
      if (input.includes('q') || (key.ctrl && input === 'c')) setShown(log.epochs.length); // jump to the end
      if (input.includes('l')) setLogScale((on) => !on);
    },
    { isActive: interactive && !done },
  );

  // One store, filled as epochs come due: a frame costs the same after ten epochs or a million.
  const fill = useRef<{ store: MetricsStore; pushed: number } | null>(null);
  fill.current ??= { store: new MetricsStore(log.start, log.file), pushed: 0 };
  const { store } = fill.current;
  for (; fill.current.pushed < shown; fill.current.pushed++) store.push(log.epochs[fill.current.pushed]);
  if (done && !store.finished) store.finish(end);
  const last = log.epochs[Math.max(0, shown - 1)];
  store.parameters([], last?.bias ?? NaN); // a log records only the bias until its end
  const view = store.view({ paused: false, learningRate: last?.learning_rate ?? log.start.config.learning_rate, pace }, store.defaultSmoothing);
  return (
    <Dashboard
      view={view}
      width={width}
      height={height}
      logScale={logScale}
      colors={colors}
      finished={`replay of ${log.file} · recorded status: ${outcome.status}`}
      keys="replaying · l log scale · q jump to the end"
    />
  );
}

export async function replayDashboard(log: RunLog, timing: ReplayTiming, stdout: NodeJS.WriteStream, stdin: NodeJS.ReadStream): Promise<void> {
  const io = { stdout, stdin };
  const instance = mountScreen(<Replay log={log} colors={screenColors(stdout)} timing={timing} interactive={readsKeys(io)} />, io);
  await instance.waitUntilExit();
}
