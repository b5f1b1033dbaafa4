import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { TrainingEvent } from '../train/events.js';

/**
 * One event as one JSON line. Events are built with `type` first and JSON keeps insertion order;
 * a number that is not finite (a diverged loss) becomes null, as JSON has no NaN.
 */
export function eventLine(event: TrainingEvent): string {
  return `${JSON.stringify(event)}\n`;
}

/**
 * JSON lines to a file, each written whole with one write(2) as it happens, so that a killed
 * process (even SIGKILL) leaves complete lines behind.
 */
export class JsonLinesFile {
  private fd: number | null;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  write(event: TrainingEvent): void {
    if (this.fd === null) return;
    const bytes = Buffer.from(eventLine(event));
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(this.fd, bytes, offset);
  }

  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}
