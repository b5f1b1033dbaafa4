import { isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root. This file sits one folder below it in every layout it runs from: src/ (tests),
 * dist/ (the bundle's entry and chunks), so `..` is the root.
 */
export const PACKAGE_ROOT = new URL('..', import.meta.url);

export function packageFile(name: string): string {
  return fileURLToPath(new URL(name, PACKAGE_ROOT));
}

/** A path for people: relative to `cwd` when it lies inside it, else as given. */
export function shownPath(path: string, cwd: string = process.cwd()): string {
  const near = relative(cwd, path);
  return near && !near.startsWith('..') && !isAbsolute(near) ? near : path;
}
