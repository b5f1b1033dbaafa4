import { colorEnabled } from './palette.js';

/**
 * The one way into the terminal UI: call it to load a screen module (live, replay, compare).
 * Ink and chalk decide once, when they load, what the terminal is; this sets the scene for them:
 * - React's production build (the development build makes each frame about three times slower);
 * - live frames: Ink writes only the last frame in CI (is-in-ci: CI, CONTINUOUS_INTEGRATION), but
 *   the commands load Ink only when stdout is a terminal, where someone is watching;
 * - colour as `colorEnabled` decides it (FORCE_COLOR, NO_COLOR, a terminal). chalk treats any
 *   `CI` variable as a CI log and turns colour off, even `CI=false`; so CI is hidden while Ink
 *   loads, and FORCE_COLOR says what we decided.
 */
export async function importInteractive<T>(load: () => Promise<T>, stdout: NodeJS.WriteStream = process.stdout): Promise<T> {
  process.env.NODE_ENV ??= 'production';
  const keys = ['CI', 'CONTINUOUS_INTEGRATION', 'FORCE_COLOR'] as const;
  const saved = keys.map((key) => process.env[key]);
  const color = colorEnabled(process.env, Boolean(stdout.isTTY));
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  // Level 1 at least; chalk still raises it from TERM and COLORTERM (256 colours, true colour).
  process.env.FORCE_COLOR = color ? (saved[2] && saved[2] !== '0' && saved[2] !== 'false' ? saved[2] : '1') : '0';
  try {
    return await load();
  } finally {
    keys.forEach((key, i) => {
      if (saved[i] === undefined) delete process.env[key];
      else process.env[key] = saved[i];
    });
  }
}
