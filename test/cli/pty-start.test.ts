import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers.js';
import { hasTmux, tmuxServer } from './tmux.js';

const socket = `neuron-tui-start-${process.pid}`;
const session = 'start';
const { tmux, waitFor, close } = tmuxServer(socket, session);

/** Runs `neuron-tui run` on a config of `yaml` in a fresh 100×32 terminal; resolves its exit code once it exits. */
function run(yaml: string): () => Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'neuron-tui-start-'));
  const config = join(dir, 'run.yaml');
  const done = join(dir, 'exit-code');
  writeFileSync(config, yaml);
  spawnSync('tmux', ['-L', socket, 'kill-session', '-t', session]); // the previous test's, if any
  tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '32', `cd ${ROOT} && TERM=xterm-256color node ${CLI} run ${config}; echo $? > ${done}; sleep 30`);
  return async () => {
    for (let waited = 0; waited < 15_000; waited += 100) {
      const code = spawnSync('cat', [done], { encoding: 'utf8' }).stdout.trim();
      if (code !== '') return code;
      await new Promise((r) => setTimeout(r, 100));
    }
    return readFileSync(done, 'utf8');
  };
}

describe.skipIf(!hasTmux)('the first frame (tmux)', () => {
  afterAll(close);

  it('names the run while a large dataset loads, then gives way to the charts', async () => {
    // Generating three million rows takes a good second: long enough to see the frame before the data.
    const exitCode = run('name: large\ndata:\n  synthetic:\n    samples: 3000000\n    weights: [1, 2]\nlearning_rate: 0.1\nepochs: 100000\n');
    const first = await waitFor((t) => t.includes('loading the data'), 'the first frame');
    expect(first).toMatch(/^neuron-tui · large \S*run\.yaml$/m);
    const charts = await waitFor((t) => t.includes('● running'), 'the charts', 60_000);
    expect(charts).toContain('synthetic (3000000 rows)');
    expect(charts).not.toContain('loading the data');
    tmux('send-keys', '-t', session, 'q');
    expect(await exitCode()).toBe('130');
  }, 90_000);

  it('takes the first frame off again when the data cannot be read: the message is all that stays', async () => {
    const exitCode = run('data: nope.csv\nlearning_rate: 0.1\nepochs: 5\n');
    expect(await exitCode()).toBe('2');
    const screen = await waitFor((t) => t.includes('cannot read the data file'), 'the message');
    expect(screen).not.toContain('neuron-tui ·');
    expect(screen).not.toContain('loading the data');
  });
});
