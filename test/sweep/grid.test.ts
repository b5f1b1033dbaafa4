import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { MAX_RUNS, parseAxis, runFileName, sweepRuns } from '../../src/sweep/grid.js';

const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (error) {
    if (error instanceof InputError) return error.problems.map((p) => `${p.where}: ${p.message}`).join('\n');
    throw error;
  }
  throw new Error('expected an InputError');
};

describe('sweep axes', () => {
  it('reads comma lists of YAML scalars, keeping brackets together', () => {
    expect(parseAxis('learning_rate=0.01, 0.1,1e-3').values).toEqual(['0.01', '0.1', '0.001']);
    expect(parseAxis('batch_size=full,32').values).toEqual(['full', '32']);
    expect(parseAxis('init.weights=[1, 2],[3, 4]').values).toEqual(['[ 1, 2 ]', '[ 3, 4 ]']);
  });

  it('expands range(a,b[,step]) as Python does: b excluded, float steps without binary noise', () => {
    expect(parseAxis('epochs=range(100,500,100)').values).toEqual(['100', '200', '300', '400']);
    expect(parseAxis('epochs=range(1,4)').values).toEqual(['1', '2', '3']);
    expect(parseAxis('l=range(0.1,0.5,0.1)').values).toEqual(['0.1', '0.2', '0.3', '0.4']);
    expect(parseAxis('l=range(5,1,-2)').values).toEqual(['5', '3']);
  });

  it('expands geom(a,b,n) to n log-spaced values from a to b, both included', () => {
    const values = parseAxis('learning_rate=geom(0.001,0.1,5)').values.map(Number);
    expect(values).toEqual([0.001, 0.00316228, 0.01, 0.0316228, 0.1]);
    // each step is the same ratio, to the 6 digits kept
    for (let k = 1; k < values.length; k++) expect(values[k] / values[k - 1]).toBeCloseTo(Math.sqrt(10), 4);
  });

  it('refuses malformed axes with the flag and the right form', () => {
    expect(messageOf(() => parseAxis('learning_rate'))).toMatch(/^--set learning_rate: expected KEY=V1,V2/);
    expect(messageOf(() => parseAxis('lr=0.1,,0.2'))).toMatch(/an empty value/);
    expect(messageOf(() => parseAxis('lr=geom(0,1,3)'))).toMatch(/needs start and stop > 0/);
    expect(messageOf(() => parseAxis('lr=geom(0.1,1,2.5)'))).toMatch(/count must be a whole number/);
    expect(messageOf(() => parseAxis('lr=range(1,5,0)'))).toMatch(/step that is not 0/);
    expect(messageOf(() => parseAxis('lr=range(5,1)'))).toMatch(/is empty/);
    expect(messageOf(() => parseAxis('lr=range(a,b)'))).toMatch(/takes numbers/);
    expect(messageOf(() => parseAxis(`epochs=range(1,${MAX_RUNS + 2})`))).toMatch(/at most 1000 runs/);
  });
});

describe('sweep runs', () => {
  it('is the cartesian product, the first --set varying slowest, ids naming only what varies', () => {
    const runs = sweepRuns([parseAxis('learning_rate=0.1,0.2'), parseAxis('epochs=50'), parseAxis('batch_size=full,8,16')]);
    expect(runs.map((r) => r.id)).toEqual([
      'learning_rate=0.1,batch_size=full',
      'learning_rate=0.1,batch_size=8',
      'learning_rate=0.1,batch_size=16',
      'learning_rate=0.2,batch_size=full',
      'learning_rate=0.2,batch_size=8',
      'learning_rate=0.2,batch_size=16',
    ]);
    expect(runs[4].sets).toEqual(['learning_rate=0.2', 'epochs=50', 'batch_size=8']);
    expect(runs[4].settings).toEqual({ learning_rate: '0.2', epochs: '50', batch_size: '8' });
  });

  it('refuses a key set twice, repeated values and products over the limit', () => {
    expect(messageOf(() => sweepRuns([parseAxis('seed=1,2'), parseAxis('seed=3')]))).toMatch(/`seed` is set twice/);
    expect(messageOf(() => sweepRuns([parseAxis('seed=1,1')]))).toMatch(/repeats a value/);
    expect(messageOf(() => sweepRuns([parseAxis('seed=range(0,100)'), parseAxis('epochs=range(1,12)')]))).toMatch(/make 1100 runs/);
  });

  it('names log files after the run, safe for any file system', () => {
    expect(runFileName('learning_rate=0.1,batch_size=full')).toBe('learning_rate=0.1,batch_size=full.jsonl');
    expect(runFileName('data.path=../x/y.csv')).toBe('data.path=.._x_y.csv.jsonl');
  });
});
