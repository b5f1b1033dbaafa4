import { expect, vi } from 'vitest';

interface Rendered {
  stdin: { write(data: string): void; listenerCount(event: string): number };
}

/**
 * Types into a rendered app once it listens: Ink attaches its input listener in an effect after
 * the first render, and a key written before that is lost.
 */
export async function press(ink: Rendered, keys: string): Promise<void> {
  await vi.waitFor(() => expect(ink.stdin.listenerCount('readable')).toBeGreaterThan(0));
  ink.stdin.write(keys);
}
