import { execFileSync, spawnSync } from 'node:child_process';

export const hasTmux = spawnSync('tmux', ['-V']).status === 0;

/** A tmux server of its own (its socket named after the test and the process), and what the tests ask of it. */
export function tmuxServer(socket: string, session: string) {
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const screen = (target = session): string => tmux('capture-pane', '-p', '-t', target);
  /** The screen once `predicate` holds of it, polled every 100 ms; throws with the last screen after `ms`. */
  const waitFor = async (predicate: (text: string) => boolean, what: string, ms = 15_000): Promise<string> => {
    const until = Date.now() + ms;
    let text = '';
    while (Date.now() < until) {
      text = screen();
      if (predicate(text)) return text;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what}; the screen was:\n${text}`);
  };
  const close = (): void => {
    spawnSync('tmux', ['-L', socket, 'kill-server']);
  };
  return { tmux, screen, waitFor, close };
}
