// npm run bench: every speed target of the project, each measured side by side with what it is
// compared to, in one run, printed as one table (project figure, comparison figure, ratio).
// The machine is noisy: each figure is the best of several repetitions, and the two sides of a
// row are measured alternately.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { replaceSection } from './readme-section.mjs';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'neuron-tui-bench-'));
const quick = process.argv.includes('--quick');
const rows = [];
// --only=word[,word]: run only the sections whose title contains one of the words (a partial run
// leaves the README alone).
const only =
  process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',')
    .filter(Boolean) ?? null;
// Sections that measure rows as a run has them, in the shared row arena: they run in a process of
// their own (`--child`), since the sections before fill the arena (nothing is freed) and rows that
// no longer fit land outside it, on slower kernels than any run would use.
const FRESH = ['every path on the fast kernels', 'CSV read in windows', 'shuffled mini-batches'];
const child = process.argv.includes('--child');
const section = (title) => {
  if (only && !only.some((word) => title.includes(word))) return false;
  if (FRESH.includes(title) && !child) {
    const args = [new URL(import.meta.url).pathname, '--child', `--only=${title}`, ...(quick ? ['--quick'] : [])];
    const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 24 });
    const emitted = /^ROWS (.*)$/m.exec(result.stdout ?? '');
    if (result.status !== 0 || !emitted) throw new Error(`bench section '${title}' failed in its own process (exit ${result.status})`);
    rows.push(...JSON.parse(emitted[1]));
    return false;
  }
  process.stderr.write(`${title}:\n`);
  return true;
};
const N = quick ? 200_000 : 1_000_000;
// better: 'lower' or 'higher' (ratio > 1 means ours is better), or 'multiple' (ratio = ours / theirs, for targets like ≤ 3×).
const row = (what, ours, theirs, unit, better) => {
  const ratio = better === 'lower' ? theirs / ours : ours / theirs;
  rows.push({
    what,
    ours: `${ours.toFixed(ours < 10 ? 2 : 1)} ${unit}`,
    theirs: `${Number.isFinite(theirs) ? theirs.toFixed(theirs < 10 ? 2 : 1) : 'n/a'} ${unit}`,
    ratio: Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : 'n/a',
  });
  process.stderr.write(`  ${what}: ${rows[rows.length - 1].ours} vs ${rows[rows.length - 1].theirs}\n`);
};
const best = (times, f) => {
  let min = Infinity;
  for (let r = 0; r < times; r++) min = Math.min(min, f());
  return min;
};

// Inside the project, so that the bundle's external imports resolve from node_modules.
const entry = join(root, 'node_modules/.cache/neuron-tui-bench/bench.mjs');
await build({
  entryPoints: [join(root, 'scripts/bench-entry.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: entry,
  logLevel: 'warning',
  jsx: 'automatic',
  external: ['asciichart', 'ink', 'react', 'react/jsx-runtime'],
});
process.env.NODE_ENV ??= 'production'; // React's production build, as the dashboard loads it
const P = await import(pathToFileURL(entry).href);
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
// Some machines set these to work around old OpenBLAS bugs; they slow a current numpy down, and
// the comparison is with numpy at its best.
const numpyEnv = { ...process.env };
delete numpyEnv.OPENBLAS_CORETYPE;
delete numpyEnv.OPENBLAS_L2_SIZE;
const threads = availableParallelism();

function data(n, d) {
  const x = P.rowArray(n * d);
  const y = P.rowArray(n);
  for (let k = 0; k < x.length; k++) x[k] = Math.sin(k * 0.7) * 1.3;
  for (let i = 0; i < n; i++) y[i] = Math.cos(i) + 0.5;
  return { x, y, w: new Float64Array(d).fill(0.1) };
}

/** ms per full-batch epoch: the fused pass plus the update, as the trainer does it. */
function epochMs(kernel, n, d, { x, y, w }, repeats = 7) {
  const out = P.passSums(d);
  return best(repeats, () => {
    out.fill(0);
    const t = performance.now();
    kernel(x, y, d, 0, n, w, 0.1, out);
    for (let j = 0; j < d; j++) w[j] -= 1e-9 * out[3 + j];
    return performance.now() - t;
  });
}

/** A Dataset of rows already made, with features named x1..xd. */
function benchDataset(d, train, validation = null) {
  return { source: 'bench', features: [...Array(d).keys()].map((j) => `x${j + 1}`), target: 'y', d, train, validation, skipped: 0, standardization: null };
}

/** A trainer on `set` as a run with `--threads runThreads` makes it (chooseKernel's kernel, `batch` rows per step), for timing its epochs; its kernel goes in `kernels` to be closed. */
function epochTrainer(set, batch, shuffle, kernels, runThreads = threads) {
  const kernel = P.chooseKernel(set, { batchSize: batch, threads: runThreads, engine: 'pass' });
  kernels.push(kernel);
  const config = {
    name: 'bench',
    data: { validation_split: 0, standardize: false, missing: 'error' },
    learning_rate: 1e-9,
    epochs: 1e9,
    batch_size: batch,
    shuffle,
    seed: 0,
    init: { weights: new Array(set.d).fill(0.1), bias: 0.1 },
    log_every: 1,
    engine: 'pass',
  };
  return new P.Trainer(config, set, { clock: () => performance.now(), kernel: kernel.pass, threads: runThreads });
}

/** Best epoch time of each trainer, taking turns epoch by epoch. */
function sideBySide(trainers, repeats = 7) {
  const times = trainers.map(() => Infinity);
  for (let r = 0; r < repeats; r++) {
    trainers.forEach((t, k) => {
      const start = performance.now();
      t.runEpoch();
      times[k] = Math.min(times[k], performance.now() - start);
    });
  }
  return times;
}

/** numpy's vectorised epoch on the same kind of data, in its own process. */
function numpyMs(n, d) {
  if (!hasNumpy) return NaN;
  const code = `
import numpy as np, time
n, d = ${n}, ${d}
X = (np.sin(np.arange(n * d) * 0.7) * 1.3).reshape(n, d); y = np.cos(np.arange(n)) + 0.5; w = np.full(d, 0.1); b = 0.1
best = 1e9
for _ in range(7):
    t = time.perf_counter()
    z = X @ w + b; active = z > 0; r = np.where(active, z - y, 0.0)
    loss = np.mean(np.where(active, r, y) ** 2); dw = 2 / n * (X.T @ r); db = 2 / n * r.sum(); w -= 1e-9 * dw
    best = min(best, time.perf_counter() - t)
print(best * 1000)`;
  return Number(execFileSync('python3', ['-c', code], { encoding: 'utf8', env: numpyEnv }));
}

// CSV first: the process is fresh, as it is when `run` loads a file.
/** The bench's CSV: N rows × 17 columns (x1..x16, y), written once per process into `work`. */
function bigCsv() {
  const csv = join(work, 'big.csv');
  if (existsSync(csv)) return csv;
  // Written in chunks, so the generator leaves no large heap behind to slow the parse down.
  const fd = openSync(csv, 'w');
  writeSync(fd, `${Array.from({ length: 16 }, (_, j) => `x${j + 1}`).join(',')},y\n`);
  for (let from = 0; from < N; from += 10_000) {
    let chunk = '';
    for (let i = from; i < Math.min(N, from + 10_000); i++) {
      for (let j = 0; j < 17; j++) chunk += `${j ? ',' : ''}${(Math.sin(i * 17 + j) * 3).toPrecision(10)}`;
      chunk += '\n';
    }
    writeSync(fd, chunk);
  }
  closeSync(fd);
  return csv;
}

if (section('CSV loading')) {
  const csv = bigCsv();
  const mb = statSync(csv).size / 1e6;
  const ours = best(3, () => {
    const t = performance.now();
    const bytes = readFileSync(csv);
    const header = P.readCsvHeader(bytes, 'big.csv');
    P.readCsvNumbers(bytes, header, { features: [...Array(16).keys()], target: 16, missing: 'error' }, 'big.csv');
    return performance.now() - t;
  });
  let loadtxt = NaN;
  if (hasNumpy) {
    loadtxt = Number(
      execFileSync(
        'python3',
        [
          '-c',
          `import numpy as np, time\nt = time.perf_counter(); np.loadtxt(${JSON.stringify(csv)}, delimiter=',', skiprows=1); print((time.perf_counter() - t) * 1000)`,
        ],
        { encoding: 'utf8', env: numpyEnv },
      ),
    );
  }
  row(`CSV ${mb.toFixed(0)} MB: ours vs numpy loadtxt`, mb / (ours / 1000), mb / (loadtxt / 1000), 'MB/s', 'higher');
  try {
    const { inferSchema, initParser } = await import('udsv');
    const udsv = best(2, () => {
      const t = performance.now();
      const str = readFileSync(csv, 'utf8');
      initParser(inferSchema(str)).typedCols(str);
      return performance.now() - t;
    });
    row('CSV: ours vs uDSV typedCols', mb / (ours / 1000), mb / (udsv / 1000), 'MB/s', 'higher');
  } catch {
    process.stderr.write('  (uDSV not installed: skipped)\n');
  }
}

if (section(`kernel (N = ${N}, float64, full batch, ${threads} threads)`)) {
  for (const d of [16, 2, 64]) {
    const set = data(N, d);
    // What `run` picks: SIMD from SIMD_MIN_FEATURES features, threads above PARALLEL_MIN_CELLS.
    const pool = new P.ParallelKernel(set.x, set.y, d, threads, d >= P.SIMD_MIN_FEATURES);
    let ours = Infinity;
    let numpy = Infinity;
    for (let round = 0; round < 2; round++) {
      ours = Math.min(ours, epochMs(pool.pass, N, d, set));
      numpy = Math.min(numpy, numpyMs(N, d));
    }
    row(`kernel d=${d}: epoch, ${pool.mode}, ${threads} threads vs numpy`, ours, numpy, 'ms', 'lower');
    if (d === 16) {
      const simd1 = new P.ParallelKernel(set.x, set.y, d, 1, true);
      const simd = epochMs(simd1.pass, N, d, set);
      const generated = epochMs(P.generatedKernel(d), N, d, set);
      const reference = epochMs(P.fusedPass, N, d, set, 3);
      row('kernel d=16: SIMD, 1 thread vs generated JS, 1 thread', simd, generated, 'ms', 'lower');
      row('kernel d=16: generated JS vs reference loop (1 thread)', generated, reference, 'ms', 'lower');
      row(`kernel d=16: SIMD, ${threads} threads vs 1 thread`, ours, simd, 'ms', 'lower');
      simd1.close();
    }
    pool.close();
  }
}

if (section('where threads and SIMD pay')) {
  for (const n of [1000, 8000, 64000, 256000]) {
    const set = data(n, 16);
    const pool = new P.ParallelKernel(set.x, set.y, 16, threads, true);
    const one = new P.ParallelKernel(set.x, set.y, 16, 1, true);
    const par = epochMs(pool.pass, n, 16, set, 100);
    const single = epochMs(one.pass, n, 16, set, 100);
    row(`threads at N=${n}, d=16 (${n * 16} cells${n * 16 >= P.PARALLEL_MIN_CELLS ? ': threads used' : ': 1 thread used'})`, par, single, 'ms', 'lower');
    pool.close();
    one.close();
  }
  for (const d of [2, 4, 8]) {
    const n = N / 4;
    const set = data(n, d);
    const one = new P.ParallelKernel(set.x, set.y, d, 1, true);
    row(
      `SIMD vs generated JS at d=${d}${d >= P.SIMD_MIN_FEATURES ? ' (SIMD used)' : ' (JS used)'}`,
      epochMs(one.pass, n, d, set),
      epochMs(P.generatedKernel(d), n, d, set),
      'ms',
      'lower',
    );
    one.close();
  }
}

// Optimizers: the update is O(d) against the O(N·d) pass, so momentum and Adam cost what sgd
// costs. Whole Trainer epochs with the kernel `run` chooses, measured alternately, best of 7.
if (section('optimizers')) {
  const n = N;
  const d = 16;
  const { x, y } = data(n, d);
  const pool = new P.ParallelKernel(x, y, d, threads, d >= P.SIMD_MIN_FEATURES);
  const trainer = (type) => {
    const config = {
      name: 'bench',
      data: { validation_split: 0, standardize: false, missing: 'error' },
      learning_rate: 1e-9,
      epochs: 1e9,
      batch_size: 'full',
      shuffle: false,
      seed: 0,
      init: { weights: new Array(d).fill(0.1), bias: 0.1 },
      log_every: 1,
      optimizer: { type, momentum: 0.9, nesterov: false, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    };
    const dataset = {
      source: 'bench',
      features: [...Array(d).keys()].map((j) => `x${j + 1}`),
      target: 'y',
      d,
      train: { x, y, n },
      validation: null,
      skipped: 0,
      standardization: null,
    };
    return new P.Trainer(config, dataset, { clock: () => performance.now(), kernel: pool.pass });
  };
  const trainers = { sgd: trainer('sgd'), momentum: trainer('momentum'), adam: trainer('adam') };
  const times = { sgd: Infinity, momentum: Infinity, adam: Infinity };
  for (let r = 0; r < 7; r++) {
    for (const [type, t] of Object.entries(trainers)) {
      const start = performance.now();
      t.runEpoch();
      times[type] = Math.min(times[type], performance.now() - start);
    }
  }
  pool.close();
  row(`epoch at ${n} × ${d}: momentum vs sgd (ratio = multiple; target ≤ 1.05×)`, times.momentum, times.sgd, 'ms', 'multiple');
  row(`epoch at ${n} × ${d}: adam vs sgd (ratio = multiple; target ≤ 1.05×)`, times.adam, times.sgd, 'ms', 'multiple');
}

if (section('linear cost')) {
  const big = data(N, 16);
  const k = new P.ParallelKernel(big.x, big.y, 16, 1, true);
  const perRow = (n) => epochMs(k.pass, n, 16, big, 20) / n;
  row(`time per row: N=${N} vs N=${N / 100} (1.00× = linear in N)`, perRow(N) * 1e6, perRow(N / 100) * 1e6, 'ns', 'lower');
  const n = N / 10;
  const perCell = (d) => {
    const set = data(n, d);
    const one = new P.ParallelKernel(set.x, set.y, d, 1, true);
    const ms = epochMs(one.pass, n, d, set, 10);
    one.close();
    return ms / (n * d);
  };
  row('time per cell: d=64 vs d=4 (1.00× = linear in d)', perCell(64) * 1e6, perCell(4) * 1e6, 'ns', 'lower');
  k.close();
}

if (section('screened engine (issue 18)')) {
  // The bench's synthetic problem: y = relu(0.5·Σx) at N × 16, lr 0.1, default init. The trainers
  // take turns, one epoch each, so both sides see the same load.
  const n = N;
  const d = 16;
  const long = quick ? 300 : 1000;
  const { x, y } = P.syntheticRows({ samples: n, weights: Array(d).fill(0.5), bias: 0, noise: 0 }, 0);
  const dataset = {
    source: 'synthetic',
    features: Array.from({ length: d }, (_, j) => `x${j + 1}`),
    target: 'y',
    d,
    train: { x, y, n },
    validation: null,
    skipped: 0,
    standardization: null,
  };
  const config = {
    name: 'bench',
    data: { validation_split: 0, standardize: false, missing: 'error' },
    learning_rate: 0.1,
    batch_size: 'full',
    shuffle: true,
    seed: 0,
    init: { distribution: 'normal', scale: 0.1, bias: 0.1 },
    log_every: 1,
  };
  const pool = new P.ParallelKernel(x, y, d, threads, d >= P.SIMD_MIN_FEATURES);
  const order = pool.mode === 'simd' ? 'simd' : 'sequential';
  // `epochs` of a run of `limit` epochs (the engine's `auto` knows the limit).
  const sideBySide = (engines, epochs, limit = epochs) => {
    const runs = engines.map((engine) => {
      const { kernel } = P.engineKernel(engine, dataset.train, d, pool.pass, { order, epochs: limit, pool });
      return { trainer: new P.Trainer({ ...config, epochs: limit }, dataset, { clock: () => 0, kernel }), ms: 0, each: [] };
    });
    for (let e = 0; e < epochs; e++) {
      for (const run of runs) {
        if (run.trainer.status !== null) continue;
        const t = performance.now();
        run.trainer.runEpoch();
        const ms = performance.now() - t;
        run.ms += ms;
        run.each.push(ms);
      }
    }
    return runs.map(({ ms, each }) => ({ ms, each }));
  };
  const [pass, screened, auto] = sideBySide(['pass', 'screened', 'auto'], long).map((run) => run.ms);
  row(`${long} full-batch epochs at ${n} × 16: screened vs pass (target ≥ 5×)`, screened, pass, 'ms', 'lower');
  row(`the same: screened vs ${long} numpy vectorised epochs (target ≥ 10×)`, screened, long * numpyMs(n, d), 'ms', 'lower');
  row(`the same: auto (the default) vs pass`, auto, pass, 'ms', 'lower');
  // The first 30 epochs of a long run: `auto` watches the rows change side and stays on passes.
  // The two are within a few percent and the machine is shared: six rounds, each side first in
  // every other one, and each epoch counted at its fastest round (a stall then hits neither side).
  const fastest = { pass: Array(30).fill(Infinity), auto: Array(30).fill(Infinity) };
  for (let round = 0; round < 6; round++) {
    const order = round % 2 === 0 ? ['pass', 'auto'] : ['auto', 'pass'];
    sideBySide(order, 30, long).forEach((run, k) => run.each.forEach((ms, e) => (fastest[order[k]][e] = Math.min(fastest[order[k]][e], ms))));
  }
  const sum = (list) => list.reduce((a, b) => a + b, 0);
  const [passes, early] = [sum(fastest.pass), sum(fastest.auto)];
  row('30 epochs from the start (many flips): auto vs pass (target ≥ 0.95×)', early, passes, 'ms', 'lower');
  pool.close();
}

if (section('dashboard frame')) {
  // CPU of one whole frame at 120×40 as the live dashboard draws it: the mounted Ink instance
  // redrawn (store view, charts, React, Yoga layout, Ink's output and its terminal writer) on a
  // terminal-like stream, 37 new epochs per frame. After 1e6 epochs vs after 1e3: the store's
  // buckets keep it flat, whatever the epoch count. Then Ink 6 on its own at the same size, measured
  // the same way: a blank frame (the floor of any frame) and a full screen of plain text.
  const start = {
    type: 'start',
    config: { epochs: 1e7, name: 'b', learning_rate: 0.1, batch_size: 'full', seed: 0 },
    dataset: { train: 100, validation: 20, features: ['x1', 'x2'], target: 'y', source: 's', skipped: 0 },
  };
  const colors = P.palette(true);
  const epoch = (e) => {
    const loss = 1 / e + (e % 97 === 0 ? 0.5 : 0);
    return {
      type: 'epoch',
      epoch: e,
      loss,
      val_loss: 1.1 * loss,
      active_ratio: 0.9,
      val_active_ratio: 0.85,
      weight_norm: 1 + 1 / e,
      bias: 0,
      grad_norm: 1,
      learning_rate: 0.1,
      elapsed_ms: e,
    };
  };
  /**
   * ms of CPU per frame for each side, `next()` giving a side's next frame: every side mounted at
   * once, taking turns by rounds of 30 frames; each side's best of 5 rounds.
   */
  const frames = async (...sides) => {
    const mounted = sides.map((next) => {
      const stream = new Writable({ write: (_chunk, _encoding, done) => done() });
      Object.assign(stream, { isTTY: true, columns: 120, rows: 40 });
      // As src/tui/screen.tsx mounts the dashboard (maxFps 1000: every rerender here draws).
      return { next, ink: P.render(next(), { stdout: stream, patchConsole: false, exitOnCtrlC: false, maxFps: 1000 }), fastest: Infinity };
    });
    for (let round = 0; round < 6; round++) {
      for (const side of mounted) {
        const t = process.cpuUsage();
        for (let f = 0; f < 30; f++) {
          side.ink.rerender(side.next());
          await new Promise((resolve) => setTimeout(resolve, 2)); // past the throttle: any deferred drawing is counted
        }
        const used = process.cpuUsage(t);
        if (round > 0) side.fastest = Math.min(side.fastest, (used.user + used.system) / 1000 / 30); // round 0 warms up
      }
    }
    mounted.forEach((side) => side.ink.unmount());
    return mounted.map((side) => side.fastest);
  };
  /** A dashboard's frames after `epochs` epochs, 37 new epochs a frame (the store is read on a timer, not per epoch). */
  const dashboard = (epochs) => {
    const store = new P.MetricsStore(start, 'b.yaml');
    let e = 0;
    while (e < epochs) store.push(epoch(++e));
    store.parameters([1, 2], 0.5);
    return () => {
      for (let k = 0; k < 37; k++) store.push(epoch(++e));
      const view = store.view({ paused: false, learningRate: 0.1, pace: 0 }, 0.6);
      return P.createElement(P.Dashboard, { view, width: 120, height: 40, logScale: false, colors });
    };
  };
  let k = 0;
  const plain = () => {
    const lines = Array.from({ length: 40 }, (_, i) => `${++k + i} ${'x'.repeat(120)}`.slice(0, 119));
    return P.createElement(P.Box, { width: 120, height: 40 }, P.createElement(P.Text, null, lines.join('\n')));
  };
  const blank = () => P.createElement(P.Box, { width: 120, height: 40 }, P.createElement(P.Text, null, String(++k)));
  const [late, early, text, floor] = await frames(dashboard(1_000_000), dashboard(1000), plain, blank);
  row('dashboard frame CPU at 120×40: after 1e6 epochs vs after 1e3 (1.00× = flat; target ≤ 4 ms)', late, early, 'ms', 'lower');
  row('dashboard frame CPU at 120×40 vs Ink 6 drawing a full screen of plain text (ratio = multiple)', late, text, 'ms', 'multiple');
  row('dashboard frame CPU at 120×40 vs a blank Ink 6 frame, its floor (ratio = multiple)', late, floor, 'ms', 'multiple');
}

if (section('start-up and memory')) {
  const cli = join(root, 'dist/cli.js');
  const tiny = join(work, 'tiny.yaml');
  writeFileSync(tiny, 'data:\n  synthetic:\n    samples: 100\n    weights: [1, 2]\nlearning_rate: 0.1\nepochs: 10\n');
  const wall = (args) =>
    best(10, () => {
      const t = performance.now();
      execFileSync(process.execPath, args, { stdio: 'ignore' });
      return performance.now() - t;
    });
  let ours = Infinity;
  let bare = Infinity;
  for (let round = 0; round < 2; round++) {
    bare = Math.min(bare, wall(['-e', '0']));
    ours = Math.min(ours, wall([cli, 'run', tiny, '--json']));
  }
  row('start-up: run tiny.yaml --json vs node -e 0 (ratio = multiple; target ≤ 3×)', ours, bare, 'ms', 'multiple');

  const big = join(work, 'big.yaml');
  writeFileSync(big, `data:\n  synthetic:\n    samples: ${N}\n    weights: [${Array(16).fill(0.5).join(', ')}]\nlearning_rate: 0.01\nepochs: 5\n`);
  const probe = `process.argv = [process.argv[0], ${JSON.stringify(cli)}, 'run', ${JSON.stringify(big)}, '--json']; process.on('exit', () => process.stderr.write('RSS ' + process.resourceUsage().maxRSS + '\\n')); await import(${JSON.stringify(pathToFileURL(cli).href)});`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const rss = Number(/RSS (\d+)/.exec(result.stderr)?.[1]) / 1024;
  const raw = (N * 17 * 8) / 1024 / 1024;
  row(`peak RSS of a ${N} × 16 run vs raw data + 100 MB (ratio = multiple; target ≤ 1×)`, rss, raw + 100, 'MB', 'multiple');
}

if (section('first frame')) {
  // Issue 17: from launch to the dashboard's first frame (its header's first word) in a real terminal
  // (a pty from util-linux's script, 120×40), against `node -e 0` started the same way and timed to its exit.
  if (spawnSync('script', ['-V']).status === 0) {
    const cli = join(root, 'dist/cli.js');
    const launch = (command, marker) =>
      new Promise((resolve) => {
        const t = performance.now();
        const child = spawn('script', ['-qfec', `stty cols 120 rows 40; exec ${command}`, '/dev/null'], { detached: true, stdio: ['pipe', 'pipe', 'ignore'] });
        let seen = '';
        let done = false;
        const finish = (ms) => {
          if (done) return;
          done = true;
          resolve(ms);
          // The run is not needed past its first frame; its terminal closing ends it.
          if (marker && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
        };
        child.stdout.on('data', (chunk) => {
          seen += chunk;
          if (marker && seen.includes(marker)) finish(performance.now() - t);
        });
        child.on('exit', () => finish(marker ? NaN : performance.now() - t));
      });
    let bare = Infinity;
    let first = Infinity;
    for (let round = 0; round < (quick ? 4 : 8); round++) {
      bare = Math.min(bare, await launch(`${process.execPath} -e 0`));
      first = Math.min(first, await launch(`${process.execPath} ${cli} run ${join(root, 'configs/linear.yaml')}`, 'neuron-tui'));
    }
    row('first dashboard frame after launch (pty 120×40) vs node -e 0 (ratio = multiple; target ≤ 4×)', first, bare, 'ms', 'multiple');
  } else {
    process.stderr.write('  (script from util-linux not installed: first-frame row skipped)\n');
  }
}

if (section('sweep')) {
  // Four runs of synthetic.yaml (10x the epochs, so training outweighs each run's process start).
  const cli = join(root, 'dist/cli.js');
  const config = join(root, 'configs/synthetic.yaml');
  let k = 0;
  const sweep = (parallel) =>
    best(2, () => {
      const t = performance.now();
      execFileSync(
        process.execPath,
        [
          cli,
          'sweep',
          config,
          '--set',
          'learning_rate=0.02,0.05,0.1,0.2',
          '--set',
          'epochs=4000',
          '--parallel',
          String(parallel),
          '--out-dir',
          join(work, `sweep-${k++}`),
        ],
        { stdio: 'ignore' },
      );
      return performance.now() - t;
    });
  let one = Infinity;
  let two = Infinity;
  for (let round = 0; round < 2; round++) {
    one = Math.min(one, sweep(1));
    two = Math.min(two, sweep(2));
  }
  row('sweep of 4 runs: --parallel 2 vs one after another (target ≥ 1.7× on 2 cores)', two, one, 'ms', 'lower');
}

if (section('dashboard')) {
  if (spawnSync('tmux', ['-V']).status === 0) {
    // Training time (end.elapsed_ms in the --out log) under the dashboard in a real terminal, where
    // the run trains on a worker thread, vs headless on the main thread: target ≤ 1.05×.
    const cli = join(root, 'dist/cli.js');
    const wide = join(work, 'wide.yaml');
    writeFileSync(
      wide,
      'data:\n  synthetic:\n    samples: 200000\n    weights: [1, -1, 0.5, 0.25, -0.5, 2, 0, 1]\n    noise: 0.1\nlearning_rate: 0.05\nepochs: 600\n',
    );
    const elapsed = (config, terminal) => {
      const out = join(work, `run-${terminal}.jsonl`);
      const command = `${process.execPath} ${cli} run ${config} --out ${out}`;
      if (terminal) {
        const socket = `bench-${process.pid}`;
        // Full speed: by default the dashboard spreads a short run over ~5 s.
        execFileSync('tmux', ['-L', socket, 'new-session', '-d', '-s', 'b', '-x', '120', '-y', '40', `${command} --pace max`]);
        while (spawnSync('tmux', ['-L', socket, 'has-session', '-t', 'b'], { stdio: 'ignore' }).status === 0) execFileSync('sleep', ['0.1']);
      } else {
        execFileSync('sh', ['-c', `${command} --json > /dev/null`]);
      }
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      return JSON.parse(lines[lines.length - 1]).elapsed_ms;
    };
    for (const [what, config] of [
      ['200k × 8, 600 epochs', wide],
      ['synthetic.yaml', join(root, 'configs/synthetic.yaml')],
    ]) {
      let dash = Infinity;
      let headless = Infinity;
      for (let round = 0; round < (quick ? 2 : 3); round++) {
        headless = Math.min(headless, elapsed(config, false));
        dash = Math.min(dash, elapsed(config, true));
      }
      row(`training time: dashboard (tmux 120×40) vs headless, ${what} (ratio = multiple; target ≤ 1.05×)`, dash, headless, 'ms', 'multiple');
    }

    // The neuron page open (tab pressed as soon as the dashboard shows) vs the training page: the
    // page's data is computed on the UI thread within its frame budget, so training should not notice.
    const long = join(work, 'long.yaml');
    writeFileSync(
      long,
      'data:\n  synthetic:\n    samples: 200000\n    weights: [1, -1, 0.5, 0.25, -0.5, 2, 0, 1]\n    noise: 0.1\nlearning_rate: 0.05\nepochs: 4000\nengine: pass\n',
    );
    const onPage = (tab) => {
      const out = join(work, `page-${tab}.jsonl`);
      const socket = `bench-page-${process.pid}`;
      execFileSync('tmux', [
        '-L',
        socket,
        'new-session',
        '-d',
        '-s',
        'b',
        '-x',
        '120',
        '-y',
        '40',
        `${process.execPath} ${cli} run ${long} --out ${out} --pace max`,
      ]);
      const alive = () => spawnSync('tmux', ['-L', socket, 'has-session', '-t', 'b'], { stdio: 'ignore' }).status === 0;
      if (tab) {
        while (alive() && !spawnSync('tmux', ['-L', socket, 'capture-pane', '-p', '-t', 'b'], { encoding: 'utf8' }).stdout.includes('● running'))
          execFileSync('sleep', ['0.05']);
        spawnSync('tmux', ['-L', socket, 'send-keys', '-t', 'b', 'Tab']);
      }
      while (alive()) execFileSync('sleep', ['0.1']);
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      return JSON.parse(lines[lines.length - 1]).elapsed_ms;
    };
    let neuronPage = Infinity;
    let trainingPage = Infinity;
    for (let round = 0; round < (quick ? 2 : 3); round++) {
      trainingPage = Math.min(trainingPage, onPage(false));
      neuronPage = Math.min(neuronPage, onPage(true));
    }
    row(
      'training time: neuron page open vs training page, 200k × 8, 4000 full passes (tmux 120×40; ratio = multiple; target ≤ 1.05×)',
      neuronPage,
      trainingPage,
      'ms',
      'multiple',
    );
  } else {
    process.stderr.write('  (tmux not installed: dashboard rows skipped)\n');
  }
}
if (section('neuron page')) {
  // The neuron page's data (fit sample, gradient, kink counts, λmax/λmin of H) for one frame, against
  // one training epoch of the same rows; later frames reuse the page's gathered sample, as the dashboard does.
  for (const n of [N / 10, N]) {
    const d = 16;
    const set = data(n, d);
    const input = { rows: { x: set.x, y: set.y, n }, d, features: [], weights: set.w, bias: 0.1, previousSides: null, seed: 0 };
    const frame = best(20, () => {
      const t = performance.now();
      input.previousSides = P.neuronPageData(input).sides;
      return performance.now() - t;
    });
    const epoch = epochMs(P.generatedKernel(d), n, d, set, 5);
    row(`neuron page data per frame, N=${n}, d=16 vs one epoch (generated JS, 1 thread; ratio = multiple)`, frame, epoch, 'ms', 'multiple');
  }
  // A whole neuron-page frame as the dashboard draws it at 120×40 (the page's data with exact flips,
  // i.e. the sides at the entering parameters too, and Ink's layout and output) vs a training-page frame.
  const n = N / 10;
  const d = 8;
  const set = data(n, d);
  const start = {
    type: 'start',
    config: { epochs: 1e7, name: 'b', learning_rate: 0.1, batch_size: 'full', seed: 0 },
    dataset: { train: n, validation: 0, features: Array.from({ length: d }, (_, j) => `x${j + 1}`), target: 'y', source: 's', skipped: 0 },
  };
  const store = new P.MetricsStore(start, 'b.yaml');
  for (let e = 1; e <= 1000; e++)
    store.push({
      type: 'epoch',
      epoch: e,
      loss: 1 / e,
      val_loss: null,
      active_ratio: 0.9,
      val_active_ratio: null,
      weight_norm: 1,
      bias: 0.1,
      grad_norm: 1,
      learning_rate: 0.1,
      r2: 0.5,
      val_r2: null,
      elapsed_ms: e,
    });
  store.parameters(set.w, 0.1, { weights: set.w.map((w) => w * 0.99), bias: 0.1, rateFactor: 1 });
  const colors = P.palette(true);
  const source = { rows: { x: set.x, y: set.y, n }, d, features: start.dataset.features, l2: 0, seed: 0 };
  const cpu = (page) =>
    best(20, () => {
      const t = process.cpuUsage();
      const view = store.view({ paused: false, learningRate: 0.1, rateFactor: 1, pace: 0 });
      // A new cache each time: every frame of a running run sees new parameters.
      const neuron = page === 'neuron' ? new P.NeuronPageCache(source).at(store) : undefined;
      P.renderToString(P.createElement(P.Dashboard, { view, width: 120, height: 40, logScale: false, colors, page, neuron }), { columns: 120 });
      const used = process.cpuUsage(t);
      return (used.user + used.system) / 1000;
    });
  cpu('neuron'); // warm up
  row(`dashboard frame CPU at 120×40: neuron page (N=${n}, d=${d}) vs training page (ratio = multiple)`, cpu('neuron'), cpu('training'), 'ms', 'multiple');
}

if (!hasNumpy) process.stderr.write('numpy is not importable by python3: the numpy comparisons read n/a\n');

// Issue 17: synthetic rows as `data.synthetic` makes them (blocks of rows on every core, a ziggurat
// on pure-rand's generator), against a copy of the generator before issue 17: one stream, on one
// thread, Box–Muller normals one at a time through pure-rand's uniformFloat64.
if (section('synthetic generation')) {
  const { xoroshiro128plus } = await import('pure-rand/generator/xoroshiro128plus');
  const { uniformFloat64 } = await import('pure-rand/distribution/uniformFloat64');
  const before = (spec, seed) => {
    const d = spec.weights.length;
    const n = spec.samples;
    const gen = xoroshiro128plus((Math.imul(seed | 0, 0x9e3779b1) ^ 0x4a6c8ea3) | 0);
    let spare = null;
    const normal = () => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      const u1 = 1 - uniformFloat64(gen);
      const u2 = uniformFloat64(gen);
      const r = Math.sqrt(-2 * Math.log(u1));
      spare = r * Math.sin(2 * Math.PI * u2);
      return r * Math.cos(2 * Math.PI * u2);
    };
    const x = new Float64Array(n * d);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let z = spec.bias;
      for (let j = 0; j < d; j++) {
        const v = normal();
        x[i * d + j] = v;
        z += spec.weights[j] * v;
      }
      y[i] = Math.max(0, z) + (spec.noise > 0 ? spec.noise * normal() : 0);
    }
    return { x, y, rows: n };
  };
  const spec = { samples: N, weights: Array.from({ length: 16 }, (_, j) => Math.cos(j)), bias: 0.1, noise: 0.1 };
  let now = Infinity;
  let then = Infinity;
  for (let r = 0; r < 5; r++) {
    let t = performance.now();
    P.syntheticRows(spec, 1, threads);
    now = Math.min(now, performance.now() - t);
    t = performance.now();
    before(spec, 1);
    then = Math.min(then, performance.now() - t);
  }
  row(
    `synthetic generation, ${N} × 16 with noise: rows/s on ${threads} threads vs before issue 17 (target ≥ 4×)`,
    N / now / 1e3,
    N / then / 1e3,
    'M rows/s',
    'higher',
  );
}

// Issue 17: every path a run takes reaches the fast kernels by chooseKernel's one rule, and loading
// runs on threads. In a process of its own (FRESH), with its rows in the arena as a run's are.
if (section('every path on the fast kernels')) {
  const n = N;
  const d = 16;
  const csv = bigCsv();
  const columns = { features: [...Array(d).keys()], target: d, missing: 'error' };
  const load = (t) => {
    const bytes = P.readBytes(csv, 2 ** 32, undefined, undefined, t);
    return P.readCsvNumbers(bytes, P.readCsvHeader(bytes, 'big.csv'), columns, 'big.csv', t);
  };
  let one = Infinity;
  let two = Infinity;
  // Loads of 1–3 s, alternating, best of 4: on a 2-core machine any other process takes a
  // thread's core for part of a load, and only the 2-thread side loses by it.
  for (let r = 0; r < 4; r++) {
    let t = performance.now();
    load(1);
    one = Math.min(one, performance.now() - t);
    t = performance.now();
    load(2);
    two = Math.min(two, performance.now() - t);
  }
  row(`CSV load, ${n} × 17: 2 threads vs 1 thread (target ≥ 1.7×)`, two, one, 'ms', 'lower');

  // The rows of the epoch rows below (made on one thread: the same rows as on any number), and the
  // same rows read back from a CSV (shortest round-trip text: the same numbers). The same values on
  // both sides: the pass's cost depends on the data (how predictable its active rows are).
  const synthetic = P.syntheticRows({ samples: n, weights: Array.from({ length: d }, (_, j) => Math.cos(j)), bias: 0.1, noise: 0.1 }, 1);
  const sameCsv = join(work, 'synthetic.csv');
  const fd = openSync(sameCsv, 'w');
  writeSync(fd, `${Array.from({ length: d }, (_, j) => `x${j + 1}`).join(',')},y\n`);
  for (let from = 0; from < n; from += 10_000) {
    let chunk = '';
    for (let i = from; i < Math.min(n, from + 10_000); i++) chunk += `${Array.from(synthetic.x.subarray(i * d, (i + 1) * d)).join(',')},${synthetic.y[i]}\n`;
    writeSync(fd, chunk);
  }
  closeSync(fd);
  const sameBytes = P.readBytes(sameCsv, 2 ** 32, undefined, undefined, threads);
  const parsed = P.readCsvNumbers(sameBytes, P.readCsvHeader(sameBytes, 'synthetic.csv'), columns, 'synthetic.csv', threads);
  if (parsed.x[d + 3] !== synthetic.x[d + 3] || parsed.y[n - 1] !== synthetic.y[n - 1]) throw new Error('bench: the CSV did not give the same numbers back');

  const dataset = (train, validation = null) => benchDataset(d, train, validation);
  const kernels = [];
  const trainer = (set, batch) => epochTrainer(set, batch, true, kernels);
  const all = { x: synthetic.x, y: synthetic.y, n };
  const held = Math.round(n * 0.2);
  const split = dataset(
    { x: synthetic.x.subarray(0, (n - held) * d), y: synthetic.y.subarray(0, n - held), n: n - held },
    { x: synthetic.x.subarray((n - held) * d), y: synthetic.y.subarray(n - held), n: held },
  );
  const [onCsv, onSynthetic, withSplit] = sideBySide(
    [trainer(dataset({ x: parsed.x, y: parsed.y, n: parsed.rows }), 'full'), trainer(dataset(all), 'full'), trainer(split, 'full')],
    21,
  ); // epochs of ~10 ms on a shared machine: more turns for a stable best
  kernels.forEach((k) => k.close());
  row(`epoch at ${n} × ${d}, no split: CSV rows vs synthetic rows (ratio = multiple; target ≤ 1.10×)`, onCsv, onSynthetic, 'ms', 'multiple');
  row(`epoch at ${n} × ${d}: 20% validation split vs none (ratio = multiple; target ≤ 1.30×)`, withSplit, onSynthetic, 'ms', 'multiple');
}

// Regular files of 1 GiB or more are read in windows (src/data/csv-file.ts): the file is read
// twice (its line breaks first, for the rows' room) but never held whole in memory. The same
// 1e6 × 17 file both ways here, in windows of 64 MiB.
if (section('CSV read in windows')) {
  const csv = bigCsv();
  const columns = { features: [...Array(16).keys()], target: 16, missing: 'error' };
  const refuse = (why) => {
    throw new Error(why);
  };
  const load = (options) => {
    const t = performance.now();
    const file = P.openCsvFile(csv, refuse, { threads, ...options });
    file.numbers(P.readCsvHeader(file.head, 'big.csv'), columns, 'big.csv', threads);
    return performance.now() - t;
  };
  let whole = Infinity;
  let windowed = Infinity;
  for (let r = 0; r < 3; r++) {
    whole = Math.min(whole, load({}));
    windowed = Math.min(windowed, load({ windowedFrom: 0, window: 64 * 1024 ** 2 }));
  }
  row(`CSV load, ${N} × 17, ${threads} threads: read in windows of 64 MiB vs whole (ratio = multiple)`, windowed, whole, 'ms', 'multiple');
}

// Issue 17: shuffled mini-batches read contiguous batches in place (src/random/permutation.ts: a
// two-level random permutation, rows moved in cache-friendly steps) instead of gathering each
// batch's rows in random order. Its own rows, so that it runs alone (--only=mini).
if (section('shuffled mini-batches')) {
  const n = N;
  const d = 16;
  const { x, y } = data(n, d);
  const set = benchDataset(d, { x, y, n });
  const kernels = [];
  const trainers = [
    epochTrainer(set, 'full', true, kernels),
    epochTrainer(set, 4096, true, kernels),
    epochTrainer(set, 4096, false, kernels),
    epochTrainer(set, 4096, true, kernels, 1),
  ];
  // The floor of any reshuffle that moves the rows: one sequential copy of them, into rows of the
  // arena made beforehand (a shuffle moves them at least once, and a random order costs more).
  const copied = { x: P.rowArray(n * d), y: P.rowArray(n) };
  const copy = {
    runEpoch: () => {
      copied.x.set(x);
      copied.y.set(y);
    },
  };
  const [full, shuffled, inOrder, oneThread, copyMs] = sideBySide([...trainers, copy], 9);
  trainers.forEach((t) => t.close());
  kernels.forEach((k) => k.close());
  row(`epoch at ${n} × ${d}: shuffled mini-batches of 4,096 vs full batch (ratio = multiple; target ≤ 2.0×)`, shuffled, full, 'ms', 'multiple');
  row(`epoch at ${n} × ${d}, mini-batches of 4,096: shuffled vs in row order (ratio = multiple: the shuffle's cost)`, shuffled, inOrder, 'ms', 'multiple');
  row(`shuffled mini-batches, ${threads} threads (next epoch's rows moved on a helper) vs 1 thread`, shuffled, oneThread, 'ms', 'lower');
  row(
    `floor: one sequential copy of the ${n} × ${d} rows vs a full-batch epoch (ratio = multiple: what any reshuffle that moves the rows costs at least)`,
    copyMs,
    full,
    'ms',
    'multiple',
  );
}

// A config with thousands of unknown keys: every key is located, in time linear in the keys
// (yaml's own duplicate-key check and a per-key search were quadratic: 10,000 keys took ~6 s).
if (section('config checks')) {
  const cli = join(root, 'dist/cli.js');
  const config = (keys) => {
    const file = join(work, `keys-${keys}.yaml`);
    const lines = ['data: {synthetic: {samples: 100, weights: [1, 2]}}', 'learning_rate: 0.1', 'epochs: 5'];
    for (let k = 0; k < keys; k++) lines.push(`unknown_key_${k}: 1`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };
  const validate = (file) => () => {
    const started = performance.now();
    spawnSync(process.execPath, [cli, 'validate', file], { stdio: 'ignore' });
    return performance.now() - started;
  };
  const many = validate(config(10_000));
  const few = validate(config(100));
  let manyMs = Infinity;
  let fewMs = Infinity;
  for (let round = 0; round < 3; round++) {
    manyMs = Math.min(manyMs, many());
    fewMs = Math.min(fewMs, few());
  }
  row('validate: 10,000 unknown keys vs 100 (ratio = multiple; whole process)', manyMs, fewMs, 'ms', 'multiple');
}

rmSync(work, { recursive: true, force: true });
if (child) {
  console.log(`ROWS ${JSON.stringify(rows)}`);
  process.exit(0);
}
const widths = ['what', 'ours', 'theirs', 'ratio'].map((k) => Math.max(k.length, ...rows.map((r) => r[k].length)));
const line = (r) => `| ${['what', 'ours', 'theirs', 'ratio'].map((k, i) => r[k].padEnd(widths[i])).join(' | ')} |`;
const table = [
  line({ what: 'what', ours: 'ours', theirs: 'compared with', ratio: 'ratio' }),
  `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
  ...rows.map(line),
].join('\n');
console.log(`\nneuron-tui bench on ${threads} cores, Node ${process.version} (ratio > 1: ours is better, except rows marked 'multiple': ours ÷ theirs)\n`);
console.log(table);
// A full run is the README's table; only the text between its bench markers changes. A quick run
// (smaller N) is not representative and leaves the README alone.
if (!quick && !only && !process.argv.includes('--no-readme')) {
  const readme = join(root, 'README.md');
  writeFileSync(readme, replaceSection(readFileSync(readme, 'utf8'), 'bench', table));
  process.stderr.write('README.md: the table between <!-- bench:start --> and <!-- bench:end --> is updated\n');
}
