import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, jsonLines, ROOT } from '../helpers.js';
import { hasTmux, tmuxServer } from './tmux.js';

const session = 'sweep';
const { tmux, screen, waitFor, close } = tmuxServer(`sweepui-test-${process.pid}`, session);

const RATES = ['0.01', '0.03', '0.1'];

describe.skipIf(!hasTmux)('the sweep screen in a real terminal (tmux)', () => {
  afterAll(close);

  it('shows three runs live, opens one run’s page and comes back, and q stops every run with a complete log', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'neuron-tui-sweep-tmux-')), 'lr');
    const done = `${dir}.exit-code`;
    const sweep = `sweep configs/linear.yaml --set learning_rate=${RATES.join(',')} --set epochs=100000000 --set log_every=100 --parallel 3 --out-dir ${dir}`;
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '100',
      '-y',
      '32',
      `cd ${ROOT} && NO_COLOR=1 TERM=xterm-256color node ${CLI} ${sweep}; echo $? > ${done}; sleep 30`,
    );

    const table = await waitFor((t) => (t.match(/\d+\/100000000 .* running/g) ?? []).length === 3, 'three runs training in the table', 20_000);
    expect(table).toContain('neuron-tui sweep · linear · 3 runs · 3 running');
    expect(table).toMatch(/learning_rate\s+epoch\s+loss\s+best\s+status/);
    expect(table).toContain('loss (log scale) · learning_rate  ● 0.01  ○ 0.03  ▲ 0.1'); // the legend
    expect(table).toMatch(/^› /m); // a selected row
    expect(table).toContain('◀ best');

    // Paused, the ranking stays put (the runs' losses are close and trade places while they train),
    // so the screen before ↓ is the one ↓ moves from.
    tmux('send-keys', '-t', session, 'Space');
    const still = await waitFor((t) => t.includes('3 runs · 3 paused'), 'every run paused');
    tmux('send-keys', '-t', session, 'Down');
    const selected = await waitFor((t) => /^› [●○▲] (\S+)/m.exec(t)?.[1] !== /^› [●○▲] (\S+)/m.exec(still)?.[1], 'the selection to move down');
    const rate = /^› [●○▲] (\S+)/m.exec(selected)?.[1];
    expect(RATES).toContain(rate);

    tmux('send-keys', '-t', session, 'Enter');
    const page = await waitFor((t) => t.includes(`run learning_rate=${rate} · `), 'the run page');
    expect(page).toContain('weight norm ‖w‖');
    expect(page).toContain('active ratio');
    expect(page).toContain(`/lr/learning_rate=${rate}.js`); // its log, as the page names the run
    expect(page).toContain(`lr ${rate}`);

    tmux('send-keys', '-t', session, 'Escape');
    await waitFor((t) => t.includes('neuron-tui sweep · linear'), 'the overview again');
    tmux('send-keys', '-t', session, 'Space');
    await waitFor((t) => t.includes('3 runs · 3 running'), 'every run training again');

    tmux('send-keys', '-t', session, 'q');
    const until = Date.now() + 20_000;
    while (Date.now() < until && !(existsSync(done) && readFileSync(done, 'utf8').trim() !== '')) await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(done, 'utf8').trim()).toBe('130');
    const last = screen();
    expect(last).toContain(`finished · logs and sweep.json in ${dir}`);
    expect((last.match(/interrupted/g) ?? []).length).toBe(3);
    for (const r of RATES) {
      const lines = jsonLines(readFileSync(join(dir, `learning_rate=${r}.jsonl`), 'utf8'));
      expect(lines[0].type).toBe('start');
      expect(lines[lines.length - 1]).toMatchObject({ type: 'end', status: 'interrupted' });
    }
    const summary = JSON.parse(readFileSync(join(dir, 'sweep.json'), 'utf8')) as { runs: { status: string }[] };
    expect(summary.runs.map((r) => r.status)).toEqual(['interrupted', 'interrupted', 'interrupted']);
  });
});
