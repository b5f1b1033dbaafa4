import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { loadDataset } from '../../src/data/dataset.js';
import { PARALLEL_READ_MIN_BYTES, readBytes, SourceRefused } from '../../src/data/source.js';

const dir = mkdtempSync(join(tmpdir(), 'neuron-tui-source-'));

function refusal(run: () => unknown): SourceRefused {
  try {
    run();
  } catch (error) {
    if (error instanceof SourceRefused) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('reading input files', () => {
  it('reads a large regular file on several threads, each a part, to the same bytes', () => {
    const file = join(dir, 'large.bin');
    const bytes = Buffer.alloc(PARALLEL_READ_MIN_BYTES + 12_345);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.imul(i, 2654435761) >>> 24;
    writeFileSync(file, bytes);
    try {
      for (const threads of [1, 2, 3]) {
        let first = Buffer.alloc(0);
        const read = readBytes(file, 2 ** 32, (chunk) => (first = Buffer.from(chunk)), undefined, threads);
        expect(bytes.equals(read)).toBe(true);
        expect(first.length).toBeGreaterThan(0);
        expect(first.equals(bytes.subarray(0, first.length))).toBe(true);
      }
    } finally {
      rmSync(file);
    }
  });

  it('refuses a regular file over the limit by its size, before reading it', () => {
    const file = join(dir, 'big.csv');
    writeFileSync(file, 'x'.repeat(2048));
    const refused = refusal(() => readBytes(file, 1024));
    expect(refused.size).toBe(2048);
    expect(refused.message).toBe('it is 2.0 KiB; the limit is 1.0 KiB');
    expect(readBytes(file, 4096)).toHaveLength(2048);
  });

  it('reads a pipe up to the limit and refuses it beyond, however much more it would give', async () => {
    const fifo = join(dir, 'endless');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = spawn('sh', ['-c', `yes > ${fifo}`], { stdio: 'ignore' });
    try {
      expect(refusal(() => readBytes(fifo, 1 << 20)).message).toBe('it is not a regular file and gave more than 1.0 MiB without ending');
    } finally {
      writer.kill();
    }
  });

  it('reads a gzip-compressed CSV and reports the separator it detected', () => {
    writeFileSync(join(dir, 'rows.csv.gz'), gzipSync('a;b;y\n1;2;3\n4;5;6\n'));
    const loaded = loadConfigText(join(dir, 'c.yaml'), 'data: rows.csv.gz\nlearning_rate: 0.1\nepochs: 1\n');
    const dataset = loadDataset(loaded, dir);
    expect(dataset.features).toEqual(['a', 'b']);
    expect(Array.from(dataset.train.y)).toEqual([3, 6]);
    expect(dataset.delimiter).toBe(';');
  });
});
