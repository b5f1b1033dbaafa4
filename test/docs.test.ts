// The README is the manual. These tests derive what it must cover from the code (the CLI's own
// --help, schema.json, the events a real run writes) and fail when the manual falls behind.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../src/config/load.js';
import { loadDataset } from '../src/data/dataset.js';
import { KEYS } from '../src/tui/Help.js';
import { readSection, replaceSection } from '../scripts/readme-section.mjs';
import { cli, jsonLines, ROOT } from './helpers.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README without its fenced code blocks, each line kept (so line numbers stay right). */
function outsideCode(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** The text under a heading (`## Title` or `### Title`), up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const lines = README.split('\n');
  const prose = outsideCode(README); // a `# comment` in a code block is not a heading
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const start = prose.findIndex((l) => l.startsWith(heading));
  if (start === -1) throw new Error(`README.md has no heading starting with "${heading}"`);
  let end = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    const m = /^(#+) /.exec(prose[i]);
    if (m && m[1].length <= level) {
      end = i;
      break;
    }
  }
  return lines.slice(start, end).join('\n');
}

/** Cells of a markdown table row; `\|` is a pipe inside a cell. */
function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

interface Table {
  line: number;
  header: string[];
  rows: { line: number; cells: string[] }[];
}

function tables(text: string): Table[] {
  const found: Table[] = [];
  let current: Table | null = null;
  outsideCode(text).forEach((line, i) => {
    if (line.trimStart().startsWith('|')) {
      if (current === null) {
        current = { line: i + 1, header: cells(line), rows: [] };
        found.push(current);
      } else {
        current.rows.push({ line: i + 1, cells: cells(line) });
      }
    } else {
      current = null;
    }
  });
  return found;
}

/** The first column of every table in a section: the `code` names it documents. */
function documentedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const table of tables(text)) {
    for (const row of table.rows) for (const m of row.cells[0].matchAll(/`([^`]+)`/g)) names.add(m[1]);
  }
  return names;
}

/** Commands and their long flags, read from the built CLI's --help. */
function cliCommands(): Map<string, string[]> {
  const top = cli(['--help']).stdout;
  const commandsBlock = top.split(/^Commands:\n/m)[1]?.split(/\n\n/)[0] ?? '';
  const names = [...commandsBlock.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]).filter((name) => name !== 'help');
  const commands = new Map<string, string[]>();
  for (const name of names) {
    const help = cli([name, '--help']).stdout;
    const options = help.split(/^Options:\n/m)[1]?.split(/\n\n/)[0] ?? '';
    const flags = [...options.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]).filter((flag) => flag !== '--help');
    commands.set(name, flags);
  }
  return commands;
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  allOf?: SchemaNode[];
  if?: SchemaNode;
  then?: SchemaNode;
  else?: SchemaNode;
}

/** Every key path schema.json allows, nested ones included (`data.synthetic.noise`). */
function schemaKeys(node: SchemaNode, prefix: string[] = [], into = new Set<string>()): Set<string> {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = [...prefix, key];
    into.add(path.join('.'));
    schemaKeys(child, path, into);
  }
  for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? []), node.then, node.else]) {
    if (branch) schemaKeys(branch, prefix, into);
  }
  if (node.items) schemaKeys(node.items, prefix, into);
  return into;
}

describe('the README is the manual', () => {
  it('starts with the two quick-start commands', () => {
    const quick = section('## Quick start');
    expect(quick).toContain('npm install && npm start');
    expect(quick).toContain('npm install && npm test');
  });

  it('documents every command, each with every flag and an example', () => {
    const commands = cliCommands();
    expect(commands.size).toBeGreaterThanOrEqual(7);
    const missing: string[] = [];
    for (const [name, flags] of commands) {
      let text: string;
      try {
        text = section(`### \`${name}`);
      } catch {
        missing.push(`command ${name} (a "### \`${name} …\`" heading under Commands)`);
        continue;
      }
      for (const flag of flags) if (!new RegExp(`${flag}(?![a-z-])`).test(text)) missing.push(`${name} ${flag}`);
      if (!text.includes(`neuron-tui ${name}`)) missing.push(`an example of neuron-tui ${name}`);
    }
    expect(missing).toEqual([]);
    const synopsis = section('## Commands');
    for (const name of commands.keys()) expect(synopsis).toContain(`neuron-tui ${name}`);
    expect(synopsis).toContain('--version');
  });

  it('documents every key of schema.json in the config reference', () => {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schema.json'), 'utf8')) as SchemaNode;
    const keys = schemaKeys(schema);
    expect(keys.has('data.synthetic.noise')).toBe(true);
    const documented = documentedNames(section('## Config'));
    expect([...keys].filter((key) => !documented.has(key))).toEqual([]);
  });

  it('documents every field of every event a run writes', () => {
    const runs = [
      cli(['run', 'configs/early-stopping.yaml', '--json', '--set', 'epochs=3']),
      cli(['run', 'configs/linear.yaml', '--json', '--set', 'epochs=2']),
    ];
    const fields = new Set<string>();
    for (const run of runs) {
      expect(run.status, run.stderr).toBe(0);
      for (const event of jsonLines(run.stdout)) {
        for (const [key, value] of Object.entries(event)) {
          fields.add(key);
          // start.dataset's fields are part of the format; start.config's are the config keys above.
          if (key === 'dataset' && value && typeof value === 'object') for (const inner of Object.keys(value)) fields.add(inner);
        }
      }
    }
    expect(fields.has('grad_norm')).toBe(true);
    const text = section('## JSON lines');
    expect([...fields].filter((field) => !text.includes(`\`${field}\``))).toEqual([]);
  });

  it('lists every dashboard key of the ? overlay in the key table', () => {
    const documented = documentedNames(section('## The dashboard'));
    const keys = KEYS.flatMap(([label]) => label.split(/,\s*|\s+/).filter(Boolean));
    expect(keys).toContain('space');
    expect(keys.filter((key) => !documented.has(key))).toEqual([]);
  });

  it('has tables whose rows all have as many cells as their header', () => {
    const found = tables(README);
    expect(found.length).toBeGreaterThan(3);
    const bad = found.flatMap((t) =>
      t.rows.filter((r) => r.cells.length !== t.header.length).map((r) => `line ${r.line}: ${r.cells.length} cells under a header of ${t.header.length}`),
    );
    expect(bad).toEqual([]);
  });

  it('shows only configs that validate', () => {
    const blocks = [...README.matchAll(/^```yaml\n([\s\S]*?)^```/gm)].map((m) => m[1]).filter((text) => /^learning_rate:/m.test(text));
    expect(blocks.length).toBeGreaterThan(0);
    for (const text of blocks) {
      // Shown as if it lived in configs/, as the examples' relative data paths assume.
      const loaded = loadConfigText(join(ROOT, 'configs', 'readme-example.yaml'), text);
      expect(loadDataset(loaded, ROOT).train.n).toBeGreaterThan(0);
    }
  });
});

describe('npm run bench touches only its part of the README', () => {
  it('replaces the text between the bench markers and leaves every other byte', () => {
    const before = readSection(README, 'bench');
    const after = replaceSection(README, 'bench', '| new | table |\n');
    expect(readSection(after, 'bench')).toBe('\n| new | table |\n');
    const at = README.indexOf(before);
    expect(after.slice(0, at)).toBe(README.slice(0, at));
    expect(after.slice(after.indexOf('<!-- bench:end -->'))).toBe(README.slice(README.indexOf('<!-- bench:end -->')));
  });

  it('refuses a README without the markers instead of writing elsewhere', () => {
    expect(() => replaceSection('# no markers\n', 'bench', 'x')).toThrow(/lacks the markers/);
  });
});
