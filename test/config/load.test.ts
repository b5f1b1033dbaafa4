import { describe, expect, it } from 'vitest';
import { loadConfigText, parseOverride } from '../../src/config/load.js';
import { InputError, type Problem } from '../../src/errors.js';

function problems(text: string, sets: string[] = []): Problem[] {
  try {
    loadConfigText('c.yaml', text, sets.map(parseOverride));
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

const MINIMAL = 'data: d.csv\nlearning_rate: 0.01\nepochs: 5\n';

describe('loadConfig', () => {
  it('accepts the minimal three-key config and fills every default', () => {
    const { config, dataFile } = loadConfigText('configs/run.yaml', MINIMAL);
    expect(config).toEqual({
      name: 'run',
      data: { path: 'd.csv', validation_split: 0, standardize: false, missing: 'error', delimiter: 'auto' },
      learning_rate: 0.01,
      epochs: 5,
      batch_size: 'full',
      shuffle: true,
      seed: 0,
      init: { distribution: 'normal', scale: 0.1, bias: 0.1 },
      log_every: 1,
      optimizer: { type: 'sgd' },
      l2: 0,
      schedule: { type: 'constant', warmup_epochs: 0 },
      engine: 'auto',
    });
    expect(dataFile).toMatch(/configs\/d\.csv$/);
  });

  it('points a wrong type at the value, with the key and what is allowed', () => {
    const [p] = problems('data: d.csv\nlearning_rate: fast\nepochs: 5\n');
    expect(p.where).toBe('c.yaml:2:16');
    expect(p.message).toBe('`learning_rate` must be a number > 0, got "fast"');
    expect(p.frame).toContain('2 | learning_rate: fast');
    expect(p.frame?.split('\n')[1]).toBe('   |                ^^^^');
  });

  it('reports every problem at once, in file order', () => {
    const found = problems('epochs: 0\ndata: d.csv\nlearning_rate: -1\nbatch_size: half\n');
    expect(found.map((p) => p.where)).toEqual(['c.yaml:1:9', 'c.yaml:3:16', 'c.yaml:4:13']);
    expect(found[2].message).toBe('`batch_size` must be `full` or a whole number ≥ 1, got "half"');
  });

  it('suggests the nearest key for a typo', () => {
    const [p] = problems('data: d.csv\nlerning_rate: 0.1\nlearning_rate: 0.1\nepochs: 5\n');
    expect(p.where).toBe('c.yaml:2:1');
    expect(p.message).toContain('unknown key `lerning_rate`; did you mean `learning_rate`?');
  });

  it('points a missing required key at the mapping that lacks it', () => {
    const [p] = problems('data:\n  path: d.csv\n  standardize: true\nlearning_rate: 0.1\n');
    expect(p.where).toBe('c.yaml:1:1');
    expect(p.message).toMatch(/^missing required key `epochs`/);
  });

  it('rejects NaN and infinities', () => {
    expect(problems('data: d.csv\nlearning_rate: .nan\nepochs: 5\n')[0].message).toContain('got NaN');
    expect(problems('data: d.csv\nlearning_rate: .inf\nepochs: 5\n')[0].message).toContain('got Infinity');
  });

  it('applies --set before validation and blames the flag for a bad value', () => {
    const { config } = loadConfigText('c.yaml', MINIMAL, [parseOverride('learning_rate=0.5'), parseOverride('data.validation_split=0.2')]);
    expect(config.learning_rate).toBe(0.5);
    expect(config.data.validation_split).toBe(0.2);
    const [p] = problems(MINIMAL, ['learning_rate=fast']);
    expect(p.where).toBe('--set learning_rate=fast');
    expect(p.message).toBe('`learning_rate` must be a number > 0, got "fast"');
  });

  it('creates missing mappings for dotted --set keys and reads YAML values', () => {
    const { config } = loadConfigText('c.yaml', MINIMAL, [parseOverride('early_stopping.patience=3'), parseOverride('batch_size=16')]);
    expect(config.early_stopping).toEqual({ patience: 3, min_delta: 0, restore_best: false });
    expect(config.batch_size).toBe(16);
  });

  it('refuses a --set without KEY=VALUE', () => {
    expect(() => parseOverride('learning_rate')).toThrow(InputError);
    expect(() => parseOverride('a..b=1')).toThrow(InputError);
  });

  it('needs exactly one of data.path and data.synthetic', () => {
    const [p] = problems('data:\n  path: d.csv\n  synthetic: {weights: [1]}\nlearning_rate: 0.1\nepochs: 5\n');
    expect(p.where).toBe('c.yaml:2:3');
    expect(p.message).toContain('has both `path` and `synthetic`');
  });

  it('reports YAML syntax errors with their position', () => {
    const [p] = problems('data: d.csv\nlearning_rate: 0.1\nepochs: 5\nname: {a: 1\n');
    expect(p.where).toMatch(/^c\.yaml:\d+:\d+$/);
    const [tab] = problems('data:\n\tpath: d.csv\nlearning_rate: 0.1\nepochs: 5\n');
    expect(tab).toMatchObject({ where: 'c.yaml:2:1', message: 'YAML: Tabs are not allowed as indentation' });
  });

  describe('YAML mistakes named where the user made them', () => {
    it('a line indented deeper than the key above it, by its own line', () => {
      expect(problems('data: d.csv\nlearning_rate: 0.1\n   epochs: 5\n')).toEqual([
        expect.objectContaining({
          where: 'c.yaml:3:4',
          message: 'line 3 is indented more than `learning_rate` above it; keys of one mapping start in the same column (column 1)',
        }),
      ]);
      expect(problems('data:\n  path: d.csv\n    missing: skip\nlearning_rate: 0.1\nepochs: 5\n')[0]).toMatchObject({
        where: 'c.yaml:3:5',
        message: expect.stringMatching(/^line 3 is indented more than `path` above it; .*\(column 3\)$/),
      });
    });

    it('an unclosed bracket, brace or quote, where it opened', () => {
      expect(problems('data: d.csv\nlearning_rate: 0.1\ninit: {weights: [1, 2, bias: 0}\nepochs: 5\n')[0]).toMatchObject({
        where: 'c.yaml:3:17',
        message: 'the `[` that opens this list is never closed; add `]` where the list ends',
      });
      expect(problems('data: d.csv\nlearning_rate: 0.1\ninit: {bias: 0\nepochs: 5\n')[0]).toMatchObject({
        where: 'c.yaml:3:7',
        message: 'the `{` that opens this mapping is never closed; add `}` where the mapping ends',
      });
      expect(problems('name: "run\ndata: d.csv\nlearning_rate: 0.1\nepochs: 5\n')[0]).toMatchObject({
        where: 'c.yaml:1:7',
        message: 'the double-quoted string that opens here is never closed; add the closing `"`',
      });
      // A quote or bracket inside a plain word, or in a comment, opens nothing.
      expect(loadConfigText('c.yaml', "name: don't # [\n" + MINIMAL).config.name).toBe("don't");
      expect(problems(`name: run[1\n${MINIMAL}init: {bias: 0\n`)[0]).toMatchObject({ where: 'c.yaml:5:7' });
    });

    it('merge keys work', () => {
      const { config } = loadConfigText(
        'c.yaml',
        'init: &w {weights: [2], bias: 1}\ndata:\n  synthetic: {<<: *w, samples: 10}\nlearning_rate: 0.1\nepochs: 5\n',
      );
      expect(config.data.synthetic).toMatchObject({ weights: [2], bias: 1, samples: 10 });
    });

    it('a second document is an error at its line', () => {
      expect(problems(`${MINIMAL}---\nepochs: 6\n`)[0]).toMatchObject({
        where: 'c.yaml:4:1',
        message: expect.stringContaining('a second YAML document starts here'),
      });
    });

    it('nesting beyond the limit is a located error, not a stack overflow', () => {
      for (const depth of [65, 400, 20000]) {
        const [p] = problems(`${MINIMAL}name: ${'['.repeat(depth)}${']'.repeat(depth)}\n`);
        expect(p.message).toBe('mappings and lists are nested more than 64 deep here; a config needs a few levels');
        expect(p.where).toBe('c.yaml:4:70'); // the 64th bracket; the top-level mapping is the first level
      }
      const block = Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
      expect(problems(`${MINIMAL}name:\n${block} 1\n`)[0]).toMatchObject({
        where: 'c.yaml:69:65',
        message: expect.stringContaining('nested more than 64 deep'),
      });
      expect(problems(`${MINIMAL}name: ${'['.repeat(10)}${']'.repeat(10)}\n`)[0].message).toMatch(/^`name` must be/);
    });

    it('tags other than the JSON core ones are refused where they are written', () => {
      expect(problems(`${MINIMAL}init: !!set {a, b}\n`)[0]).toMatchObject({
        where: 'c.yaml:4:7',
        message: expect.stringMatching(/^the tag `!!set` is not allowed/),
      });
      expect(problems(`${MINIMAL}name: !!binary aGVsbG8=\n`)[0].message).toMatch(/^the tag `!!binary` is not allowed/);
      expect(problems(`${MINIMAL}name: !mine x\n`)[0].message).toMatch(/^the tag `!mine` is not allowed/);
      expect(loadConfigText('c.yaml', `${MINIMAL}name: !!str 12\n`).config.name).toBe('12');
    });

    it('CR-only line endings are read like LF', () => {
      expect(loadConfigText('c.yaml', MINIMAL.replaceAll('\n', '\r')).config.epochs).toBe(5);
      expect(loadConfigText('c.yaml', MINIMAL.replaceAll('\n', '\r\n')).config.epochs).toBe(5);
    });
  });

  describe('--set bounds', () => {
    it('refuses __proto__, constructor and prototype in paths, as files do', () => {
      for (const key of ['__proto__.batch_size', 'init.constructor', 'data.prototype.x']) {
        expect(() => parseOverride(`${key}=1`)).toThrow(/is not a config key/);
      }
      expect(({} as Record<string, unknown>).batch_size).toBeUndefined();
    });

    it('refuses a list index more than one past the end, at once', () => {
      const text = `${MINIMAL}init: {weights: [1, 2], bias: 0}\n`;
      expect(problems(text, ['init.weights.100000000=1'])).toEqual([
        { where: '--set init.weights.100000000=1', message: '`100000000` is more than one past the end of `init.weights` (2 items); use an index from 0 to 2' },
      ]);
      expect(problems(text, ['init.weights.x=1'])[0].message).toMatch(/^`x` is not an index of the list `init.weights`/);
      expect(loadConfigText('c.yaml', text, [parseOverride('init.weights.2=3')]).config.init).toEqual({ weights: [1, 2, 3], bias: 0 });
    });
  });

  it('refuses duplicate keys, naming the line of the first one', () => {
    const [p] = problems('data: d.csv\nepochs: 5\nlearning_rate: 0.1\nepochs: 6\n');
    expect(p.where).toBe('c.yaml:4:1');
    expect(p.message).toBe('`epochs` is already set on line 2 of this mapping; a key appears once: keep one of them');
    const [nested] = problems(`${MINIMAL}init: {bias: 1, bias: 2}\n`);
    expect(nested.message).toMatch(/^`bias` is already set on line \d+ of this mapping/);
    // YAML compares keys by value: `1` and "1" are different keys; merge keys may repeat.
    expect(
      problems(`${MINIMAL}"1": a\n1: b\n`)
        .map((q) => q.message)
        .join(),
    ).not.toMatch(/already set/);
    expect(
      problems(`${MINIMAL}m: &m {epochs: 5}\nn: &n {seed: 1}\nmerged:\n  <<: *m\n  <<: *n\n`)
        .map((q) => q.message)
        .join(),
    ).not.toMatch(/already set/);
  });

  it('locates each of 5,000 unknown keys at its own line', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `unknown_${i}: 1`).join('\n');
    const found = problems(`${MINIMAL}${keys}\n`);
    expect(found.length).toBe(5000);
    expect(found[4999].where).toBe(`c.yaml:${MINIMAL.split('\n').length + 4999}:1`);
  });

  it('treats __proto__ as an unknown key, not as a prototype', () => {
    const [p] = problems(`${MINIMAL}__proto__:\n  polluted: true\n`);
    expect(p.message).toContain('unknown key `__proto__`');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses alias bombs quickly', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
    ].join('\n');
    const started = Date.now();
    const [p] = problems(`${MINIMAL}${bomb}\n`);
    expect(p.message).toMatch(/alias/i);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('does not let YAML tags create objects', () => {
    const found = problems('data: !!js/function "function(){}"\nlearning_rate: 0.1\nepochs: 5\n');
    expect(found[0].where).toBe('c.yaml:1:7');
  });
});
