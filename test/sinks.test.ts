import { describe, expect, it } from 'vitest';
import { LineBatcher } from '../src/sinks/jsonl.js';

describe('LineBatcher', () => {
  it('hands on whole lines in batches: at once first, then at most every maxDelayMs, and on flush', () => {
    let now = 0;
    const batches: string[] = [];
    const lines = new LineBatcher((text) => batches.push(text), () => now, 50);
    lines.write('a\n'); // the first line goes out at once
    now = 10;
    lines.write('b\n');
    now = 49;
    lines.write('c\n');
    expect(batches).toEqual(['a\n']);
    now = 60;
    lines.write('d\n');
    expect(batches).toEqual(['a\n', 'b\nc\nd\n']);
    now = 61;
    lines.write('e\n');
    lines.flush();
    lines.flush(); // nothing pending: nothing written
    expect(batches).toEqual(['a\n', 'b\nc\nd\n', 'e\n']);
    expect(batches.every((b) => b.endsWith('\n'))).toBe(true);
  });

  it('hands on a batch once it reaches 64 KiB, whatever the clock says', () => {
    const batches: string[] = [];
    const lines = new LineBatcher((text) => batches.push(text), () => 0, 50);
    const line = `${'x'.repeat(1023)}\n`;
    for (let k = 0; k < 65; k++) lines.write(line);
    expect(batches.map((b) => b.length)).toEqual([1024, 64 * 1024]);
  });
});
