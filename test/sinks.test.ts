import { describe, expect, it } from 'vitest';
import { LineBatcher } from '../src/sinks/jsonl.js';
import { PlainProgress } from '../src/sinks/plain.js';
import type { EndEvent, EpochEvent, StartEvent } from '../src/train/events.js';
import { config } from './helpers.js';

describe('LineBatcher', () => {
  it('hands on whole lines in batches: at once first, then at most every maxDelayMs, and on flush', () => {
    let now = 0;
    const batches: string[] = [];
    const lines = new LineBatcher(
      (text) => batches.push(text),
      () => now,
      50,
    );
    lines.write('a\n'); // the first line goes out at once
    now = 10;
    lines.write('b\n');
    now = 49;
    lines.write('c\n');
    expect(batches).toEqual(['a\n']);
    now = 60;
    lines.write('d\n');
    expect(batches).toEqual(['a\n', 'b\nc\nd\n']);
    now = 61;
    lines.write('e\n');
    lines.flush();
    lines.flush(); // nothing pending: nothing written
    expect(batches).toEqual(['a\n', 'b\nc\nd\n', 'e\n']);
    expect(batches.every((b) => b.endsWith('\n'))).toBe(true);
  });

  it('hands on a batch once it reaches 64 KiB, whatever the clock says', () => {
    const batches: string[] = [];
    const lines = new LineBatcher(
      (text) => batches.push(text),
      () => 0,
      50,
    );
    const line = `${'x'.repeat(1023)}\n`;
    for (let k = 0; k < 65; k++) lines.write(line);
    expect(batches.map((b) => b.length)).toEqual([1024, 64 * 1024]);
  });
});

describe('PlainProgress', () => {
  const start = (epochs: number, validation = 0): StartEvent => ({
    type: 'start',
    config: config({ name: 'demo', epochs, learning_rate: 0.05, batch_size: 32, seed: 7 }),
    dataset: { train: 80, validation, features: ['a', 'b'], target: 't', source: 'data/d.csv', skipped: 3 },
  });
  const epoch = (k: number, valLoss: number | null = null): EpochEvent => ({
    type: 'epoch',
    epoch: k,
    loss: 1 / k,
    val_loss: valLoss,
    active_ratio: 0.5,
    val_active_ratio: null,
    weight_norm: 2,
    bias: 0.25,
    grad_norm: 0.1,
    learning_rate: 0.05,
    r2: null,
    val_r2: null,
    elapsed_ms: k,
  });
  const end = (epochs: number, status: EndEvent['status'] = 'completed'): EndEvent => ({
    type: 'end',
    status,
    epochs,
    weights: [1.5, -2],
    bias: 0.25,
    loss: 1 / epochs,
    val_loss: null,
    best_epoch: epochs,
    best_loss: 1 / epochs,
    elapsed_ms: 1500,
  });

  function printed(run: (plain: PlainProgress) => void): string[] {
    let text = '';
    run(new PlainProgress((t) => (text += t)));
    expect(text.endsWith('\n')).toBe(true);
    return text.slice(0, -1).split('\n');
  }

  it('starts with the run, its data and its settings in two lines', () => {
    expect(printed((p) => p.start(start(100, 20)))).toEqual([
      'demo: data/d.csv, 80 training + 20 validation rows (3 rows skipped) × 2 features → t',
      'sgd, learning rate 0.05, batch 32, up to 100 epochs, seed 7',
    ]);
  });

  it('prints every ceil(epochs / 20)th epoch and the last, whatever the epoch count', () => {
    const lines = printed((p) => {
      p.start(start(1000));
      for (let k = 1; k <= 1000; k++) p.epoch(epoch(k), k === 1000);
      p.end(end(1000), ['a', 'b']);
    });
    const epochs = lines.filter((l) => l.startsWith('epoch')).map((l) => Number(/^epoch\s+(\d+)\//.exec(l)?.[1]));
    expect(epochs).toEqual(Array.from({ length: 20 }, (_, k) => (k + 1) * 50));
    expect(lines[2]).toBe('epoch   50/1000  loss 0.02  active 50.0%  |w| 2  bias 0.25');
    expect(lines.slice(-2)).toEqual(['completed after 1000 epochs in 1.5 s: loss 0.001 (best 0.001 at epoch 1000)', 'weights [1.5, -2] (a, b), bias 0.25']);
  });

  it('an epoch a stopping rule ended the run with is printed even off the grid, with val_loss when there is one', () => {
    const lines = printed((p) => {
      p.start(start(100, 20));
      for (let k = 1; k <= 7; k++) p.epoch(epoch(k, 2 / k), k === 7);
    });
    expect(lines.slice(2)).toEqual([
      'epoch   5/100  loss 0.2  val_loss 0.4  active 50.0%  |w| 2  bias 0.25',
      'epoch   7/100  loss 0.1429  val_loss 0.2857  active 50.0%  |w| 2  bias 0.25',
    ]);
  });

  it('an interrupted run shows where it stopped before its summary', () => {
    const lines = printed((p) => {
      p.start(start(100));
      for (let k = 1; k <= 12; k++) p.epoch(epoch(k), false);
      p.end(end(12, 'interrupted'), ['a', 'b']);
    });
    expect(lines.filter((l) => l.startsWith('epoch')).map((l) => l.slice(0, 13))).toEqual(['epoch   5/100', 'epoch  10/100', 'epoch  12/100']);
    expect(lines[lines.length - 2]).toMatch(/^interrupted after 12 epochs/);
  });

  it('lists at most eight feature names after the weights', () => {
    const names = Array.from({ length: 10 }, (_, j) => `f${j}`);
    const lines = printed((p) => p.end({ ...end(1), weights: names.map(() => 1) }, names));
    expect(lines[1]).toBe('weights [1, 1, 1, 1, 1, 1, 1, 1, … (2 more)] (f0, f1, f2, f3, f4, f5, f6, f7, …), bias 0.25');
  });
});
