// Ink decides at load time whether it runs in CI, and then writes only its last frame. The
// commands load Ink only for a terminal and then as a live UI (src/tui/interactive.ts); the
// component tests render frames the same way, whatever CI this runs in.
process.env.CI = 'false';
