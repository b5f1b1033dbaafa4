import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers.js';
import { hasTmux, tmuxServer } from './tmux.js';

const { tmux, waitFor, close } = tmuxServer(`wire-test-${process.pid}`, 'pages');
const session = 'pages';

describe.skipIf(!hasTmux)('the neuron page in a real terminal (tmux)', () => {
  afterAll(close);

  it('tab shows the neuron page, tab again the training page; q quits with exit 130', async () => {
    const done = join(mkdtempSync(join(tmpdir(), 'neuron-tui-pages-')), 'exit-code');
    const command = `cd ${ROOT} && TERM=xterm-256color node ${CLI} run configs/linear.yaml --set epochs=100000000; echo $? > ${done}; sleep 30`;
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '32', command);

    await waitFor((t) => t.includes('● running') && t.includes('weight norm ‖w‖'), 'the training page');
    tmux('send-keys', '-t', session, 'Tab');
    const neuron = await waitFor((t) => t.includes('step size') && t.includes('λmax'), 'the neuron page');
    expect(neuron).not.toContain('weight norm ‖w‖');
    expect(neuron).toContain('the kink');
    expect(neuron).toContain('neuron page · tab training');
    expect(neuron).toMatch(/changed side last epoch \d+/);
    for (const feature of ['x1', 'x2', 'x3']) expect(neuron).toContain(feature); // linear.csv's features, in the gradients

    tmux('send-keys', '-t', session, 'Tab');
    await waitFor((t) => t.includes('weight norm ‖w‖') && t.includes('training page · tab neuron'), 'the training page again');

    tmux('send-keys', '-t', session, 'q');
    await waitFor((t) => t.includes('interrupted after'), 'the summary');
    const until = Date.now() + 10_000;
    let code = '';
    while (Date.now() < until && code === '') {
      try {
        code = readFileSync(done, 'utf8').trim();
      } catch {
        // not written yet
      }
      if (code === '') await new Promise((r) => setTimeout(r, 100));
    }
    expect(code).toBe('130');
  });
});
