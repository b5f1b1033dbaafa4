import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Scalar, type YAMLMap } from 'yaml';
import type { Problem } from '../errors.js';
import type { KeyPath } from './keypath.js';

/** A span of the config text, as offsets. */
export interface Span {
  start: number;
  end: number;
}

/**
 * The YAML text of a config with its parsed document, so that any problem found later, by the
 * schema or by the data loader, can point at the line and column it comes from.
 */
export class ConfigSource {
  readonly doc: Document;
  private readonly lines = new LineCounter();
  private readonly keySpanCache = new WeakMap<YAMLMap, Map<string, Span>>();

  constructor(
    /** The path as the user wrote it: problems are reported with it. */
    readonly file: string,
    readonly text: string,
  ) {
    // uniqueKeys off: yaml's own check compares each key with every earlier one (10,000 keys took
    // seconds); a duplicated key is still an error, found in one pass by structureProblems.
    // merge: `<<: *base` merges a mapping's keys, as YAML 1.1 and most tools do.
    this.doc = parseDocument(text, { lineCounter: this.lines, uniqueKeys: false, prettyErrors: false, strict: true, merge: true });
  }

  /** The value at `path`, or the deepest ancestor that exists (e.g. `data: file.csv` for `data.path`). */
  valueSpan(path: KeyPath): Span {
    let node: unknown = this.doc.contents;
    let span = this.nodeSpan(node) ?? { start: 0, end: 0 };
    for (const key of path) {
      const next = isMap(node) || isSeq(node) ? node.get(key, true) : undefined;
      const nextSpan = this.nodeSpan(next);
      if (!nextSpan) break;
      node = next;
      span = nextSpan;
    }
    return span;
  }

  /** The key `key` inside the mapping at `parent`, or that mapping when the key is absent. */
  keySpan(parent: KeyPath, key: string): Span {
    const map = parent.length === 0 ? this.doc.contents : this.doc.getIn(parent, true);
    return (isMap(map) && this.keySpans(map).get(key)) || this.valueSpan(parent);
  }

  /** Each key's span in one mapping, built once: a config with thousands of unknown keys stays linear. */
  private keySpans(map: YAMLMap): Map<string, Span> {
    let spans = this.keySpanCache.get(map);
    if (!spans) {
      spans = new Map();
      for (const pair of map.items) {
        const span = isPair(pair) && isScalar(pair.key) ? this.nodeSpan(pair.key) : undefined;
        const key = span && String((pair.key as Scalar).value);
        if (key !== undefined && span && !spans.has(key)) spans.set(key, span);
      }
      this.keySpanCache.set(map, spans);
    }
    return spans;
  }

  /** Where a mapping starts: for a missing key, point at the mapping that lacks it (its first key). */
  mappingSpan(path: KeyPath): Span {
    const span = this.valueSpan(path);
    const lineEnd = this.text.indexOf('\n', span.start);
    return { start: span.start, end: Math.min(span.end, lineEnd === -1 ? this.text.length : lineEnd) };
  }

  problemAt(span: Span, message: string): Problem {
    const { line, col } = this.lines.linePos(span.start);
    return { where: `${this.file}:${line}:${col}`, message, frame: this.frame(span) };
  }

  /** The offending line with its number and a caret under the span, like a compiler's code frame. */
  frame(span: Span): string {
    const { line, col } = this.lines.linePos(span.start);
    const lineStart = this.lines.lineStarts[line - 1] ?? 0;
    let lineEnd = this.text.indexOf('\n', lineStart);
    if (lineEnd === -1) lineEnd = this.text.length;
    const source = this.text.slice(lineStart, lineEnd).replace(/\r$/, '');
    if (source.trim() === '') return '';
    const gutter = String(line).length;
    // A long line is shown as a window of 120 characters around the column, so the caret is under it.
    const from = col > 100 ? col - 60 : 0;
    let shown = source.slice(from, from + 120);
    if (from + 120 < source.length) shown = `${shown.slice(0, 117)}...`;
    if (from > 0) shown = `...${shown.slice(3)}`;
    const caretAt = col - 1 - from;
    const width = Math.max(1, Math.min(span.end, lineStart + source.length) - span.start);
    return [
      ` ${String(line)} | ${shown}`,
      ` ${' '.repeat(gutter)} | ${' '.repeat(caretAt)}${'^'.repeat(Math.min(width, 80, Math.max(1, 120 - caretAt)))}`,
    ].join('\n');
  }

  private nodeSpan(node: unknown): Span | undefined {
    const range = (node as Node | undefined)?.range;
    return range ? { start: range[0], end: range[1] } : undefined;
  }
}
