import { render, type Instance } from 'ink';
import type { ReactNode } from 'react';
import { colorEnabled, palette, type Palette } from './palette.js';

export interface ScreenIo {
  stdout: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
}

/** The dashboard's colours for this terminal and environment (FORCE_COLOR, NO_COLOR). */
export function screenColors(stdout: NodeJS.WriteStream): Palette {
  return palette(colorEnabled(process.env, Boolean(stdout.isTTY)));
}

/**
 * Puts a screen on the terminal with the render options every screen uses: keys are the
 * screen's to handle (Ctrl-C included: a run must still write its end event), console output is
 * left alone, and frames are not throttled.
 */
export function mountScreen(element: ReactNode, io: ScreenIo): Instance {
  // maxFps: Ink would hold a key's frame back up to 1/maxFps after the last one; the dashboard
  // paces its own frames (App), so a key redraws at once.
  return render(element, { stdout: io.stdout, stdin: io.stdin ?? process.stdin, exitOnCtrlC: false, patchConsole: false, maxFps: 1000 });
}

/** Keys are read only where raw mode is possible. */
export function readsKeys(io: ScreenIo): boolean {
  return Boolean((io.stdin ?? process.stdin).isTTY);
}
