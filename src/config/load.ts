import { fileErrorCause } from '../files/causes.js';
import { basename, dirname, extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { firstInvalidUtf8, invalidUtf8Text, lineAndColumn, notUtf8, readBytes, SourceRefused } from '../data/source.js';
import { InputError, type Problem } from '../errors.js';
import type { KeyPath } from './keypath.js';
import { schemaIssues } from './messages.js';
import { trainingOptionIssues } from './options.js';
import { validateAgainstSchema } from './schema.js';
import { ConfigSource, type Span } from './source.js';
import { MAX_NESTING, overIndentedLine, scanFlow, structureProblems, unclosedMessage } from './syntax.js';
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
/** Names that would reach JavaScript's object machinery rather than a config key. */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

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
  const reserved = path.find((s) => RESERVED_KEYS.has(s));
  if (reserved) {
    // As in a file, where these are unknown keys: never let them reach an object's prototype.
    throw new InputError([
      { where: flag, message: `\`${reserved}\` is not a config key (it names a JavaScript built-in); see \`neuron-tui schema\` for the keys` },
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
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    // A list grows by one at a time: an index past its end would make holes (or exhaust memory).
    if (Array.isArray(node) && !(/^\d+$/.test(key) && Number(key) <= node.length)) {
      const list = path.slice(0, i).join('.');
      const why = /^\d+$/.test(key) ? `is more than one past the end of \`${list}\`` : `is not an index of the list \`${list}\``;
      return { where: override.flag, message: `\`${key}\` ${why} (${node.length} item${node.length === 1 ? '' : 's'}); use an index from 0 to ${node.length}` };
    }
    if (i === path.length - 1) break;
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

/**
 * The config's text. Pipes and devices (`<(cmd)`, /dev/stdin) are read up to the same size limit as
 * files; a file that is not UTF-8 (UTF-16 by its byte order mark or NUL bytes, Latin-1) is refused
 * naming the encoding, never parsed as garbage.
 */
function readConfigText(file: string): string {
  const refuse = (message: string, where = file): never => {
    throw new InputError([{ where, message }]);
  };
  let bytes: Uint8Array;
  try {
    bytes = readBytes(file, MAX_CONFIG_BYTES, (first) => {
      const encoding = notUtf8(first);
      if (encoding) refuse(`the config is ${encoding}; save it as UTF-8`);
    });
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (error instanceof SourceRefused) {
      return refuse(
        error.size === undefined
          ? `the config ${error.message.replace(/^it /, '')}; configs over 1 MiB are refused`
          : `the config is ${error.size} bytes; configs over 1 MiB are refused`,
      );
    }
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') return refuse('cannot read the config: it is a folder; give the path of a YAML config file');
    return refuse(`cannot read the config: ${fileErrorCause(error)} (looked at ${resolve(file)})`);
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad !== -1) {
    const { line, column } = lineAndColumn(bytes, bad);
    refuse(`the config ${invalidUtf8Text(bytes, bad).replace(/^it /, '')}`, `${file}:${line}:${column}`);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/**
 * The user's mistake behind the parser's first error, when it can be named: nesting too deep (the
 * parser's own stack gave out), a second document, a bracket or quote never closed (where it
 * opened), or a line indented deeper than the key above it. Null: show the parser's messages.
 */
function syntaxProblem(source: ConfigSource): { offset: number; end: number; message: string } | null {
  const errors = source.doc.errors;
  if (errors.length === 0) return null;
  const text = source.text;
  const flow = scanFlow(text);
  const first = errors[0].pos[0];
  if (errors.some((e) => /call stack/i.test(e.message)) || flow.tooDeep !== null) {
    const offset = flow.tooDeep ?? first;
    return { offset, end: offset + 1, message: `mappings and lists are nested more than ${MAX_NESTING} deep here; a config needs a few levels` };
  }
  const second = errors.find((e) => e.code === 'MULTIPLE_DOCS');
  if (second) {
    return {
      offset: second.pos[0],
      end: second.pos[0] + 3,
      message: 'a second YAML document starts here; a config is one document: remove this `---` and what follows, or move it to a file of its own',
    };
  }
  if (flow.unclosed) return { offset: flow.unclosed.offset, end: flow.unclosed.offset + 1, message: unclosedMessage(flow.unclosed.char) };
  const over = overIndentedLine(text);
  if (over && over.offset <= Math.max(...errors.map((e) => e.pos[1]))) {
    return {
      offset: over.offset,
      end: over.end,
      message: `line ${over.line} is indented more than \`${over.key}\` above it; keys of one mapping start in the same column (column ${over.column})`,
    };
  }
  return null;
}

/** Reads, parses, overrides, validates and resolves one config file. Throws InputError with every problem. */
export function loadConfig(file: string, overrides: readonly Override[] = []): LoadedConfig {
  return loadConfigText(file, readConfigText(file), overrides);
}

export function loadConfigText(file: string, text: string, overrides: readonly Override[] = []): LoadedConfig {
  // CR-only line endings (old Mac editors) become LF: same length, so every offset stays put.
  const source = new ConfigSource(file, text.replace(/^\uFEFF/, '').replace(/\r(?!\n)/g, '\n'));
  const located: { offset: number; problem: Problem }[] = [];
  const flagged: Problem[] = [];
  const at = (span: Span, message: string): void => {
    located.push({ offset: span.start, problem: source.problemAt(span, message) });
  };
  const fail = (): never => {
    located.sort((a, b) => a.offset - b.offset);
    throw new InputError([...located.map((l) => l.problem), ...flagged]);
  };

  const syntax = syntaxProblem(source);
  if (syntax) {
    at({ start: syntax.offset, end: syntax.end }, syntax.message);
    fail();
  }
  // Tags are reported by structureProblems, in words, whether YAML could resolve them or not.
  for (const e of [...source.doc.errors, ...source.doc.warnings.filter((w) => w.code !== 'TAG_RESOLVE_FAILED')]) {
    at({ start: e.pos[0], end: e.pos[1] }, `YAML: ${e.message.split('\n')[0]}`);
  }
  for (const p of located.length ? [] : structureProblems(source.doc, source.text)) at({ start: p.offset, end: p.end }, p.message);
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

  const overrideFor = (path: KeyPath): Override | undefined => [...overrides].reverse().find((o) => startsWith(path, o.path) || startsWith(o.path, path));
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
    report(
      ['data'],
      source.mappingSpan(['data']),
      both
        ? '`data` has both `path` and `synthetic`; keep exactly one: a CSV file or generated rows'
        : '`data` needs exactly one of `path` (a CSV file) or `synthetic` (generated rows)',
    );
  }
  for (const issue of trainingOptionIssues(value)) report([...issue.parent, issue.key], source.keySpan(issue.parent, issue.key), issue.message);
  const init = config.init as Record<string, unknown>;
  if (init.from === undefined && init.weights !== undefined && (init.distribution !== undefined || init.scale !== undefined)) {
    report(['init'], source.mappingSpan(['init']), '`init` has exact `weights` and a random `distribution`/`scale`; keep one of the two');
  }
  if (data.synthetic && Array.isArray(init.weights) && init.weights.length !== data.synthetic.weights.length) {
    report(
      ['init', 'weights'],
      source.valueSpan(['init', 'weights']),
      `\`init.weights\` has ${init.weights.length} values but \`data.synthetic.weights\` makes ${data.synthetic.weights.length} features`,
    );
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
