import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, jsonLines, ROOT } from '../helpers.js';
import { hasTmux, tmuxServer } from './tmux.js';

const session = 'dash';
const { tmux, screen, waitFor, close } = tmuxServer(`neuron-tui-test-${process.pid}`, session);

/** The cursor's visibility as tmux sees it: 1 visible, 0 hidden. */
const cursorVisible = (): string => tmux('display-message', '-p', '-t', session, '#{cursor_flag}').trim();

describe.skipIf(!hasTmux)('the dashboard in a real terminal (tmux)', () => {
  afterAll(close);

  it('shows the charts, pauses with space, quits with q and restores the cursor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neuron-tui-pty-'));
    const out = join(dir, 'run.jsonl');
    const done = join(dir, 'exit-code');
    const command = `cd ${ROOT} && TERM=xterm-256color node ${CLI} run configs/synthetic.yaml --set epochs=100000000 --out ${out}; echo $? > ${done}; sleep 30`;
    tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '32', command);

    const running = await waitFor((t) => t.includes('● running') && /epoch\s+\d{3,}/.test(t), 'the dashboard to train');
    expect(running).toContain('loss');
    expect(running).toContain('weight norm ‖w‖');
    expect(running).toContain('active ratio');
    expect(running).toMatch(/[╭╰─│]/);
    expect(cursorVisible()).toBe('0');

    tmux('send-keys', '-t', session, ' ');
    const paused = await waitFor((t) => t.includes('● paused'), 'the pause');
    const epochOf = (t: string): number => Number(/epoch\s+(\d+)\//.exec(t)?.[1]);
    const at = epochOf(paused);
    await new Promise((r) => setTimeout(r, 300));
    expect(epochOf(screen())).toBe(at);

    tmux('send-keys', '-t', session, 'q');
    await waitFor((t) => t.includes('interrupted after'), 'the summary');
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      try {
        if (readFileSync(done, 'utf8').trim() !== '') break;
      } catch {
        // not written yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(readFileSync(done, 'utf8').trim()).toBe('130');
    expect(cursorVisible()).toBe('1');
    const lines = jsonLines(readFileSync(out, 'utf8'));
    expect(lines[lines.length - 1]).toMatchObject({ type: 'end', status: 'interrupted' });
  });

  it('npm start is watchable: the neuron learns over several seconds, the epoch counter rising between captures', async () => {
    const start = 'start';
    // What `npm start` runs (package.json), in a terminal of its own.
    tmux('new-session', '-d', '-s', start, '-x', '100', '-y', '32', `cd ${ROOT} && TERM=xterm-256color node ${CLI} run configs/linear.yaml; sleep 30`);
    const epochs: number[] = [];
    let sawPace = false;
    const until = Date.now() + 20_000;
    let text = '';
    while (Date.now() < until) {
      text = screen(start);
      const epoch = Number(/epoch\s+(\d+)\/300/.exec(text)?.[1]);
      if (text.includes('● running') && Number.isFinite(epoch)) epochs.push(epoch);
      sawPace ||= text.includes('· pace 60 ep/s'); // 300 epochs spread over 5 s
      if (text.includes('● completed')) break;
      await new Promise((r) => setTimeout(r, 400));
    }
    expect(text).toContain('● completed');
    const distinct = [...new Set(epochs)];
    expect(distinct.length, `epochs seen while running: ${epochs.join(', ')}`).toBeGreaterThanOrEqual(3);
    expect(distinct).toEqual([...distinct].sort((a, b) => a - b)); // only ever rising
    expect(distinct[0]).toBeLessThan(300);
    expect(sawPace).toBe(true);
  });
});
