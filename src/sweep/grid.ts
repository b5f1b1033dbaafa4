import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { InputError } from '../errors.js';

/** The most runs one sweep may expand to; a typo like `geom(1e-5,1,100000)` should not start a fork bomb. */
export const MAX_RUNS = 1000;

/** One `--set KEY=V1,V2,...` of a sweep: the key and the values it takes, in order. */
export interface SweepAxis {
  flag: string;
  key: string;
  /** Each value as the text passed on to `run --set KEY=TEXT`, so a run is reproducible from its id. */
  values: string[];
}

/** One run of the sweep: its id and the `--set` texts that make it. */
export interface SweepRun {
  /** The settings that vary between runs, e.g. `learning_rate=0.05,batch_size=32`; `run` when nothing varies. */
  id: string;
  /** Every axis's setting, fixed ones included: `{learning_rate: '0.05', epochs: '100'}`. */
  settings: Record<string, string>;
  /** `KEY=VALUE` for each axis, as `run --set` takes them. */
  sets: string[];
}

/** Rounds away binary noise (0.30000000000000004) so a value's text is the value the run used. */
function tidy(value: number, digits: number): number {
  return Number(value.toPrecision(digits));
}

function numberArgs(flag: string, name: string, inner: string): number[] {
  const parts = inner.split(',').map((p) => p.trim());
  const numbers = parts.map(Number);
  if (parts.some((p) => p === '') || numbers.some((n) => !Number.isFinite(n))) {
    throw new InputError([
      { where: flag, message: `${name}(…) takes numbers, e.g. ${name === 'geom' ? 'geom(0.001,0.1,5)' : 'range(100,500,100)'}; got ${name}(${inner})` },
    ]);
  }
  return numbers;
}

/** `range(a,b[,step])`: a, a + step, … up to but not including b, as Python's range (floats allowed). */
function rangeValues(flag: string, inner: string): number[] {
  const args = numberArgs(flag, 'range', inner);
  if (args.length < 2 || args.length > 3)
    throw new InputError([{ where: flag, message: `range takes 2 or 3 numbers: range(start,stop[,step]); got range(${inner})` }]);
  const [start, stop, step = 1] = args;
  if (step === 0) throw new InputError([{ where: flag, message: 'range(…) needs a step that is not 0' }]);
  const count = Math.ceil((stop - start) / step - 1e-9);
  if (count <= 0) throw new InputError([{ where: flag, message: `range(${inner}) is empty: with step ${step} it never goes from ${start} towards ${stop}` }]);
  if (count > MAX_RUNS) throw new InputError([{ where: flag, message: `range(${inner}) has ${count} values; a sweep takes at most ${MAX_RUNS} runs` }]);
  return Array.from({ length: count }, (_, k) => tidy(start + k * step, 12));
}

/** `geom(a,b,n)`: n values from a to b (both included), evenly spaced on a log scale, as numpy's geomspace; 6 significant digits. */
function geomValues(flag: string, inner: string): number[] {
  const args = numberArgs(flag, 'geom', inner);
  if (args.length !== 3) throw new InputError([{ where: flag, message: `geom takes 3 numbers: geom(start,stop,count); got geom(${inner})` }]);
  const [start, stop, n] = args;
  if (!(start > 0 && stop > 0))
    throw new InputError([{ where: flag, message: `geom(${inner}) needs start and stop > 0 (a log scale), e.g. geom(0.001,0.1,5)` }]);
  if (!Number.isInteger(n) || n < 1 || n > MAX_RUNS)
    throw new InputError([{ where: flag, message: `geom(${inner}): the count must be a whole number from 1 to ${MAX_RUNS}` }]);
  if (n === 1) return [tidy(start, 6)];
  const ratio = Math.log(stop / start) / (n - 1);
  return Array.from({ length: n }, (_, k) => tidy(k === n - 1 ? stop : start * Math.exp(ratio * k), 6));
}

/** Splits at commas outside brackets, braces and quotes, so `[1, 2],[3, 4]` is two values. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts.map((p) => p.trim());
}

/** A value's text for `run --set`: numbers in their shortest exact form, anything else as one-line YAML. */
function valueText(value: unknown): string {
  if (typeof value === 'number') return String(value);
  return stringifyYaml(value, { collectionStyle: 'flow' }).trim();
}

/** Parses one sweep `--set KEY=V1,V2,...` (or `range(…)`, `geom(…)`; a single value is a fixed override). */
export function parseAxis(text: string): SweepAxis {
  const flag = `--set ${text}`;
  const eq = text.indexOf('=');
  const key = eq === -1 ? '' : text.slice(0, eq).trim();
  if (eq === -1 || !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/.test(key)) {
    throw new InputError([
      { where: flag, message: 'expected KEY=V1,V2,... with a dotted key, e.g. `--set learning_rate=0.01,0.1` or `--set learning_rate=geom(0.001,0.1,5)`' },
    ]);
  }
  const spec = text.slice(eq + 1).trim();
  const call = /^(range|geom)\((.*)\)$/.exec(spec);
  if (call) {
    const numbers = call[1] === 'range' ? rangeValues(flag, call[2]) : geomValues(flag, call[2]);
    return { flag, key, values: numbers.map(valueText) };
  }
  const values = splitTopLevel(spec).map((part) => {
    if (part === '')
      throw new InputError([{ where: flag, message: `an empty value in the list "${spec}"; separate values with single commas, e.g. 0.01,0.1` }]);
    try {
      return valueText(parseYaml(part));
    } catch (error) {
      throw new InputError([{ where: flag, message: `"${part}" is not a YAML value: ${(error as Error).message.split('\n')[0]}` }]);
    }
  });
  return { flag, key, values };
}

/** The cartesian product of the axes, the first axis varying slowest (as itertools.product). */
export function sweepRuns(axes: readonly SweepAxis[]): SweepRun[] {
  const keys = new Set<string>();
  for (const axis of axes) {
    if (keys.has(axis.key))
      throw new InputError([{ where: axis.flag, message: `\`${axis.key}\` is set twice; give all its values in one --set, e.g. --set ${axis.key}=a,b,c` }]);
    keys.add(axis.key);
  }
  const total = axes.reduce((product, axis) => product * axis.values.length, 1);
  if (total > MAX_RUNS) {
    throw new InputError([{ where: 'sweep', message: `the --set lists make ${total} runs; a sweep takes at most ${MAX_RUNS}` }]);
  }
  const varying = axes.filter((axis) => new Set(axis.values).size > 1);
  const runs: SweepRun[] = [];
  for (let index = 0; index < total; index++) {
    const settings: Record<string, string> = {};
    let rest = index;
    for (let a = axes.length - 1; a >= 0; a--) {
      const { key, values } = axes[a];
      settings[key] = values[rest % values.length];
      rest = Math.floor(rest / values.length);
    }
    const ordered = Object.fromEntries(axes.map((axis) => [axis.key, settings[axis.key]]));
    const id = varying.map((axis) => `${axis.key}=${ordered[axis.key]}`).join(',') || 'run';
    runs.push({ id, settings: ordered, sets: axes.map((axis) => `${axis.key}=${ordered[axis.key]}`) });
  }
  const seen = new Set<string>();
  for (const run of runs) {
    if (seen.has(run.id)) throw new InputError([{ where: 'sweep', message: `two runs would both be ${run.id}; a --set list repeats a value` }]);
    seen.add(run.id);
  }
  return runs;
}

/** A file name for a run's log: its id with anything outside [A-Za-z0-9._=,-] replaced. */
export function runFileName(id: string): string {
  return `${id.replace(/[^A-Za-z0-9._=,-]/g, '_').slice(0, 200)}.jsonl`;
}

/** The keys whose values are not the same in every one of the settings (a key missing somewhere differs), in first-seen order. */
export function differingKeys(settings: readonly Record<string, string>[]): string[] {
  const keys = [...new Set(settings.flatMap((s) => Object.keys(s)))];
  return keys.filter((key) => new Set(settings.map((s) => (key in s ? s[key] : undefined))).size > 1);
}

/** A run's label: its differing settings as `key=value,key=value`. */
export function settingsLabel(settings: Record<string, string>, keys: readonly string[]): string {
  return keys
    .filter((key) => key in settings)
    .map((key) => `${key}=${settings[key]}`)
    .join(',');
}
