import { render, useApp, useInput, useStdout } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { logOutcome, type RunLog } from '../logs/read.js';
import type { EndEvent } from '../train/events.js';
import { Dashboard } from './Dashboard.js';
import { colorEnabled, palette, type Palette } from './palette.js';
import { MetricsStore } from './store.js';

/** A log cut short (the process was killed) has no end event: its last epoch stands in for one. */
export function endOf(log: RunLog): EndEvent {
  if (log.end) return log.end;
  const last = log.epochs[log.epochs.length - 1];
  const { best } = logOutcome(log);
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
  /** Replay in time at this multiple of the recorded pace; absent: the finished run at once. */
  speed?: number;
  size?: { width: number; height: number };
  interactive?: boolean;
  now?: () => number;
}

/** The recorded run in the training dashboard: all at once, or re-played at `speed`. */
export function Replay({ log, colors, speed, size, interactive = true, now = () => performance.now() }: ReplayProps) {
  const { stdout } = useStdout();
  const { exit } = useApp();
  const [startedAt] = useState(now);
  const [shown, setShown] = useState(speed === undefined ? log.epochs.length : 0);
  const [logScale, setLogScale] = useState(false);
  const done = shown >= log.epochs.length;

  useEffect(() => {
    if (done || speed === undefined) return undefined;
    const timer = setInterval(() => {
      const replayed = (now() - startedAt) * speed;
      let k = shown;
      while (k < log.epochs.length && log.epochs[k].elapsed_ms <= replayed) k++;
      setShown(k);
    }, 1000 / 12);
    return () => clearInterval(timer);
  }, [done, speed, shown]);

  useEffect(() => {
    if (done) exit();
  }, [done]);

  useInput(
    (input) => {
      if (input.includes('q')) setShown(log.epochs.length); // jump to the end
      if (input.includes('l')) setLogScale((on) => !on);
    },
    { isActive: interactive && !done },
  );

  // One store, filled as epochs come due: a frame costs the same after ten epochs or a million.
  const fill = useRef<{ store: MetricsStore; pushed: number } | null>(null);
  fill.current ??= { store: new MetricsStore(log.start, log.file, () => 0), pushed: 0 };
  const { store } = fill.current;
  for (; fill.current.pushed < shown; fill.current.pushed++) store.push(log.epochs[fill.current.pushed]);
  if (done && !store.finished) store.finish(endOf(log));
  const last = log.epochs[Math.max(0, shown - 1)];
  const view = store.view({
    paused: false,
    learningRate: last?.learning_rate ?? log.start.config.learning_rate,
    weights: done ? endOf(log).weights : [],
    bias: last?.bias ?? NaN,
  });
  const width = size?.width ?? (stdout.columns || 80);
  const height = size?.height ?? (stdout.rows || 24);
  return (
    <Dashboard
      view={view}
      width={width}
      height={height}
      logScale={logScale}
      colors={colors}
      finished={`replay of ${log.file} · recorded status: ${endOf(log).status}`}
      keys="replaying · l log scale · q jump to the end"
    />
  );
}

export async function replayDashboard(log: RunLog, speed: number | undefined, stdout: NodeJS.WriteStream, stdin: NodeJS.ReadStream): Promise<void> {
  const colors = palette(colorEnabled(process.env, Boolean(stdout.isTTY)));
  const instance = render(<Replay log={log} colors={colors} speed={speed} interactive={Boolean(stdin.isTTY)} />, {
    stdout,
    stdin,
    exitOnCtrlC: true,
    patchConsole: false,
  });
  await instance.waitUntilExit();
}
