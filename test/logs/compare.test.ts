import { describe, expect, it } from 'vitest';
import { bestRuns, compareCsv, flatSettings, runNames } from '../../src/logs/compare.js';
import type { RunLog } from '../../src/logs/read.js';
import { differingKeys } from '../../src/sweep/grid.js';
import type { RunConfig } from '../../src/config/types.js';
import { config } from '../helpers.js';

/** A finished log of a given config whose best (and final) loss is `best`. */
function log(file: string, overrides: Partial<RunConfig>, best: number): RunLog {
  const start = {
    type: 'start' as const,
    config: config(overrides),
    dataset: { train: 10, validation: 0, features: ['x1'], target: 'y', source: 'test', skipped: 0 },
  };
  const end = {
    type: 'end' as const,
    status: 'completed' as const,
    epochs: 10,
    weights: [1],
    bias: 0,
    loss: best,
    val_loss: null,
    best_epoch: 10,
    best_loss: best,
    elapsed_ms: 1,
  };
  return { file, start, epochs: [], end };
}

describe('compare labels and tables', () => {
  it('flattens a config into dotted settings, lists kept whole', () => {
    expect(flatSettings({ learning_rate: 0.05, optimizer: { type: 'adam', beta1: 0.9 }, init: { weights: [0.1, 0.2] }, shuffle: true })).toEqual({
      learning_rate: '0.05',
      'optimizer.type': 'adam',
      'optimizer.beta1': '0.9',
      'init.weights': '[0.1,0.2]',
      shuffle: 'true',
    });
  });

  it('finds the keys that differ, a key missing from one run included', () => {
    expect(
      differingKeys([
        { a: '1', b: '2' },
        { a: '1', b: '3' },
        { a: '1', b: '2', c: '4' },
      ]),
    ).toEqual(['b', 'c']);
  });

  it('labels runs by the settings that differ, not by their (equal) names', () => {
    const logs = [log('a.jsonl', { learning_rate: 0.01, batch_size: 'full' }, 1), log('b.jsonl', { learning_rate: 0.1, batch_size: 32 }, 2)];
    expect(runNames(logs)).toEqual(['learning_rate=0.01,batch_size=full', 'learning_rate=0.1,batch_size=32']);
  });

  it('puts the name first when names differ too, and falls back on the file when nothing differs', () => {
    expect(runNames([log('a.jsonl', { name: 'fast', learning_rate: 0.1 }, 1), log('b.jsonl', { name: 'slow', learning_rate: 0.01 }, 2)])).toEqual([
      'fast learning_rate=0.1',
      'slow learning_rate=0.01',
    ]);
    expect(runNames([log('a.jsonl', {}, 1), log('b.jsonl', {}, 1)])).toEqual(['test (a.jsonl)', 'test (b.jsonl)']);
  });

  it('writes CSV with a column per differing setting, quoting cells that hold commas or quotes', () => {
    const logs = [log('x,"1".jsonl', { init: { weights: [1, 2], bias: 0 } }, 0.5), log('y.jsonl', { init: { weights: [3, 4], bias: 0 } }, 0.25)];
    expect(compareCsv(logs)).toBe(
      [
        'init.weights,status,epochs_trained,final_loss,best_loss,best_epoch,log',
        '"[1,2]",completed,10,0.5,0.5,10,"x,""1"".jsonl"',
        '"[3,4]",completed,10,0.25,0.25,10,y.jsonl',
        '',
      ].join('\n'),
    );
  });

  it('keeps the runs with the lowest best loss, in their given order', () => {
    const logs = [3, 1, 4, 1.5, 9, 2].map((best, i) => log(`${i}.jsonl`, { seed: i }, best));
    expect(bestRuns(logs, 3).map((l) => l.file)).toEqual(['1.jsonl', '3.jsonl', '5.jsonl']);
  });
});
