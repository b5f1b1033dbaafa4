import { describe, expect, it } from 'vitest';
import { loadConfigText, parseOverride } from '../../src/config/load.js';
import { InputError } from '../../src/errors.js';

const BASE = 'data: d.csv\nlearning_rate: 0.1\nepochs: 5\n';

function problems(text: string, sets: string[] = []): { where: string; message: string }[] {
  try {
    loadConfigText('c.yaml', text, sets.map(parseOverride));
  } catch (error) {
    if (error instanceof InputError) return error.problems;
    throw error;
  }
  return [];
}

describe('training option keys', () => {
  it('fill the defaults of the chosen type only', () => {
    const load = (extra: string) => loadConfigText('c.yaml', BASE + extra).config;
    expect(load('').optimizer).toEqual({ type: 'sgd' });
    expect(load('').schedule).toEqual({ type: 'constant', warmup_epochs: 0 });
    expect(load('').l2).toBe(0);
    expect(load('').stop_when).toBeUndefined();
    expect(load('optimizer: {type: momentum}\n').optimizer).toEqual({ type: 'momentum', momentum: 0.9, nesterov: false });
    expect(load('optimizer: {type: adam, beta2: 0.99}\n').optimizer).toEqual({ type: 'adam', beta1: 0.9, beta2: 0.99, epsilon: 1e-8 });
    expect(load('schedule: {type: step}\n').schedule).toEqual({ type: 'step', every: 10, factor: 0.1, warmup_epochs: 0 });
    expect(load('schedule: {type: exponential}\n').schedule).toEqual({ type: 'exponential', factor: 0.99, warmup_epochs: 0 });
    expect(load('schedule: {type: cosine, warmup_epochs: 3}\n').schedule).toEqual({ type: 'cosine', min: 0, warmup_epochs: 3 });
    expect(load('schedule: {type: plateau}\n').schedule).toEqual({ type: 'plateau', factor: 0.1, patience: 10, min: 0, warmup_epochs: 0 });
    expect(load('early_stopping: {patience: 3}\n').early_stopping).toEqual({ patience: 3, min_delta: 0, restore_best: false });
    expect(load('init: {from: w.json}\n').init).toEqual({ from: 'w.json' });
    const set = loadConfigText('c.yaml', BASE, [parseOverride('optimizer.type=adam')]).config;
    expect(set.optimizer).toEqual({ type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  });

  it('refuse a key of another type, where it is written', () => {
    expect(problems(`${BASE}optimizer:\n  type: momentum\n  beta1: 0.5\n`)).toEqual([
      expect.objectContaining({
        where: 'c.yaml:6:3',
        message: '`optimizer.beta1` is a setting of `adam`, not of `momentum`; `momentum` takes `momentum`, `nesterov`',
      }),
    ]);
    expect(problems(`${BASE}schedule: {type: step, min: 0.1}\n`)[0]).toMatchObject({
      where: 'c.yaml:4:24',
      message: '`schedule.min` is a setting of `cosine` and `plateau`, not of `step`; `step` takes `every`, `factor`',
    });
    expect(problems(`${BASE}optimizer: {type: sgd, nesterov: true}\n`)[0].message).toBe(
      '`optimizer.nesterov` is a setting of `momentum`, not of `sgd`; `sgd` takes no other keys',
    );
    expect(problems(`${BASE}optimizer: {type: adam, beta1: 0.5}\n`, ['optimizer.type=momentum'])[0].where).toBe('c.yaml:4:25');
  });

  it('refuse out-of-range values with what is allowed', () => {
    expect(problems(`${BASE}schedule: {type: plateau, factor: 2}\n`)[0]).toMatchObject({
      where: 'c.yaml:4:35',
      message: '`schedule.factor` must be a number > 0 and < 1, got 2',
    });
    expect(problems(`${BASE}optimizer: {type: adam, beta1: 1}\n`)[0].message).toBe('`optimizer.beta1` must be a number ≥ 0 and < 1, got 1');
    expect(problems(`${BASE}l2: -1\n`)[0].message).toBe('`l2` must be a number ≥ 0, got -1');
    expect(problems(`${BASE}optimizer: {type: rmsprop}\n`)[0].message).toBe('`optimizer.type` must be one of `sgd`, `momentum`, `adam`, got "rmsprop"');
    expect(problems(`${BASE}schedule: {every: 3}\n`)[0].message).toMatch(
      /^`schedule` is missing required key `type` \(one of `constant`, `step`, `exponential`, `cosine`, `plateau`/,
    );
    expect(problems(`${BASE}stop_when: {}\n`)[0]).toMatchObject({
      where: 'c.yaml:4:1',
      message: '`stop_when` is empty; give `grad_norm_below`, `loss_below` or both (or remove it)',
    });
    expect(problems(`${BASE}stop_when: {loss_below: 0}\n`)[0].message).toBe('`stop_when.loss_below` must be a number > 0, got 0');
    expect(problems(BASE, ['schedule.warmup_epochs=-2'])[0]).toMatchObject({ where: '--set schedule.warmup_epochs=-2' });
  });

  it('refuse init.from beside other inits', () => {
    expect(problems(`${BASE}init:\n  from: w.json\n  weights: [1]\n`)[0]).toMatchObject({
      where: 'c.yaml:6:3',
      message: '`init.from` gives the weights and bias; remove `init.weights`, or remove `init.from`',
    });
  });
});
