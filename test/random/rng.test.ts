import { describe, expect, it } from 'vitest';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { blockStates, generator } from '../../src/random/rng.js';

describe('block streams', () => {
  it('start block k at the stream jumped k times, so blocks never share draws', () => {
    const states = blockStates(7, 'synthetic', 4);
    const g = generator(7, 'synthetic');
    for (const state of states) {
      expect(state).toEqual([...g.getState()]);
      g.jump();
    }
    // Neighbouring blocks start far apart: their first outputs differ, and the seed's stream is block 0.
    const firsts = states.map((s) => xoroshiro128plusFromState(s).next());
    expect(new Set(firsts).size).toBe(4);
    expect(firsts[0]).toBe(generator(7, 'synthetic').next());
  });

  it('depend on the seed and the stream', () => {
    expect(blockStates(7, 'synthetic', 2)).not.toEqual(blockStates(8, 'synthetic', 2));
    expect(blockStates(7, 'synthetic', 2)).not.toEqual(blockStates(7, 'init', 2));
  });

  it("rebuild from a state the generator pure-rand's xoroshiro128plusFromState gives, from the class source the worker threads run", () => {
    const [state] = blockStates(3, 'synthetic', 1);
    const source = generator(3, 'synthetic').constructor.toString();
    const Rebuilt = new Function(`return (${source})`)() as new (...s: number[]) => { next(): number };
    const rebuilt = new Rebuilt(...state);
    const reference = xoroshiro128plusFromState(state);
    for (let k = 0; k < 1000; k++) expect(rebuilt.next()).toBe(reference.next());
  });
});
