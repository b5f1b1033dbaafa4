// Bundled by scripts/bench.mjs: the project's own pieces that the benchmark times in-process.
export { readCsvHeader, readCsvNumbers } from '../src/data/csv.js';
export { rowArray } from '../src/data/rows.js';
export { generatedKernel } from '../src/neuron/kernel.js';
export { ParallelKernel, PARALLEL_MIN_CELLS, SIMD_MIN_FEATURES } from '../src/neuron/parallel.js';
export { fusedPass, passSums } from '../src/neuron/pass.js';
export { renderChart } from '../src/tui/chart.js';
export { MetricsStore } from '../src/tui/store.js';
export { neuronPageData } from '../src/tui/neuron/data.js';
export { NeuronPageCache } from '../src/tui/neuronSource.js';
export { syntheticRows } from '../src/data/synthetic.js';
export { engineKernel } from '../src/neuron/screened.js';
export { Trainer } from '../src/train/trainer.js';
export { Dashboard } from '../src/tui/Dashboard.js';
export { palette } from '../src/tui/palette.js';
export { Box, render, renderToString, Text } from 'ink';
export { createElement } from 'react';
export { chooseKernel } from '../src/neuron/choose.js';
export { readBytes } from '../src/data/source.js';
