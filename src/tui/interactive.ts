/**
 * The one way into the terminal UI: call it to load a screen module (live, replay, compare).
 * Before Ink and React load, it picks React's production build (the development build makes each
 * frame about three times slower) and keeps Ink live: Ink decides once, when it is first loaded,
 * whether it runs in CI (from CI, CONTINUOUS_INTEGRATION and CI_* variables), and in CI it writes
 * only the last frame. The commands load Ink only when stdout is a terminal, where someone is
 * watching, so the dashboard is live there even in a shell that exports CI.
 */
export async function importInteractive<T>(load: () => Promise<T>): Promise<T> {
  process.env.NODE_ENV ??= 'production';
  const saved = process.env.CI;
  process.env.CI = 'false';
  try {
    return await load();
  } finally {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  }
}
