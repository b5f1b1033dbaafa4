import type { RowSet } from '../neuron/curvature.js';
import { neuronPageData, sidesAt, type NeuronPageData, type NeuronPageInput } from './neuron/data.js';
import type { MetricsStore } from './store.js';

/** What the neuron page needs beside the parameters: the training rows (shared with the training thread), read only. */
export interface NeuronSource {
  rows: RowSet;
  d: number;
  features: readonly string[];
  l2: number;
  /** The config's seed: the page's samples stay the same rows for the whole run. */
  seed: number;
}

/**
 * The neuron page's data for the store's latest parameters, computed when they change and only when
 * asked (while the page is shown). Flips are exact: the sides at the parameters entering the latest
 * epoch against those after it, on the same rows.
 */
export class NeuronPageCache {
  private version = -1;
  private data: NeuronPageData | null = null;

  constructor(private readonly source: NeuronSource) {}

  at(store: MetricsStore): NeuronPageData | null {
    if (store.neuronVersion === this.version) return this.data;
    this.version = store.neuronVersion;
    const state = store.neuron();
    if (!state) return (this.data = null);
    const input: NeuronPageInput = { ...this.source, weights: state.weights, bias: state.bias, previousSides: null };
    input.previousSides = state.entering ? sidesAt(input, state.entering) : null;
    this.data = neuronPageData(input);
    return this.data;
  }
}
