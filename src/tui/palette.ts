import { cyan, magenta, yellow } from 'asciichart';

/** Colours of the dashboard; every field is undefined when colour is off. */
export interface Palette {
  /** Ink colour names. */
  train?: string;
  validation?: string;
  good?: string;
  warn?: string;
  bad?: string;
  accent?: string;
  dim: boolean;
  /** ANSI codes for asciichart lines. */
  chartTrain?: string;
  chartValidation?: string;
  chartOther?: string;
}

/** FORCE_COLOR forces colour (unless it is 0), NO_COLOR turns it off, else colour on a terminal. */
export function colorEnabled(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY;
}

export function palette(enabled: boolean): Palette {
  if (!enabled) return { dim: false };
  return {
    train: 'cyan',
    validation: 'magenta',
    good: 'green',
    warn: 'yellow',
    bad: 'red',
    accent: 'blueBright',
    dim: true,
    chartTrain: cyan,
    chartValidation: magenta,
    chartOther: yellow,
  };
}
