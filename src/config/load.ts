import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fileErrorCause } from '../files/causes.js';
import { InputError, type Problem } from '../errors.js';
import type { KeyPath } from './keypath.js';
import { schemaIssues } from './messages.js';
import { trainingOptionIssues } from './options.js';
import { validateAgainstSchema } from './schema.js';
import { ConfigSource, type Span } from './source.js';
import type { RunConfig } from './types.js';

/** Configs are small; anything larger is a mistake or an attack, refused before parsing. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Aliases expand on conversion; a few dozen is plenty for a config and stops alias bombs early. */
const MAX_ALIAS_COUNT = 50;

export interface Override {
  /** The flag as the user typed it: `--set learning_rate=0.1`. */
  flag: string;
  path: string[];
  value: unknown;
}

export interface LoadedConfig {
  config: RunConfig;
  /** The config file as the user named it. */
  file: string;
  /** The CSV's absolute path, when the data is a file. */
  dataFile?: string;
  /** A problem at a config key: in the file with a code frame, or at the `--set` flag that set it. */
  problemAt(path: KeyPath, message: string): Problem;
}

const KEY_SEGMENT = /^(?:[A-Za-z_][A-Za-z0-9_]*|\d+)$/;

/** Parses one `--set KEY=VALUE`; the value is read as YAML, so `0.1`, `true`, `[1, 2]` and `full` all work. */
export function parseOverride(text: string): Override {
  const flag = `--set ${text}`;
  const eq = text.indexOf('=');
  const key = eq === -1 ? '' : text.slice(0, eq).trim();
  const path = key.split('.');
  if (eq === -1 || !path.every((s) => KEY_SEGMENT.test(s))) {
    throw new InputError([
      { where: flag, message: 'expected KEY=VALUE with a dotted key, e.g. `--set learning_rate=0.1` or `--set data.validation_split=0.2`' },
    ]);
  }
  let value: unknown;
  try {
    value = parseYaml(text.slice(eq + 1));
  } catch (error) {
    throw new InputError([{ where: flag, message: `the value is not valid YAML: ${(error as Error).message.split('\n')[0]}` }]);
  }
  return { flag, path, value };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function applyOverride(root: Record<string, unknown>, override: Override): Problem | undefined {
  let node: Record<string, unknown> | unknown[] = root;
  const { path } = override;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i];
    const next: unknown = Array.isArray(node) ? node[Number(key)] : Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined || next === null) {
      const created = {};
      if (Array.isArray(node)) node[Number(key)] = created;
      else node[key] = created;
      node = created;
    } else if (isMapping(next) || Array.isArray(next)) {
      node = next;
    } else {
      return { where: override.flag, message: `\`${path.slice(0, i + 1).join('.')}\` is ${typeof next}, not a mapping, so it has no key \`${path[i + 1]}\`` };
    }
  }
  const last = path[path.length - 1];
  if (Array.isArray(node)) node[Number(last)] = override.value;
  else Object.defineProperty(node, last, { value: override.value, enumerable: true, writable: true, configurable: true });
  return undefined;
}

/** `data: file.csv` is shorthand for `data: {path: file.csv}`. */
function expandDataShorthand(value: Record<string, unknown>): void {
  if (typeof value.data === 'string') value.data = { path: value.data };
}

function startsWith(path: KeyPath, prefix: KeyPath): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => String(k) === String(path[i]));
}

function readConfigText(file: string): string {
  let size: number;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new InputError([{ where: file, message: 'is a folder; give the path of a YAML config file' }]);
    if (!stat.isFile()) throw new InputError([{ where: file, message: 'is not a regular file; give the path of a YAML config file' }]);
    size = stat.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : fileErrorCause(error);
    throw new InputError([{ where: file, message: `cannot read the config: ${why} (looked at ${resolve(file)})` }]);
  }
  if (size > MAX_CONFIG_BYTES) {
    throw new InputError([{ where: file, message: `the config is ${size} bytes; configs over 1 MiB are refused` }]);
  }
  return readFileSync(file, 'utf8');
}

/** Reads, parses, overrides, validates and resolves one config file. Throws InputError with every problem. */
export function loadConfig(file: string, overrides: readonly Override[] = []): LoadedConfig {
  return loadConfigText(file, readConfigText(file), overrides);
}

export function loadConfigText(file: string, text: string, overrides: readonly Override[] = []): LoadedConfig {
  const source = new ConfigSource(file, text.replace(/^\uFEFF/, ''));
  const located: { offset: number; problem: Problem }[] = [];
  const flagged: Problem[] = [];
  const at = (span: Span, message: string): void => {
    located.push({ offset: span.start, problem: source.problemAt(span, message) });
  };
  const fail = (): never => {
    located.sort((a, b) => a.offset - b.offset);
    throw new InputError([...located.map((l) => l.problem), ...flagged]);
  };

  for (const e of [...source.doc.errors, ...source.doc.warnings]) {
    at({ start: e.pos[0], end: e.pos[1] }, `YAML: ${e.message.split('\n')[0]}`);
  }
  if (located.length) fail();

  let raw: unknown;
  try {
    raw = source.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    at({ start: 0, end: 0 }, `YAML: ${(error as Error).message.split('\n')[0]} (aliases are limited to ${MAX_ALIAS_COUNT})`);
    fail();
  }
  if (raw === null || raw === undefined) {
    at({ start: 0, end: 0 }, 'the config is empty; it needs at least `data`, `learning_rate` and `epochs`');
    fail();
  }
  if (!isMapping(raw)) {
    at(source.valueSpan([]), 'the config must be a mapping of keys to values, e.g. `learning_rate: 0.01`');
    fail();
  }
  const value = raw as Record<string, unknown>;
  expandDataShorthand(value);
  for (const override of overrides) {
    const problem = applyOverride(value, override);
    if (problem) flagged.push(problem);
    expandDataShorthand(value); // so `--set data=file.csv --set data.missing=skip` works too
  }
  if (flagged.length) fail();

  const overrideFor = (path: KeyPath): Override | undefined =>
    [...overrides].reverse().find((o) => startsWith(path, o.path) || startsWith(o.path, path));
  const problemAt = (path: KeyPath, message: string): Problem => {
    const override = overrideFor(path);
    if (override) return { where: override.flag, message };
    return source.problemAt(source.valueSpan(path), message);
  };
  const report = (path: KeyPath, span: Span, message: string): void => {
    const override = overrideFor(path);
    if (override) flagged.push({ where: override.flag, message });
    else at(span, message);
  };

  for (const issue of schemaIssues(validateAgainstSchema(value))) {
    if (issue.kind === 'unknown-key') report([...issue.parent, issue.key], source.keySpan(issue.parent, issue.key), issue.message);
    else if (issue.kind === 'missing-key') report(issue.parent, source.mappingSpan(issue.parent), issue.message);
    else report(issue.path, source.valueSpan(issue.path), issue.message);
  }
  if (located.length || flagged.length) fail();

  const config = value as unknown as RunConfig;
  const data = config.data;
  if ((data.path === undefined) === (data.synthetic === undefined)) {
    const both = data.path !== undefined;
    report(['data'], source.mappingSpan(['data']), both
      ? '`data` has both `path` and `synthetic`; keep exactly one: a CSV file or generated rows'
      : '`data` needs exactly one of `path` (a CSV file) or `synthetic` (generated rows)');
  }
  for (const issue of trainingOptionIssues(value)) report([...issue.parent, issue.key], source.keySpan(issue.parent, issue.key), issue.message);
  const init = config.init as Record<string, unknown>;
  if (init.from === undefined && init.weights !== undefined && (init.distribution !== undefined || init.scale !== undefined)) {
    report(['init'], source.mappingSpan(['init']), '`init` has exact `weights` and a random `distribution`/`scale`; keep one of the two');
  }
  if (data.synthetic && Array.isArray(init.weights) && init.weights.length !== data.synthetic.weights.length) {
    report(['init', 'weights'], source.valueSpan(['init', 'weights']),
      `\`init.weights\` has ${init.weights.length} values but \`data.synthetic.weights\` makes ${data.synthetic.weights.length} features`);
  }
  if (data.synthetic && (data.target !== undefined || data.features !== undefined)) {
    const key = data.target !== undefined ? 'target' : 'features';
    report(['data', key], source.keySpan(['data'], key), `\`data.${key}\` names CSV columns; synthetic data has columns x1..xd and y`);
  }
  if (located.length || flagged.length) fail();

  if (init.weights === undefined && init.from === undefined) {
    init.distribution ??= 'normal';
    init.scale ??= 0.1;
  }
  config.name ??= basename(file, extname(file));
  return {
    config,
    file,
    dataFile: data.path === undefined ? undefined : resolve(dirname(file), data.path),
    problemAt,
  };
}
