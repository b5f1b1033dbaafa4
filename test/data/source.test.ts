import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { loadDataset } from '../../src/data/dataset.js';
import { readBytes, SourceRefused } from '../../src/data/source.js';

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
