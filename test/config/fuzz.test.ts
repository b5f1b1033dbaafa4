import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfigText } from '../../src/config/load.js';
import { InputError } from '../../src/errors.js';

/** The only acceptable outcomes: a config, or an InputError whose every problem says where. */
function loadsOrLocates(text: string): void {
  try {
    loadConfigText('c.yaml', text);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    for (const p of (error as InputError).problems) {
      expect(p.where).toMatch(/^c\.yaml:\d+:\d+$/);
      expect(p.message.length).toBeGreaterThan(0);
    }
  }
}

const VALID = {
  name: 'fuzz',
  data: { path: 'd.csv', validation_split: 0.2, standardize: true },
  learning_rate: 0.05,
  epochs: 10,
  batch_size: 8,
  init: { weights: [0.1, 0.2], bias: 0.1 },
  early_stopping: { patience: 3, min_delta: 0.001 },
};

describe('hostile and random configs', () => {
  it('random text never escapes as anything but a located error', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), loadsOrLocates), { numRuns: 1000 });
  });

  it('random YAML-looking text never escapes either', () => {
    const token = fc.constantFrom(
      'data',
      'learning_rate',
      'epochs',
      ':',
      ' ',
      '\n',
      '  ',
      '- ',
      '[',
      ']',
      '{',
      '}',
      ',',
      '&a',
      '*a',
      '!!str',
      '"',
      "'",
      '#',
      '0.1',
      '-1',
      '.nan',
      'true',
      '~',
      '__proto__',
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (parts) => loadsOrLocates(parts.join(''))),
      { numRuns: 1000 },
    );
  });

  it('random mutations of a valid config give a valid config or located errors', () => {
    const keyPath = fc.constantFrom(
      ['learning_rate'],
      ['epochs'],
      ['batch_size'],
      ['data'],
      ['data', 'path'],
      ['data', 'validation_split'],
      ['init'],
      ['init', 'weights'],
      ['early_stopping', 'patience'],
      ['name'],
      ['extra'],
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(keyPath, fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.double())), { maxLength: 4 }), (mutations) => {
        const config = structuredClone(VALID) as Record<string, unknown>;
        for (const [path, value] of mutations) {
          let node = config;
          for (const key of path.slice(0, -1)) {
            if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
            node = node[key] as Record<string, unknown>;
          }
          if (value === undefined) delete node[path[path.length - 1]];
          else node[path[path.length - 1]] = value;
        }
        loadsOrLocates(stringify(config));
      }),
      { numRuns: 1000 },
    );
  });
});
