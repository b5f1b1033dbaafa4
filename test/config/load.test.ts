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
      data: { path: 'd.csv', validation_split: 0, standardize: false, missing: 'error' },
      learning_rate: 0.01,
      epochs: 5,
      batch_size: 'full',
      shuffle: true,
      seed: 0,
      init: { distribution: 'normal', scale: 0.1, bias: 0.1 },
      log_every: 1,
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
    expect(config.early_stopping).toEqual({ patience: 3, min_delta: 0 });
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
    const [p] = problems('data: d.csv\nlearning_rate: [0.1\nepochs: 5\n');
    expect(p.where).toMatch(/^c\.yaml:\d+:\d+$/);
    expect(p.message).toMatch(/^YAML: /);
  });

  it('refuses duplicate keys', () => {
    const [p] = problems('data: d.csv\nepochs: 5\nlearning_rate: 0.1\nepochs: 6\n');
    expect(p.where).toBe('c.yaml:4:1');
  });

  it('treats __proto__ as an unknown key, not as a prototype', () => {
    const [p] = problems(`${MINIMAL}__proto__:\n  polluted: true\n`);
    expect(p.message).toContain('unknown key `__proto__`');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses alias bombs quickly', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n');
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
