import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblems, InputError, MAX_PRINTED_PROBLEMS } from '../../src/errors.js';
import { fileErrorCause } from '../../src/files/causes.js';

const errno = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code });

describe('file error causes', () => {
  it('names a real failure in words, not its code', () => {
    let caught: unknown;
    try {
      readFileSync('/no/such/folder/file');
    } catch (error) {
      caught = error;
    }
    expect(fileErrorCause(caught)).toBe('no such file or folder');
  });

  it('keeps the description of an errno it does not know, without the code', () => {
    expect(fileErrorCause(errno('ESTALE', "ESTALE: stale file handle, open '/mnt/x'"))).toBe('stale file handle');
  });

  it('never shows a bare code', () => {
    expect(fileErrorCause(errno('EWHATEVER', 'EWHATEVER'))).toBe('an unknown error');
  });
});

describe('printed problem lists', () => {
  const problems = (n: number) => Array.from({ length: n }, (_, i) => ({ where: `f.yaml:${i + 1}:1`, message: 'unknown key' }));

  it('prints every problem up to the limit', () => {
    expect(formatProblems(problems(MAX_PRINTED_PROBLEMS))).toHaveLength(MAX_PRINTED_PROBLEMS);
  });

  it('prints the first 20 and counts the rest', () => {
    const lines = formatProblems(problems(10_000));
    expect(lines).toHaveLength(21);
    expect(lines[19]).toBe('f.yaml:20:1: unknown key');
    expect(lines[20]).toBe('… and 9980 more problems (fix the ones above first)');
  });

  it('says "problem" for one more', () => {
    expect(formatProblems(problems(21)).at(-1)).toBe('… and 1 more problem (fix the ones above first)');
  });

  it('keeps an InputError message as short as what is printed', () => {
    expect(new InputError(problems(10_000)).message.split('\n')).toHaveLength(21);
  });
});
