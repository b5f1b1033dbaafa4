import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';

/**
 * Where a YAML mistake was made, rather than where the parser gave up: an opening bracket or quote
 * that is never closed, a line indented deeper than the key above it, nesting beyond the limit, and
 * tags outside the JSON core schema. Each returns an offset into the text and a sentence.
 */
export interface SyntaxProblem {
  offset: number;
  end: number;
  message: string;
}

/** Mappings and lists nest at most this deep: a config needs 4; the limit stops stack overflows. */
export const MAX_NESTING = 64;

/** The tags of YAML's JSON-compatible core schema: anything else (`!!set`, `!!binary`, `!foo`) is refused. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

const CLOSER: Record<string, string> = { '[': ']', '{': '}' };

/**
 * Scans the text for flow brackets and quotes (skipping comments and quoted text): the innermost
 * opener still open at the end, or the first bracket nested deeper than MAX_NESTING.
 */
export function scanFlow(text: string): { unclosed: { char: string; offset: number } | null; tooDeep: number | null } {
  const stack: { char: string; offset: number }[] = [];
  let quote: { char: string; offset: number } | null = null;
  let tooDeep: number | null = null;
  let previous = '\n'; // the last character that is not a space, on this line
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (quote.char === '"' && c === '\\') i++;
      else if (c === quote.char) {
        if (c === "'" && text[i + 1] === "'") i++;
        else {
          quote = null;
          previous = c;
        }
      }
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    if (c === '\n') {
      previous = '\n';
      continue;
    }
    if (c === ' ' || c === '\t') continue;
    // Quotes and brackets open something only where a value can start (`don't`, `run[1` are plain words).
    const valueStart = ':-[{,?\n'.includes(previous);
    if ((c === '"' || c === "'") && valueStart) quote = { char: c, offset: i };
    else if ((c === '[' || c === '{') && (valueStart || stack.length > 0)) {
      stack.push({ char: c, offset: i });
      // The config's own top-level mapping is the first level.
      if (stack.length >= MAX_NESTING && tooDeep === null) tooDeep = i;
    } else if ((c === ']' || c === '}') && stack.length && CLOSER[stack[stack.length - 1].char] === c) stack.pop();
    previous = c;
  }
  return { unclosed: quote ?? stack[stack.length - 1] ?? null, tooDeep };
}

/** The sentence for an opener that is never closed. */
export function unclosedMessage(char: string): string {
  if (char === '"' || char === "'")
    return `the ${char === '"' ? 'double' : 'single'}-quoted string that opens here is never closed; add the closing \`${char}\``;
  const what = char === '[' ? 'list' : 'mapping';
  return `the \`${char}\` that opens this ${what} is never closed; add \`${CLOSER[char]}\` where the ${what} ends`;
}

const KEY_LINE = /^( *)(?:"[^"]*"|'[^']*'|[^\s#"'\-?:[{][^#]*?)\s*:(?:\s+(.*))?$/;

/**
 * The first line indented deeper than the `key: value` line above it (a sibling key pushed right,
 * which YAML reads as a continuation of the value). Only asked after the parser found an error.
 */
export function overIndentedLine(text: string): { line: number; offset: number; end: number; key: string; column: number } | null {
  const lines = text.split('\n');
  let offset = 0;
  let previous: { indent: number; key: string; value: string } | null = null;
  for (let n = 0; n < lines.length; offset += lines[n].length + 1, n++) {
    const line = lines[n].replace(/\r$/, '');
    const content = line.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    if (content === '---' || content === '...') {
      previous = null;
      continue;
    }
    const indent = line.length - content.length;
    if (previous && indent > previous.indent && previous.value !== '' && !/^[|>&!]/.test(previous.value) && /:(\s|$)/.test(content)) {
      return { line: n + 1, offset: offset + indent, end: offset + line.length, key: previous.key, column: previous.indent + 1 };
    }
    const match = KEY_LINE.exec(line);
    previous = match
      ? {
          indent,
          key: content
            .slice(0, content.indexOf(':'))
            .trim()
            .replace(/^["']|["']$/g, ''),
          value: (match[2] ?? '').replace(/\s+#.*$/, '').trim(),
        }
      : null;
  }
  return null;
}

/** Nodes nested deeper than MAX_NESTING, and tags outside the core schema: found without recursion. */
export function structureProblems(doc: Document, text: string): SyntaxProblem[] {
  const problems: SyntaxProblem[] = [];
  let lineStarts: number[] | null = null;
  const lineOf = (offset: number): number => {
    lineStarts ??= [0, ...[...text.matchAll(/\n/g)].map((m) => m.index + 1)];
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  const pending: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  let deep = false;
  while (pending.length) {
    const { node, depth } = pending.pop()!;
    if (!node || isAlias(node)) continue;
    const range = (node as Node).range;
    const at = range ? { offset: range[0], end: range[1] } : { offset: 0, end: 0 };
    const tag = (node as Node).tag;
    if (tag && !CORE_TAGS.has(tag)) {
      const written = tag.replace(/^tag:yaml\.org,2002:/, '!!');
      // The node's range starts at its value: point at the tag written before it.
      const tagAt = text.lastIndexOf(written, at.offset);
      if (tagAt !== -1 && !text.slice(tagAt, at.offset).includes('\n')) Object.assign(at, { offset: tagAt, end: tagAt + written.length });
      problems.push({
        ...at,
        message: `the tag \`${written}\` is not allowed; configs use plain YAML values (strings, numbers, booleans, null, mappings, lists): remove the tag`,
      });
    }
    if (isMap(node) || isSeq(node)) {
      if (depth >= MAX_NESTING) {
        if (!deep) problems.push({ ...at, message: `mappings and lists are nested more than ${MAX_NESTING} deep here; a config needs a few levels` });
        deep = true;
        continue;
      }
      // A key written twice in one mapping: the second would silently win, so it is refused (by
      // value, as YAML compares scalar keys: `1` and `"1"` differ). One pass with a set per mapping.
      const seen = isMap(node) ? new Map<unknown, Node>() : null;
      for (const item of node.items) {
        // Merge keys (`<<: *a` twice) may repeat: yaml gives them a symbol, not a string.
        if (seen && isPair(item) && isScalar(item.key) && item.key.range && typeof item.key.value !== 'symbol') {
          const earlier = seen.get(item.key.value);
          if (earlier) {
            const line = lineOf(earlier.range![0]);
            problems.push({
              offset: item.key.range[0],
              end: item.key.range[1],
              message: `\`${String(item.key.value)}\` is already set on line ${line} of this mapping; a key appears once: keep one of them`,
            });
          } else seen.set(item.key.value, item.key);
        }
        if (isPair(item)) {
          pending.push({ node: item.value, depth: depth + 1 });
          if (!isScalar(item.key)) pending.push({ node: item.key, depth: depth + 1 });
          else if (item.key.tag && !CORE_TAGS.has(item.key.tag)) pending.push({ node: item.key, depth: depth + 1 });
        } else pending.push({ node: item, depth: depth + 1 });
      }
    }
  }
  return problems.sort((a, b) => a.offset - b.offset);
}
