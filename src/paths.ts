import { fileURLToPath } from 'node:url';

/**
 * The package root. This file sits one folder below it in every layout it runs from: src/ (tests),
 * dist/ (the bundle's entry and chunks), so `..` is the root.
 */
export const PACKAGE_ROOT = new URL('..', import.meta.url);

export function packageFile(name: string): string {
  return fileURLToPath(new URL(name, PACKAGE_ROOT));
}
